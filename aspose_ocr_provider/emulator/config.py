"""Everything an emulator run can be told, with defaults that make a quick, well-behaved server.

The same names are the keyword arguments of ``run_emulator``, the CLI flags (with dashes) and the
keys of ``POST /_emulator/config``, so a test and a script configure it the same way.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from aspose_ocr_provider.emulator.faults import FaultRule, parse_fault_rules
from aspose_ocr_provider.models import RETENTION_SECONDS

DEFAULT_CLIENT_ID = "emulator-client-id"
DEFAULT_CLIENT_SECRET = "emulator-client-secret"

RUNTIME_SETTINGS: tuple[str, ...] = (
    "pending_polls",
    "processing_polls",
    "pending_seconds",
    "processing_seconds",
    "retention",
    "token_ttl",
    "token_failure_limit",
    "token_lockout_seconds",
    "fault_seed",
    "faults",
    "task_error_rate",
    "revoke_after",
)
"""Settings that may change while the emulator runs; the others are fixed at start."""


@dataclass(frozen=True)
class EmulatorConfig:
    """Configuration of one emulator.

    :param client_id: The only client id ``/connect/token`` accepts.
    :param client_secret: Its secret (never shown in ``repr``, logs or the admin routes).
    :param engine: Engine name for ``get_engine``: ``fixtures`` (default) or ``local``.
    :param fixtures_dir: Folder of ``<stem>.png`` + ``<stem>.csv`` pairs for the fixtures engine;
        None means the samples shipped inside the package.
    :param engine_options: Extra keyword arguments for the engine.
    :param pending_polls: Status reads (GET result or GetTaskStatus) a task answers ``Pending``.
    :param processing_polls: Status reads it then answers ``Processing``.
    :param pending_seconds: Emulator-clock seconds a task stays at least ``Pending``.
    :param processing_seconds: Seconds it then stays at least ``Processing``. A phase ends when
        both its poll count and its seconds have been reached.
    :param retention: Seconds a task's result can be read; after that it is ``NotExist``.
    :param token_ttl: Lifetime of an access token (``expires_in``).
    :param token_failure_limit: A credential pair that failed more than this many times is locked out (429).
    :param token_lockout_seconds: Length of that lockout, also its ``Retry-After``.
    :param fault_seed: Seed of the fault streams (None: random).
    :param faults: Per-endpoint fault rules, ``{"result": {"rate": 0.2, "kinds": ["500"]}}``.
    :param task_error_rate: Fraction of accepted tasks that end in ``taskStatus: Error``.
    :param revoke_after: Revoke each token early, after this many authorised requests.
    :param workers: Threads that run the engine, off the event loop.
    """

    client_id: str = DEFAULT_CLIENT_ID
    client_secret: str = field(default=DEFAULT_CLIENT_SECRET, repr=False)
    engine: str = "fixtures"
    fixtures_dir: str | None = None
    engine_options: Mapping[str, Any] = field(default_factory=dict)
    pending_polls: int = 1
    processing_polls: int = 1
    pending_seconds: float = 0.0
    processing_seconds: float = 0.0
    retention: float = float(RETENTION_SECONDS)
    token_ttl: float = 3600.0
    token_failure_limit: int = 5
    token_lockout_seconds: float = 600.0
    fault_seed: int | None = None
    faults: Mapping[str, FaultRule] = field(default_factory=dict)
    task_error_rate: float = 0.0
    revoke_after: int | None = None
    workers: int = 4

    def __post_init__(self) -> None:
        if not self.client_id or not self.client_secret:
            raise ValueError("client_id and client_secret must not be empty.")
        object.__setattr__(self, "faults", parse_fault_rules(self.faults))
        for name in ("pending_polls", "processing_polls", "token_failure_limit"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise ValueError(f"{name} must be a whole number >= 0, got {value!r}.")
        for name in ("pending_seconds", "processing_seconds", "token_lockout_seconds"):
            if float(getattr(self, name)) < 0:
                raise ValueError(f"{name} must be >= 0 seconds, got {getattr(self, name)!r}.")
        for name in ("retention", "token_ttl"):
            if float(getattr(self, name)) <= 0:
                raise ValueError(f"{name} must be > 0 seconds, got {getattr(self, name)!r}.")
        if not 0.0 <= float(self.task_error_rate) <= 1.0:
            raise ValueError(f"task_error_rate must be between 0 and 1, got {self.task_error_rate!r}.")
        if self.revoke_after is not None and (
            not isinstance(self.revoke_after, int) or self.revoke_after < 1
        ):
            raise ValueError(
                f"revoke_after must be a whole number of uses >= 1 (or None), got {self.revoke_after!r}."
            )
        if not isinstance(self.workers, int) or self.workers < 1:
            raise ValueError(f"workers must be >= 1, got {self.workers!r}.")

    @classmethod
    def from_kwargs(cls, **kwargs: Any) -> EmulatorConfig:
        _check_names(kwargs, [f.name for f in dataclasses.fields(cls)])
        return cls(**kwargs)

    def with_changes(self, changes: Mapping[str, Any]) -> EmulatorConfig:
        """A copy with run-time ``changes``; start-only settings are refused in words."""
        _check_names(changes, RUNTIME_SETTINGS)
        return dataclasses.replace(self, **dict(changes))

    def public_json(self) -> dict[str, Any]:
        """The configuration without the client secret, for the admin routes."""
        out: dict[str, Any] = {}
        for f in dataclasses.fields(self):
            if f.name == "client_secret":
                continue
            value = getattr(self, f.name)
            if f.name == "faults":
                value = {k: rule.to_json() for k, rule in value.items()}
            elif f.name == "engine_options":
                value = dict(value)
            out[f.name] = value
        return out


def _check_names(values: Mapping[str, Any], allowed: Any) -> None:
    unknown = sorted(set(values) - set(allowed))
    if unknown:
        raise ValueError(
            f"Unknown or fixed emulator setting(s) {unknown}; settable here: {', '.join(allowed)}."
        )
