"""Client-credential checks and bearer tokens, as ``/connect/token`` and the JWT guard behave.

Tokens live only in memory and on the emulator's clock, so a test can expire or revoke them
without waiting. Failed credential attempts are counted per credential pair (by a hash, never the
secret itself), like the real service's lockout after repeated 400s.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass

from aspose_ocr_provider.emulator.clock import Clock


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


@dataclass
class _Token:
    expires_at: float
    uses: int = 0


class TokenStore:
    """Issues JWT-shaped bearer tokens and says whether one is still good.

    :param clock: The emulator clock that decides expiry.
    :param ttl: Token lifetime in seconds (``expires_in``).
    :param revoke_after: Revoke a token after this many authorised uses; None never.
    """

    def __init__(self, clock: Clock, ttl: float, revoke_after: int | None = None) -> None:
        self.clock = clock
        self.ttl = ttl
        self.revoke_after = revoke_after
        self._key = secrets.token_bytes(32)
        self._tokens: dict[str, _Token] = {}
        self.issued = 0

    def issue(self, client_id: str) -> tuple[str, int]:
        """A new token and its ``expires_in``; the shape is a HS256 JWT so clients that peek can."""
        now = self.clock.now()
        ttl = int(self.ttl)
        header = _b64url(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
        payload = _b64url(
            json.dumps(
                {"client_id": client_id, "iat": int(now), "exp": int(now) + ttl, "jti": secrets.token_hex(8)}
            ).encode()
        )
        signature = _b64url(hmac.new(self._key, f"{header}.{payload}".encode(), hashlib.sha256).digest())
        token = f"{header}.{payload}.{signature}"
        self._purge(now)
        self._tokens[token] = _Token(expires_at=now + self.ttl)
        self.issued += 1
        return token, ttl

    def accept(self, token: str) -> bool:
        """Whether ``token`` authorises this request; counts the use for ``revoke_after``."""
        entry = self._tokens.get(token)
        if entry is None:
            return False
        if self.clock.now() >= entry.expires_at:
            del self._tokens[token]
            return False
        if self.revoke_after is not None and entry.uses >= self.revoke_after:
            del self._tokens[token]
            return False
        entry.uses += 1
        return True

    def revoke_all(self) -> int:
        """Invalidate every token at once; returns how many were live."""
        count = len(self._tokens)
        self._tokens.clear()
        return count

    def _purge(self, now: float) -> None:
        if len(self._tokens) > 1024:
            for token in [t for t, e in self._tokens.items() if e.expires_at <= now]:
                del self._tokens[token]


class CredentialGuard:
    """Counts failed token requests per credential pair and locks a pair out for a while.

    :param clock: The emulator clock.
    :param limit: Once a pair has failed more than this many times (each a 400), it is locked out
        (the service says "more than 5").
    :param lockout_seconds: Lockout length, also sent as ``Retry-After`` (the service says 600).
    """

    def __init__(self, clock: Clock, limit: int = 5, lockout_seconds: float = 600.0) -> None:
        self.clock = clock
        self.limit = limit
        self.lockout_seconds = lockout_seconds
        self._failures: dict[str, int] = {}
        self._locked_until: dict[str, float] = {}

    @staticmethod
    def _key(client_id: str, client_secret: str) -> str:
        return hashlib.sha256(f"{client_id}\x00{client_secret}".encode()).hexdigest()

    def locked_for(self, client_id: str, client_secret: str) -> float:
        """Seconds this pair stays locked out; 0 when it may try."""
        key = self._key(client_id, client_secret)
        until = self._locked_until.get(key)
        if until is None:
            return 0.0
        remaining = until - self.clock.now()
        if remaining <= 0:
            del self._locked_until[key]
            self._failures.pop(key, None)
            return 0.0
        return remaining

    def record_failure(self, client_id: str, client_secret: str) -> None:
        key = self._key(client_id, client_secret)
        count = self._failures.get(key, 0) + 1
        self._failures[key] = count
        if count > self.limit:
            self._locked_until[key] = self.clock.now() + self.lockout_seconds


def credentials_match(client_id: str, client_secret: str, expected_id: str, expected_secret: str) -> bool:
    """Constant-time comparison of both parts, so timing does not leak which one was wrong."""
    id_ok = hmac.compare_digest(client_id.encode(), expected_id.encode())
    secret_ok = hmac.compare_digest(client_secret.encode(), expected_secret.encode())
    return id_ok and secret_ok
