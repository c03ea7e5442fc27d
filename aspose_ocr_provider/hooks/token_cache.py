"""Process-wide cache of bearer tokens, so every hook in a worker or triggerer shares one token.

A token is good for ``expires_in`` seconds (3600 on the real service); fetching one per request
would double the calls and count against the credential lockout. Entries are keyed by token URL,
client id and a hash of the secret, so two connections never share a token and a changed secret
gets a new one. Only one fetch per key runs at a time: a lock per key for threads, and an asyncio
lock per key and event loop for coroutines.
"""

from __future__ import annotations

import asyncio
import threading
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field

REFRESH_MARGIN_MAX = 60.0
"""At most this many seconds before ``expires_in`` runs out, the token is renewed."""


@dataclass(frozen=True)
class CachedToken:
    """A bearer token and the monotonic time after which it is no longer used."""

    access_token: str = field(repr=False)
    refresh_at: float

    def __repr__(self) -> str:
        return f"CachedToken(access_token='***', refresh_at={self.refresh_at:.1f})"


class TokenCache:
    """Thread-safe and asyncio-safe store of tokens by key.

    :param clock: Monotonic seconds (replaceable for tests of expiry).
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._tokens: dict[str, CachedToken] = {}
        self._guard = threading.Lock()
        self._fetch_locks: dict[str, threading.Lock] = {}
        self._async_locks: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[str, asyncio.Lock]] = (
            weakref.WeakKeyDictionary()
        )

    def get(self, key: str) -> str | None:
        """The cached token for ``key`` while it is not due for renewal, else None."""
        with self._guard:
            entry = self._tokens.get(key)
            if entry is None:
                return None
            if self.clock() >= entry.refresh_at:
                del self._tokens[key]
                return None
            return entry.access_token

    def store(self, key: str, access_token: str, expires_in: float) -> None:
        """Keep ``access_token`` until shortly before ``expires_in`` seconds from now."""
        margin = min(REFRESH_MARGIN_MAX, max(0.0, expires_in) * 0.1)
        with self._guard:
            self._tokens[key] = CachedToken(access_token, self.clock() + max(0.0, expires_in) - margin)

    def invalidate(self, key: str, access_token: str | None = None) -> None:
        """Forget the token of ``key``; with ``access_token``, only if it is still that one.

        Many requests may fail with 401 on the same revoked token; only the first should cause a
        new fetch, so a token someone already replaced is left alone.
        """
        with self._guard:
            entry = self._tokens.get(key)
            if entry is not None and (access_token is None or entry.access_token == access_token):
                del self._tokens[key]

    def clear(self) -> None:
        with self._guard:
            self._tokens.clear()

    def forget_server(self, token_url: str) -> None:
        """Forget every token fetched from ``token_url``: a server started anew at an address an
        earlier one used (a test emulator on a reused port) never issued them."""
        prefix = f"{token_url}\x00"
        with self._guard:
            for key in [k for k in self._tokens if k.startswith(prefix)]:
                del self._tokens[key]

    def fetch_lock(self, key: str) -> threading.Lock:
        """The lock a thread holds while it fetches the token of ``key``."""
        with self._guard:
            lock = self._fetch_locks.get(key)
            if lock is None:
                lock = self._fetch_locks[key] = threading.Lock()
            return lock

    def async_fetch_lock(self, key: str) -> asyncio.Lock:
        """The lock a coroutine of the running loop holds while it fetches the token of ``key``."""
        loop = asyncio.get_running_loop()
        with self._guard:
            locks = self._async_locks.get(loop)
            if locks is None:
                locks = self._async_locks[loop] = {}
            lock = locks.get(key)
            if lock is None:
                lock = locks[key] = asyncio.Lock()
            return lock


TOKEN_CACHE = TokenCache()
"""The one cache every hook of this process uses."""
