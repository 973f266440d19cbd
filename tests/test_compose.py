"""docker-compose.yml runs only commands this CLI has, with settings this app reads.

No Docker engine runs here, so the compose file is checked by reading it: every application
service runs an existing ``sbr-inbox`` command, every ``SBR_INBOX_`` variable it sets is a
setting, and the processes docs/architecture.md names are all there.
"""

from __future__ import annotations

from typing import Any

import yaml

from cli.lazy import load
from cli.main import COMMANDS
from config import Settings
from tests.conftest import REPO_ROOT


def _compose() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((REPO_ROOT / "docker-compose.yml").read_text())
    return data


def test_every_process_of_the_design_is_a_service() -> None:
    services = set(_compose()["services"])
    assert {"postgres", "redis", "migrate", "worker", "beat", "api", "flower"} <= services


def test_application_services_run_existing_commands_with_known_settings() -> None:
    commands = {entry.name: entry for entry in COMMANDS}
    known = {f"SBR_INBOX_{name.upper()}" for name in Settings.model_fields}
    for name, service in _compose()["services"].items():
        if "build" not in service:
            continue
        command = service["command"]
        assert command[0] in commands, f"{name}: no `sbr-inbox {command[0]}`"
        if command[0] == "db":
            assert command[1] in load(commands["db"]).commands  # type: ignore[attr-defined]
        unknown = {key for key in service["environment"] if key.startswith("SBR_INBOX_")} - known
        assert not unknown, f"{name} sets unknown settings {unknown}"


def _published_addresses(service: dict[str, Any]) -> list[str]:
    """The host address each published port of a service listens on ("" for every address)."""
    addresses = []
    for port in service.get("ports", []):
        parts = str(port).split(":")
        addresses.append(parts[0] if len(parts) == 3 else "")
    return addresses


def test_the_app_is_reached_only_through_the_reverse_proxy() -> None:
    """Issue 22, items 2 and 7: the API was published on every address, straight to uvicorn,
    and without the proxy's address the sign-in throttle saw one client for everyone."""
    services = _compose()["services"]
    proxy = services["proxy"]
    assert "build" not in proxy  # a stock reverse proxy image, not this app
    assert proxy["ports"]  # the one public door
    for name, service in services.items():
        if "build" in service:
            assert all(
                address in {"127.0.0.1", "[::1]"} for address in _published_addresses(service)
            ), f"{name} is published beyond this host"
    command = services["api"]["command"]
    assert "--forwarded-allow-ips" in command
    proxy_address = command[command.index("--forwarded-allow-ips") + 1]
    networks = proxy["networks"]
    assert any(
        isinstance(setting, dict) and setting.get("ipv4_address") == proxy_address
        for setting in networks.values()
    ), "--forwarded-allow-ips must name the proxy's fixed address"
    # Unset in compose, API_ADDRESS defaults to the api service's port (the real Caddy runs
    # this file in tests/security/test_server_limits.py).
    caddyfile = (REPO_ROOT / "deploy" / "Caddyfile").read_text()
    port = command[command.index("--port") + 1]
    assert f"reverse_proxy {{$API_ADDRESS:api:{port}}}" in caddyfile
    assert "read_header" in caddyfile
