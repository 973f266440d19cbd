"""``sbr-inbox planner run`` and ``workflows list --json`` (docs/contracts.md)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli.conftest import Run
from tests.support.factories import organisation_row

WORKFLOW_KEYS = {
    "id",
    "office",
    "relation_number",
    "product",
    "period_start",
    "period_end",
    "deadline",
    "source",
    "status",
    "return_ids",
}


def test_planner_run_and_workflows_list(sbr_inbox: Run, tmp_path: Path) -> None:
    row = organisation_row(number="1001", products=["aangifte_ob"])
    (tmp_path / "r.json").write_text(json.dumps({"office": "demo", "relations": [row]}))
    assert sbr_inbox("relations", "import", "r.json").returncode == 0
    rule = sbr_inbox(
        "planner",
        "rule",
        "1001",
        "aangifte_ob",
        "--period",
        "quarter",
        "--first-period-start",
        "2026-01-01",
    )
    assert rule.returncode == 0, rule.stderr
    first = sbr_inbox("planner", "run", "--today", "2026-07-15")
    assert "3 workflow(s) made" in first.stdout
    assert "0 workflow(s) made" in sbr_inbox("planner", "run", "--today", "2026-07-15").stdout
    made = sbr_inbox(
        "workflows", "create", "1001", "aangifte_ob", "--start", "2025-10-01", "--end", "2025-12-31"
    )
    assert made.returncode == 0, made.stderr
    records = json.loads(sbr_inbox("workflows", "list", "--json").stdout)
    assert all(set(r) >= WORKFLOW_KEYS for r in records)
    assert [(r["period_start"], r["source"], r["deadline"]) for r in records] == [
        ("2025-10-01", "staff", "2026-01-31"),
        ("2026-01-01", "planner", "2026-04-30"),
        ("2026-04-01", "planner", "2026-07-31"),
        ("2026-07-01", "planner", "2026-10-31"),
    ]
    bad = sbr_inbox("planner", "run", "--today", "15-07-2026")
    assert bad.returncode != 0
    assert "not a date" in bad.stderr
