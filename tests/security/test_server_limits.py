"""The server's door (issue 22, item 2): idle connections that never finish a request's headers
shut out every client (uvicorn counted them against ``--max-connections`` and waited for their
headers for ever). The real ``sbr-inbox serve`` runs here as a subprocess on a loopback port;
the idle clients come from other loopback addresses (Linux routes all of 127/8 to this host).

docker-compose.yml puts Caddy (deploy/Caddyfile) in front of ``serve``; the last tests run that
Caddyfile with the real ``caddy`` (Debian's package) before a real ``serve``, with the
addresses compose gives it replaced by loopback ports through the file's own variables.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT
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


def _status(port: int, path: str = "/healthz", headers: dict[str, str] | None = None) -> int | None:
    """The status ``path`` answers from 127.0.0.1, or None if nothing answers yet."""
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310 - http only
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


CADDYFILE = REPO_ROOT / "deploy" / "Caddyfile"


def _caddy() -> str:
    found = shutil.which("caddy")
    if found is None:
        pytest.fail("caddy is missing: apt-get install caddy (.ci/run does)")
    return found


def _proxy(pipeline: Pipeline, upstream: int, header_timeout: str = "10s") -> int:
    """Caddy on deploy/Caddyfile with the caddy:2 image's own command, in front of ``serve``
    at port ``upstream``; its port, once it answers /healthz."""
    caddy = _caddy()
    port = free_port()
    home = pipeline.work_dir / "caddy"
    home.mkdir()
    env = {
        "PATH": os.environ["PATH"],
        # Caddy keeps its certificates and autosaved config under these: the test's own.
        "HOME": str(home),
        "XDG_DATA_HOME": str(home / "data"),
        "XDG_CONFIG_HOME": str(home / "config"),
        # In compose: the public name (TLS), the api's service name, 10 s, localhost:2019.
        "SITE_ADDRESS": f"http://127.0.0.1:{port}",
        "API_ADDRESS": f"127.0.0.1:{upstream}",
        "HEADER_TIMEOUT": header_timeout,
        "ADMIN_ADDRESS": "off",  # tests running at once would all want :2019
    }
    log_path = pipeline.work_dir / "proxy.log"
    with log_path.open("ab") as log:
        process = subprocess.Popen(  # noqa: S603 - our own arguments
            [caddy, "run", "--config", str(CADDYFILE), "--adapter", "caddyfile"],
            cwd=home,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    pipeline.processes["proxy"] = process  # stopped with the rest by the fixture

    def answers() -> bool:
        if process.poll() is not None:
            pytest.fail(f"caddy exited ({process.returncode}):\n{log_path.read_text()}")
        return _status(port) is not None

    wait_for(answers, 60, "caddy to answer (see proxy.log)")
    return port


def _client_address_seen(pipeline: Pipeline, path: str) -> str:
    """The client address ``serve`` gave the request for ``path``, from its access log.

    uvicorn logs the address of the request's scope after ``--forwarded-allow-ips`` applied
    X-Forwarded-For: the one ``request.client`` gives the sign-in throttle.
    """
    pattern = re.compile(rf'(\S+):\d+ - "GET {re.escape(path)} HTTP')
    found: list[str] = []

    def logged() -> bool:
        found[:] = pattern.findall((pipeline.work_dir / "api.log").read_text())
        return bool(found)

    wait_for(logged, 60, f"serve to log {path} (see api.log)")
    (address,) = found
    return address


def test_the_proxy_keeps_metrics_inside_and_passes_on_the_callers_address(
    pipeline: Pipeline,
) -> None:
    token = secrets.token_urlsafe(32)
    app = _serve(pipeline, "--forwarded-allow-ips", "127.0.0.1", metrics_token=token)
    proxy = _proxy(pipeline, app)
    assert _status(proxy) == 200
    bearer = {"Authorization": f"Bearer {token}"}
    assert _status(app, "/metrics", bearer) == 200  # the token is right ...
    for path in ("/metrics", "/metrics?format=text", "/%6detrics", "/metrics/"):
        assert _status(proxy, path, bearer) == 404, path  # ... and outside gets nothing
    # A caller at 127.0.0.2 claiming to forward for someone else: Caddy replaces the header,
    # and the app, trusting it from the proxy alone, sees the caller (not the proxy, 127.0.0.1).
    path = f"/healthz?probe={secrets.token_hex(8)}"
    connection = http.client.HTTPConnection(
        "127.0.0.1", proxy, timeout=HANG_GUARD, source_address=("127.0.0.2", 0)
    )
    try:
        connection.request("GET", path, headers={"X-Forwarded-For": "203.0.113.9"})
        assert connection.getresponse().status == 200
    finally:
        connection.close()
    assert _client_address_seen(pipeline, path) == "127.0.0.2"


def test_the_proxy_closes_connections_that_send_no_headers(pipeline: Pipeline) -> None:
    app = _serve(pipeline)
    proxy = _proxy(pipeline, app, header_timeout="1s")
    # One client sends nothing, another the start of a request whose headers never end.
    with (
        _idle(proxy, 3, "127.0.0.2") as silent,
        _idle(proxy, 3, "127.0.0.3", b"GET /healthz HTTP/1.1\r\nHost: x\r\n") as slow,
    ):
        for connection in [*silent, *slow]:  # Caddy closes each once its headers are overdue
            _closed_by_server(connection)
        assert _status(proxy) == 200


@pytest.mark.service
def test_compose_gets_the_caddyfile_it_was_written_for(tmp_path: Path) -> None:
    """The variables the tests set are unset in compose (only SITE_ADDRESS is passed): their
    defaults are the compose network's api, a 10 s header timeout and Caddy's own admin
    address (its default when none is named)."""
    adapted = subprocess.run(  # noqa: S603 - our own arguments
        [_caddy(), "adapt", "--config", str(CADDYFILE), "--adapter", "caddyfile"],
        env={"PATH": os.environ["PATH"], "HOME": str(tmp_path), "SITE_ADDRESS": "inbox.example.nl"},
        capture_output=True,
        check=True,
    )
    config = json.loads(adapted.stdout)
    assert config.get("admin", {}).get("listen", "localhost:2019") == "localhost:2019"
    (server,) = config["apps"]["http"]["servers"].values()
    assert server["listen"] == [":443"]
    assert server["read_header_timeout"] == 10 * 10**9  # nanoseconds
    assert server["routes"][0]["match"] == [{"host": ["inbox.example.nl"]}]
    assert '"dial": "api:8000"' in json.dumps(server)
