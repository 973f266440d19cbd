"""Sign-in throttling: wrong passwords slow guessing down, without letting anyone lock a member
out.

The audit guessed 60 passwords in 27 s and then signed in. Each account may fail ``free`` times
in ``window``; after that an attempt must wait twice as long as the one before (1 s, 2 s, 4 s
... up to ``max_wait``), and an attempt made too early is refused without checking the password
(so it costs no hashing either). A success clears the account's count.

The second audit kept a member out for good by guessing the moment each wait ended: the wait
ran from the account's last failure, which the attacker renewed. Now every client (an IPv4
address, or an IPv6 /64: one host holds a whole /64) waits its own turn per account: the wait's
*length* comes from the account's failures, but each client's turn is its own: it is set when
the client last failed at the account, or when it was first refused, and stays put. A member
told "try again in N seconds" is checked after N seconds, whatever others tried meanwhile, and
each client's guesses stay slow. The turns are keyed per (client, e-mail), so one member's
typing errors, or someone in the same office network, never shut out the office's other members
behind one NAT address.

What that costs: an attacker with many addresses (many /64s) gets a guess per address per
wait, up to ``max_wait`` (15 min) apart; against passwords of 10+ characters behind a slow hash
that stays far below what guessing needs, and it is the price of never locking a member out.

Counts live in this API process (bounded: the oldest keys are forgotten past ``max_keys``). With
several API processes each keeps its own, which multiplies an attacker's allowance by their
number but keeps the backoff; behind a reverse proxy, run ``serve --forwarded-allow-ips`` with
the proxy's address so the client is the caller, not the proxy (docker-compose.yml does).
"""

from __future__ import annotations

import ipaddress
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

__all__ = ["SignInThrottle", "client_network"]

_K = TypeVar("_K")
_V = TypeVar("_V")


def client_network(host: str) -> str:
    """The client a throttle counts: an IPv4 address, or the /64 an IPv6 address is in (an
    IPv4 address written as IPv6 is the IPv4 address; a name that is no address, itself).

    >>> client_network("2001:db8:1:2::99"), client_network("::ffff:192.0.2.1")
    ('2001:db8:1:2::/64', '192.0.2.1')
    """
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((address, 64), strict=False))
    return str(address)


@dataclass
class _Failures:
    count: int
    last: float


@dataclass
class SignInThrottle:
    """Counts failed sign-ins per account and the turns of each client at each account."""

    free: int = 5
    window: float = 15 * 60
    max_wait: float = 15 * 60
    max_keys: int = 10_000
    clock: Callable[[], float] = time.monotonic
    _failures: OrderedDict[str, _Failures] = field(default_factory=OrderedDict)
    #: (e-mail, client) -> when that client may next try that account (while it is throttled).
    _turns: OrderedDict[tuple[str, str], float] = field(default_factory=OrderedDict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def wait_seconds(self, email: str, host: str) -> float:
        """How long the client at ``host`` must still wait before trying ``email`` (0: may try
        now). A first refusal sets the client's turn; asking again early does not move it."""
        account, turn = self._keys(email, host)
        now = self.clock()
        with self._lock:
            wait = self._wait(account, now)
            if wait == 0:
                return 0.0
            due = self._turns.get(turn)
            if due is None:
                due = now + wait
                self._remember(self._turns, turn, due)
            return max(0.0, due - now)

    def failed(self, email: str, host: str) -> None:
        """Count a checked, failed attempt: the account's wait grows, and the client's next
        turn is that wait away."""
        account, turn = self._keys(email, host)
        now = self.clock()
        with self._lock:
            entry = self._failures.pop(account, None)
            if entry is None or now - entry.last > self.window:
                entry = _Failures(0, now)
            entry.count += 1
            entry.last = now
            self._remember(self._failures, account, entry)
            self._turns.pop(turn, None)
            self._remember(self._turns, turn, now + self._wait(account, now))

    def succeeded(self, email: str, host: str) -> None:
        """Forget the account's failures and this client's turn."""
        account, turn = self._keys(email, host)
        with self._lock:
            self._failures.pop(account, None)
            self._turns.pop(turn, None)

    @staticmethod
    def _keys(email: str, host: str) -> tuple[str, tuple[str, str]]:
        account = email.strip().lower()
        return account, (account, client_network(host))

    def _remember(self, table: OrderedDict[_K, _V], key: _K, value: _V) -> None:
        table[key] = value
        while len(table) > self.max_keys:
            table.popitem(last=False)

    def _wait(self, account: str, now: float) -> float:
        """How long a client waits between attempts at ``account`` now (0: no throttle)."""
        entry = self._failures.get(account)
        if entry is None or now - entry.last > self.window:
            return 0.0
        over = entry.count - self.free
        if over < 0:
            return 0.0
        return min(2.0**over, self.max_wait)
