"""The server's door (issue 22, item 2): idle connections that never finish a request's headers
shut out every client (uvicorn counted them against ``--max-connections`` and waited for their
headers for ever). The real ``sbr-inbox serve`` runs here as a subprocess on a loopback port;
the idle clients come from other loopback addresses (Linux routes all of 127/8 to this host).
"""

from __future__ import annotations

import contextlib
import socket
import urllib.error
import urllib.request
from collections.abc import Iterator

from tests.support.harness import Pipeline, free_port, wait_for

#: How long any one socket call may hang before the test gives up (a guard, not a bound).
HANG_GUARD = 120.0


def _serve(pipeline: Pipeline, *args: str, **settings: str) -> int:
    port = free_port()
    for name, value in settings.items():
        pipeline.env[f"SBR_INBOX_{name.upper()}"] = value
    pipeline.start("api", "serve", "--port", str(port), *args)
    wait_for(lambda: _status(port) is not None, 60, "serve to answer (see api.log)")
    return port


def _status(port: int) -> int | None:
    """The status /healthz answers from 127.0.0.1, or None if nothing answers yet."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=10) as answer:
            return int(answer.status)
    except urllib.error.HTTPError as refused:
        return refused.code
    except OSError:
        return None


@contextlib.contextmanager
def _idle(port: int, count: int, source: str, first: bytes = b"") -> Iterator[list[socket.socket]]:
    """``count`` connections from ``source`` that send ``first`` and then nothing."""
    sockets: list[socket.socket] = []
    try:
        for _ in range(count):
            connection = socket.create_connection(
                ("127.0.0.1", port), timeout=HANG_GUARD, source_address=(source, 0)
            )
            sockets.append(connection)
            if first:
                connection.sendall(first)
        yield sockets
    finally:
        for connection in sockets:
            connection.close()


def _closed_by_server(connection: socket.socket) -> bytes:
    """Everything the server sends until it closes the connection (blocks until it does)."""
    received = b""
    while chunk := connection.recv(4096):
        received += chunk
    return received


def test_idle_connections_do_not_shut_out_other_clients(pipeline: Pipeline) -> None:
    port = _serve(pipeline, "--max-connections", "40", header_timeout_seconds="1")
    # Four "clients" with ten connections each: together the whole --max-connections, and
    # each under the per-client cap, so only the header timeout can free them. Half send
    # nothing, half the start of a request whose headers never end (slowloris).
    with contextlib.ExitStack() as stack:
        idle = [
            connection
            for n in range(4)
            for connection in stack.enter_context(
                _idle(
                    port, 10, f"127.0.0.{n + 2}", b"GET / HTTP/1.1\r\nHost: x\r\n" if n % 2 else b""
                )
            )
        ]
        for connection in idle:  # the server closes each once its headers are overdue
            _closed_by_server(connection)
        assert _status(port) == 200


def test_one_client_may_not_hold_every_connection(pipeline: Pipeline) -> None:
    port = _serve(
        pipeline,
        "--max-connections",
        "30",
        header_timeout_seconds="3600",  # out of the way: this test is about the cap alone
        max_connections_per_client="10",
    )
    with _idle(port, 30, "127.0.0.2") as idle:
        # Past its ten, each new connection of that client is told so and closed at once.
        refused = [_closed_by_server(connection) for connection in idle[10:]]
        assert all(answer.startswith(b"HTTP/1.1 503") for answer in refused)
        assert _status(port) == 200  # another client is served, the ten still open
        for connection in idle[:10]:
            connection.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            assert _closed_by_server(connection).startswith(b"HTTP/1.1 200")
