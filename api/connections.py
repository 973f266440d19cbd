"""What a TCP connection may hold of ``sbr-inbox serve`` before it is a request (issue 22,
item 2).

uvicorn counts every open connection against ``--max-connections`` and, on a new connection,
waits for the first request's headers for ever (its keep-alive timeout runs only after a
response, and any byte received stops it). The audit held 200 idle connections and every
client, ``/healthz`` included, got 503. This HTTP protocol is uvicorn's h11 protocol with two
bounds more:

* **Header timeout.** A connection must deliver a request's complete headers within
  ``SBR_INBOX_HEADER_TIMEOUT_SECONDS`` of opening, or of its previous response (keep-alive);
  bytes trickling in do not extend that (slowloris). Then it is closed. A body is the
  endpoint's business (the intake has its own read timeout).
* **Connections per client.** A client (an IPv4 address or an IPv6 /64, as the sign-in
  throttle counts them) may hold ``SBR_INBOX_MAX_CONNECTIONS_PER_CLIENT`` connections; a further
  one is answered 503 and closed at once, so one client cannot take every slot. The reverse
  proxy named by ``--forwarded-allow-ips`` is exempt: it carries every client's requests, and
  bounds its own clients.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
from collections import Counter
from typing import ClassVar

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

from api.throttle import client_network

__all__ = ["guarded_protocol"]

log = logging.getLogger(__name__)

_REFUSAL = b"too many connections from this address\n"
_TOO_MANY = (
    b"HTTP/1.1 503 Service Unavailable\r\ncontent-type: text/plain; charset=utf-8\r\n"
    b"connection: close\r\ncontent-length: %d\r\n\r\n%s" % (len(_REFUSAL), _REFUSAL)
)
_Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class _GuardedH11Protocol(H11Protocol):
    """uvicorn's h11 protocol with a header timeout and a per-client connection cap."""

    header_timeout: ClassVar[float]
    per_client: ClassVar[int]
    #: Peers exempt from the cap (the reverse proxy); None: every peer is.
    exempt: ClassVar[tuple[_Network, ...] | None]
    #: Open connections per client, of this server (one per process).
    open_per_client: ClassVar[Counter[str]]

    _header_timer: asyncio.TimerHandle | None = None
    _counted_as: str | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        host = self.client[0] if self.client else None
        if host is not None and not self._is_exempt(host):
            client = client_network(host)
            if self.open_per_client[client] >= self.per_client:
                log.warning("%s holds %d connections already; refused one", client, self.per_client)
                transport.write(_TOO_MANY)
                transport.close()
                return
            self.open_per_client[client] += 1
            self._counted_as = client
        self._await_headers()

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_header_timer()
        if self._counted_as is not None:
            self.open_per_client[self._counted_as] -= 1
            if self.open_per_client[self._counted_as] <= 0:
                del self.open_per_client[self._counted_as]
            self._counted_as = None
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        self._await_headers()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._await_headers()

    def _await_headers(self) -> None:
        """Run the header timer exactly while the connection waits for a request's headers."""
        if self.transport.is_closing() or self.conn.their_state is not h11.IDLE:
            self._stop_header_timer()
        elif self._header_timer is None:  # a running timer is not restarted by more bytes
            self._header_timer = self.loop.call_later(self.header_timeout, self._headers_overdue)

    def _stop_header_timer(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _headers_overdue(self) -> None:
        self._header_timer = None
        if not self.transport.is_closing() and self.conn.their_state is h11.IDLE:
            self.transport.close()

    def _is_exempt(self, host: str) -> bool:
        if self.exempt is None:
            return True
        try:
            address = ipaddress.ip_address(host)
        except ValueError:
            return False
        return any(address in network for network in self.exempt)


def guarded_protocol(
    *, header_timeout: float, per_client: int, proxies: str | None
) -> type[H11Protocol]:
    """The HTTP protocol class for uvicorn's ``http=``: headers within ``header_timeout``
    seconds, at most ``per_client`` connections per client but from ``proxies`` (uvicorn's
    ``--forwarded-allow-ips`` list: addresses or networks, comma-separated, ``*`` for all)."""
    entries = [entry.strip() for entry in (proxies or "").split(",") if entry.strip()]
    exempt = None if "*" in entries else tuple(_network(entry) for entry in entries)
    return type(
        "GuardedH11Protocol",
        (_GuardedH11Protocol,),
        {
            "header_timeout": header_timeout,
            "per_client": per_client,
            "exempt": exempt,
            "open_per_client": Counter(),
        },
    )


def _network(entry: str) -> _Network:
    try:
        return ipaddress.ip_network(entry, strict=False)
    except ValueError as error:
        raise ValueError(f"--forwarded-allow-ips: {entry!r} is no address or network") from error
