"""Sign-in throttling: wrong passwords slow down per account and per address.

The audit guessed 60 passwords in 27 s and then signed in. Now each account, and each client
address, may fail ``free`` times in ``window``; after that every further attempt must wait
twice as long as the one before (1 s, 2 s, 4 s ... up to ``max_wait``), and an attempt made too
early is refused without checking the password (so it costs no hashing either). A success
clears the account's count. Addresses get a larger allowance than accounts: an office behind one
NAT address has many honest members.

Counts live in this API process (bounded: the oldest keys are forgotten past ``max_keys``). With
several API processes each keeps its own, which multiplies an attacker's allowance by their
number but keeps the backoff; behind a reverse proxy, run uvicorn with ``--proxy-headers`` and
``--forwarded-allow-ips`` so the address is the client's, not the proxy's.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field

__all__ = ["SignInThrottle"]


@dataclass
class _Failures:
    count: int
    last: float


@dataclass
class SignInThrottle:
    """Counts failed sign-ins per key (``account:<e-mail>``, ``address:<ip>``)."""

    free: dict[str, int] = field(default_factory=lambda: {"account": 5, "address": 20})
    window: float = 15 * 60
    max_wait: float = 15 * 60
    max_keys: int = 10_000
    clock: Callable[[], float] = time.monotonic
    _failures: OrderedDict[str, _Failures] = field(default_factory=OrderedDict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def wait_seconds(self, *keys: str) -> float:
        """How long the caller must still wait before trying ``keys`` (0: may try now)."""
        now = self.clock()
        with self._lock:
            return max((self._wait(key, now) for key in keys), default=0.0)

    def failed(self, *keys: str) -> None:
        """Count a failed attempt against each key."""
        now = self.clock()
        with self._lock:
            for key in keys:
                entry = self._failures.pop(key, None)
                if entry is None or now - entry.last > self.window:
                    entry = _Failures(0, now)
                entry.count += 1
                entry.last = now
                self._failures[key] = entry
                while len(self._failures) > self.max_keys:
                    self._failures.popitem(last=False)

    def succeeded(self, *keys: str) -> None:
        """Forget the failures of ``keys``."""
        with self._lock:
            for key in keys:
                self._failures.pop(key, None)

    def _wait(self, key: str, now: float) -> float:
        entry = self._failures.get(key)
        if entry is None or now - entry.last > self.window:
            return 0.0
        over = entry.count - self.free.get(key.split(":", 1)[0], 5)
        if over < 0:
            return 0.0
        wait = min(2.0**over, self.max_wait)
        return max(0.0, entry.last + wait - now)
