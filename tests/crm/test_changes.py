"""Which edits are changes to matching: the facts diff, without a database."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from hypothesis import given
from hypothesis import strategies as st

from crm.changes import NO_FACTS, MatchingFacts, diff_facts, matching_facts
from models import ChangeKind, LegalForm, RelationType
from sbr_parser import IdentifierType

OB = SimpleNamespace(
    type=IdentifierType.OB,
    normalised="001000044B37",
    sbr_enabled=True,
    sbr_start_date=dt.date(2024, 12, 31),
    sbr_ideal=False,
)
BSN = SimpleNamespace(
    type=IdentifierType.BSN_RSIN,
    normalised="001000044",
    sbr_enabled=False,
    sbr_start_date=None,
    sbr_ideal=False,
)


def _facts(
    *numbers: SimpleNamespace,
    legal_form: LegalForm | None = LegalForm.BV,
    relation_type: RelationType = RelationType.ORGANISATION,
    products: tuple[tuple[str, bool, str | None], ...] = (("aangifte_ob", True, None),),
) -> MatchingFacts:
    return matching_facts(relation_type, legal_form, numbers, products)


def test_a_new_relation_changes_each_of_its_numbers() -> None:
    rows = diff_facts(NO_FACTS, _facts(OB, BSN))
    assert [(r.kind, r.normalised, r.detail) for r in rows] == [
        (ChangeKind.FISCAL_NUMBER, "001000044", {"added": True}),
        (ChangeKind.FISCAL_NUMBER, "001000044B37", {"added": True}),
    ]


def test_relation_level_changes_touch_every_number() -> None:
    before = _facts(OB, BSN)
    after = _facts(OB, BSN, legal_form=None, products=())
    rows = diff_facts(before, after)
    assert sorted((r.kind.value, r.normalised) for r in rows) == [
        ("legal_form", "001000044"),
        ("legal_form", "001000044B37"),
        ("product", "001000044"),
        ("product", "001000044B37"),
    ]


@given(
    enabled=st.booleans(),
    start=st.none() | st.dates(),
    ideal=st.booleans(),
)
def test_only_a_real_settings_change_is_a_change(
    enabled: bool, start: dt.date | None, ideal: bool
) -> None:
    changed = SimpleNamespace(
        **{**vars(OB), "sbr_enabled": enabled, "sbr_start_date": start, "sbr_ideal": ideal}
    )
    rows = diff_facts(_facts(OB), _facts(changed))
    same = (enabled, start, ideal) == (OB.sbr_enabled, OB.sbr_start_date, OB.sbr_ideal)
    assert [r.kind for r in rows] == ([] if same else [ChangeKind.SBR_SETTINGS])


def test_an_unchanged_relation_has_no_changes() -> None:
    assert diff_facts(_facts(OB, BSN), _facts(BSN, OB)) == []
