"""``sbr-inbox relations`` and ``office``: the docs/contracts.md contract, end to end."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli.conftest import Run, run_cli
from tests.support.factories import full_relation, organisation_row


def test_import_export_round_trip_on_each_backend(own_database_url: str, tmp_path: Path) -> None:
    office = "demo"
    document = {"office": office, "relations": [full_relation()]}
    source = tmp_path / "relations.json"
    source.write_text(json.dumps(document), encoding="utf-8")
    run = run_cli(own_database_url, tmp_path)

    imported = run("relations", "import", str(source))
    assert imported.returncode == 0, imported.stderr
    assert f"office {office}: 1 created, 0 updated, 0 unchanged" in imported.stdout

    exported = run("relations", "export", "--office", office, "--output", "out.json")
    assert exported.returncode == 0, exported.stderr
    assert json.loads((tmp_path / "out.json").read_text(encoding="utf-8")) == document

    shown = run("relations", "show", "1001", "--office", office)
    assert shown.returncode == 0, shown.stderr
    for text in ("Jansen Holding B.V.", "NL 0010.00044.B37", "2024-12-31", "UBO/Due Diligence"):
        assert text in shown.stdout


def test_a_rejected_import_lists_every_row_and_exits_1(sbr_inbox: Run, tmp_path: Path) -> None:
    rows = [organisation_row() for _ in range(5)]
    rows[1]["kvk_number"] = "123"
    rows[3]["type"] = "person"
    (tmp_path / "bad.json").write_text(json.dumps({"office": "demo", "relations": rows}))

    completed = sbr_inbox("relations", "import", "bad.json", "--json")
    assert completed.returncode == 1
    report = json.loads(completed.stdout)
    assert report["status"] == "rejected"
    assert [(e["index"], e["number"], e["field"]) for e in report["errors"]] == [
        (1, rows[1]["number"], "kvk_number"),
        (3, rows[3]["number"], "last_name"),
        (3, rows[3]["number"], "legal_form"),
    ]
    assert "nothing was imported" in completed.stderr
    # The import created nothing, not even the office it names.
    assert "no office yet" in sbr_inbox("relations", "export").stderr


def test_csv_import_needs_the_office_and_then_works(sbr_inbox: Run, tmp_path: Path) -> None:
    (tmp_path / "r.csv").write_text(
        "number,type,last_name,fiscal_numbers.0.type,fiscal_numbers.0.value\n"
        "2001,person,Visser,BSN_RSIN,123456782\n",
        encoding="utf-8",
    )
    missing = sbr_inbox("relations", "import", "r.csv")
    assert missing.returncode == 1
    assert "--office" in missing.stderr
    done = sbr_inbox("relations", "import", "r.csv", "--office", "demo", "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["created"] == 1
    shown = sbr_inbox("relations", "show", "2001", "--json")
    assert json.loads(shown.stdout)["fiscal_numbers"][0]["value"] == "123456782"


def test_offices_and_relation_from_contact(sbr_inbox: Run, tmp_path: Path) -> None:
    assert sbr_inbox("office", "add", "demo").returncode == 0
    again = sbr_inbox("office", "add", "demo")
    assert again.returncode == 1
    assert "exists already" in again.stderr
    row = organisation_row(
        number="1001",
        legal_form="eenmanszaak",
        fiscal_numbers=[{"type": "BSN_RSIN", "value": "111222333", "sbr_enabled": True}],
        contacts=[{"number": "1001", "last_name": "Jansen"}],
    )
    (tmp_path / "r.json").write_text(json.dumps({"office": "demo", "relations": [row]}))
    assert sbr_inbox("relations", "import", "r.json").returncode == 0
    created = sbr_inbox("relations", "from-contact", "1001")
    assert created.returncode == 0, created.stderr
    assert "relation 1001-1 created" in created.stdout
    assert "copied from 1001" in created.stderr
    missing = sbr_inbox("relations", "show", "404")
    assert missing.returncode == 1
    assert "no relation '404'" in missing.stderr


def test_a_file_that_is_not_json_gets_a_clear_error(sbr_inbox: Run, tmp_path: Path) -> None:
    (tmp_path / "r.json").write_text("{not json", encoding="utf-8")
    completed = sbr_inbox("relations", "import", "r.json")
    assert completed.returncode == 1
    assert "not valid JSON" in completed.stderr
