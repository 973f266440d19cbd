"""``sbr-inbox ingest``, ``process --until-idle`` and ``returns``, per docs/contracts.md."""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path

from sbr_parser import message_builder as build
from tests.cli.conftest import Run, run_cli
from tests.support.factories import jansen_holding

RECORD_KEYS = {
    "id",
    "office",
    "file",
    "sha256",
    "status",
    "reason",
    "kind",
    "identifier",
    "period_start",
    "period_end",
    "relation_number",
    "version",
    "workflow_id",
    "workflow_started",
    "filed",
    "duplicate_of",
}
RELATIONS = {
    "office": "demo",
    "relations": [jansen_holding(sbr_enabled=False)],
}


def _messages(folder: Path) -> None:
    folder.mkdir()
    q1 = (dt.date(2026, 1, 1), dt.date(2026, 3, 31))
    (folder / "a-ob.xbrl").write_bytes(build.ob_return("001000044B37", *q1))
    (folder / "b-ob-again.xbrl").write_bytes(build.ob_return("001000044B37", *q1))
    (folder / "c-junk.txt").write_bytes(b"hello")


def test_ingest_process_list_and_re_decide(own_database_url: str, tmp_path: Path) -> None:
    run: Run = run_cli(own_database_url, tmp_path)
    relations = copy.deepcopy(RELATIONS)
    (tmp_path / "relations.json").write_text(json.dumps(relations))
    assert run("relations", "import", "relations.json").returncode == 0
    _messages(tmp_path / "inbox")

    ingested = run("ingest", "inbox", "--office", "demo")
    assert ingested.returncode == 0, ingested.stderr
    ids = [int(line) for line in ingested.stdout.split()]
    assert len(ids) == 3

    processed = run("process", "--until-idle")
    assert processed.returncode == 0, processed.stderr
    assert "processed 3 return(s)" in processed.stdout

    listed = run("returns", "list", "--json")
    records = {r["file"]: r for r in json.loads(listed.stdout)}
    assert all(set(r) >= RECORD_KEYS for r in records.values())
    assert (records["a-ob.xbrl"]["status"], records["a-ob.xbrl"]["reason"]) == (
        "unmatched",
        "sbr_disabled",
    )
    assert records["b-ob-again.xbrl"]["status"] == "duplicate"
    assert records["b-ob-again.xbrl"]["duplicate_of"] == records["a-ob.xbrl"]["id"]
    assert (records["c-junk.txt"]["status"], records["c-junk.txt"]["reason"]) == (
        "rejected",
        "parse_error",
    )

    # Switch SBR on through the import (a change): the embedded worker re-decides the waiting
    # return right away, with no staff action.
    relations["relations"][0]["fiscal_numbers"][0]["sbr_enabled"] = True  # type: ignore[index]
    (tmp_path / "relations.json").write_text(json.dumps(relations))
    reimported = run("relations", "import", "relations.json")
    assert "1 waiting return(s) decided again" in reimported.stdout
    assert "0 return(s) decided again" in run("process", "--until-idle").stdout
    shown = json.loads(run("returns", "show", str(records["a-ob.xbrl"]["id"]), "--json").stdout)
    assert (shown["status"], shown["relation_number"], shown["version"]) == ("matched", "1001", 1)
    # The embedded worker ran both effects of the new match.
    assert (shown["workflow_started"], shown["filed"]) == (True, True)
    assert [e["trigger"] for e in shown["history"]] == ["received", "change"]
    matched = json.loads(run("returns", "list", "--status", "matched", "--json").stdout)
    assert [r["id"] for r in matched] == [shown["id"]]


def test_returns_show_of_an_unknown_id(sbr_inbox: Run) -> None:
    assert sbr_inbox("office", "add", "demo").returncode == 0
    completed = sbr_inbox("returns", "show", "999")
    assert completed.returncode == 1
    assert "no return 999" in completed.stderr
