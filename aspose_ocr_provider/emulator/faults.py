"""Seeded, per-endpoint fault injection: what a flaky network and a loaded service look like.

A client's retry logic is only tested when the server misbehaves on purpose. Every endpoint
(``token``, ``submit``, ``result``, ``status``, ``cancel``, or ``*`` for all) gets its own random
stream derived from one seed, so a run with the same seed and the same request order per endpoint
sees the same faults.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

ENDPOINTS: tuple[str, ...] = ("token", "submit", "result", "status", "cancel")
FAULT_KINDS: tuple[str, ...] = ("429", "500", "502", "503", "drop", "slow")


@dataclass(frozen=True)
class FaultRule:
    """How often and how one endpoint misbehaves.

    :param rate: Fraction of requests (0..1) that get a fault.
    :param kinds: Faults to choose from, uniformly: ``429`` (with Retry-After), ``500``, ``502``,
        ``503``, ``drop`` (connection closed without an answer), ``slow`` (answered after a delay).
    :param retry_after: Seconds sent in the ``Retry-After`` header of a 429 (and 503).
    :param slow_seconds: Delay before a ``slow`` request is answered normally.
    """

    rate: float = 0.0
    kinds: tuple[str, ...] = ("500",)
    retry_after: int = 1
    slow_seconds: float = 1.0

    def __post_init__(self) -> None:
        if not 0.0 <= float(self.rate) <= 1.0:
            raise ValueError(f"Fault rate must be between 0 and 1, got {self.rate!r}.")
        kinds = tuple(str(k).lower() for k in self.kinds)
        if not kinds:
            raise ValueError(f"A fault rule needs at least one kind out of {', '.join(FAULT_KINDS)}.")
        bad = [k for k in kinds if k not in FAULT_KINDS]
        if bad:
            raise ValueError(f"Unknown fault kind(s) {bad}; valid kinds are: {', '.join(FAULT_KINDS)}.")
        if self.retry_after < 0 or self.slow_seconds < 0:
            raise ValueError("Fault retry_after and slow_seconds must not be negative.")
        object.__setattr__(self, "kinds", kinds)
        object.__setattr__(self, "rate", float(self.rate))

    @classmethod
    def coerce(cls, value: FaultRule | Mapping[str, Any]) -> FaultRule:
        if isinstance(value, FaultRule):
            return value
        if not isinstance(value, Mapping):
            raise ValueError(
                f"A fault rule must be a mapping like {{'rate': 0.2, 'kinds': ['500']}}, got {value!r}."
            )
        allowed = {"rate", "kinds", "retry_after", "slow_seconds"}
        unknown = set(value) - allowed
        if unknown:
            raise ValueError(
                f"Unknown fault rule key(s) {sorted(unknown)}; valid keys are: {sorted(allowed)}."
            )
        kwargs = dict(value)
        if "kinds" in kwargs:
            kinds = kwargs["kinds"]
            kwargs["kinds"] = tuple(kinds.split(",")) if isinstance(kinds, str) else tuple(kinds)
        return cls(**kwargs)

    def to_json(self) -> dict[str, Any]:
        return {
            "rate": self.rate,
            "kinds": list(self.kinds),
            "retry_after": self.retry_after,
            "slow_seconds": self.slow_seconds,
        }


def parse_fault_rules(value: Mapping[str, Any] | None) -> dict[str, FaultRule]:
    """Validate ``{"result": {...}, "*": {...}}``; an unknown endpoint name is an error in words."""
    rules: dict[str, FaultRule] = {}
    for endpoint, rule in (value or {}).items():
        if endpoint not in (*ENDPOINTS, "*"):
            raise ValueError(
                f"Unknown fault endpoint {endpoint!r}; valid endpoints are: {', '.join(ENDPOINTS)} or '*'."
            )
        rules[endpoint] = FaultRule.coerce(rule)
    return rules


@dataclass(frozen=True)
class Fault:
    """One decision: this request gets ``kind``."""

    kind: str
    retry_after: int
    slow_seconds: float


@dataclass
class FaultPlan:
    """Decides, request by request, whether to misbehave.

    :param rules: Per-endpoint rules; ``*`` applies to endpoints without their own rule.
    :param seed: Seed of the random streams; None draws a fresh seed.
    :param task_error_rate: Fraction of accepted tasks that end in ``taskStatus: Error``.
    """

    rules: dict[str, FaultRule] = field(default_factory=dict)
    seed: int | None = None
    task_error_rate: float = 0.0
    _streams: dict[str, random.Random] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        if not 0.0 <= float(self.task_error_rate) <= 1.0:
            raise ValueError(f"task_error_rate must be between 0 and 1, got {self.task_error_rate!r}.")
        if self.seed is None:
            self.seed = random.SystemRandom().randrange(2**32)

    def _stream(self, name: str) -> random.Random:
        stream = self._streams.get(name)
        if stream is None:
            stream = self._streams[name] = random.Random(f"{self.seed}:{name}")
        return stream

    def pick(self, endpoint: str) -> Fault | None:
        """The fault for this request to ``endpoint``, or None to answer normally."""
        rule = self.rules.get(endpoint) or self.rules.get("*")
        if rule is None or rule.rate <= 0.0:
            return None
        stream = self._stream(endpoint)
        if stream.random() >= rule.rate:
            return None
        return Fault(stream.choice(rule.kinds), rule.retry_after, rule.slow_seconds)

    def task_fails(self) -> bool:
        """Whether the task being accepted now should end in Error."""
        if self.task_error_rate <= 0.0:
            return False
        return self._stream("task-error").random() < self.task_error_rate
