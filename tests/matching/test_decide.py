"""The eight rules of docs/domain.md (matching rules), per rule and reason, for all six kinds."""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from matching.decide import Candidate, ProductRef, ReturnFacts, decide, decide_for_relation
from matching.rules import KIND_RULES
from models import LegalForm, RelationType, UnmatchedReason
from models.catalogue import CATALOGUE
from sbr_parser import ReturnKind

ALL_KINDS = list(ReturnKind)
Q1 = (dt.date(2026, 1, 1), dt.date(2026, 3, 31))
PRODUCTS = tuple(
    ProductRef(product_id=n, code=spec.code, kinds=tuple(k.value for k in spec.kinds), active=True)
    for n, spec in enumerate(CATALOGUE, start=1)
)
ORG = RelationType.ORGANISATION
PERSON = RelationType.PERSON


def facts(kind: ReturnKind, *, valid: bool = True, start: dt.date = Q1[0]) -> ReturnFacts:
    return ReturnFacts(kind, "111222333", valid, start, Q1[1])


def candidate(
    number: str = "1001",
    relation_type: RelationType = ORG,
    legal_form: LegalForm | None = LegalForm.BV,
    *,
    enabled: bool = True,
    start: dt.date | None = dt.date(2025, 12, 31),
    ideal: bool = False,
    products: tuple[ProductRef, ...] = PRODUCTS,
    name: str = "Jansen Holding B.V.",
    relation_id: int | None = None,
) -> Candidate:
    return Candidate(
        relation_id=relation_id if relation_id is not None else int(number.replace("-", "")),
        relation_number=number,
        relation_name=name,
        relation_type=relation_type,
        legal_form=None if relation_type is PERSON else legal_form,
        sbr_enabled=enabled,
        sbr_start_date=start,
        sbr_ideal=ideal,
        products=products,
    )


def receiver(kind: ReturnKind, **changes: Any) -> Candidate:
    """A relation that can receive ``kind``: a person for IB, a BV otherwise."""
    if kind is ReturnKind.IB:
        return candidate("1001-1", PERSON, name="J. Jansen", **changes)
    return candidate(**changes)


@pytest.mark.parametrize("kind", ALL_KINDS)
def test_rule_1_a_number_failing_its_check(kind: ReturnKind) -> None:
    decision = decide(facts(kind, valid=False), [receiver(kind)])
    assert (decision.rule, decision.reason) == (1, UnmatchedReason.INVALID_IDENTIFIER)


@pytest.mark.parametrize("kind", ALL_KINDS)
def test_rule_2_no_relation_has_the_number(kind: ReturnKind) -> None:
    decision = decide(facts(kind), [])
    assert (decision.rule, decision.reason) == (2, UnmatchedReason.NO_RELATION)
    assert "111222333" in decision.explanation_nl


@pytest.mark.parametrize("kind", [k for k in ALL_KINDS if k is not ReturnKind.IB])
def test_rule_3_an_organisation_without_legal_form(kind: ReturnKind) -> None:
    decision = decide(facts(kind), [candidate(legal_form=None)])
    assert (decision.rule, decision.reason) == (3, UnmatchedReason.LEGAL_FORM_MISSING)
    assert "1001 (Jansen Holding B.V.)" in decision.explanation_nl
    assert "1001 (Jansen Holding B.V.)" in decision.explanation_en


@pytest.mark.parametrize(
    ("kind", "relation"),
    [
        *[(k, candidate(relation_type=RelationType.SUPPLIER)) for k in ALL_KINDS],
        # The BSN only on the eenmanszaak: IB needs the person relation.
        (ReturnKind.IB, candidate(legal_form=LegalForm.EENMANSZAAK)),
        (ReturnKind.IB, candidate(legal_form=None)),
        # An eenmanszaak (or a vof) is not liable to corporate tax, and neither is a person.
        (ReturnKind.VPB, candidate(legal_form=LegalForm.EENMANSZAAK)),
        (ReturnKind.VPB, candidate(legal_form=LegalForm.VOF)),
        (ReturnKind.VPB, candidate("1001-1", PERSON)),
    ],
)
def test_rule_3_a_relation_that_cannot_receive_the_kind(
    kind: ReturnKind, relation: Candidate
) -> None:
    decision = decide(facts(kind), [relation])
    assert (decision.rule, decision.reason) == (3, UnmatchedReason.WRONG_RELATION_TYPE)
    assert relation.relation_number in decision.explanation_en


@pytest.mark.parametrize("kind", ALL_KINDS)
def test_rule_4_sbr_is_off(kind: ReturnKind) -> None:
    decision = decide(facts(kind), [receiver(kind, enabled=False)])
    assert (decision.rule, decision.reason) == (4, UnmatchedReason.SBR_DISABLED)


@pytest.mark.parametrize("kind", ALL_KINDS)
@pytest.mark.parametrize(
    ("start", "matched"),
    [
        (dt.date(2025, 12, 31), True),  # one day before the period: the advised setting
        (dt.date(2026, 1, 1), True),  # the first day of the period
        (dt.date(2026, 1, 2), False),  # one day after: before the SBR start
        (None, True),  # no start date on an enabled number: from the first period on
    ],
)
def test_rule_5_the_sbr_start_date(kind: ReturnKind, start: dt.date | None, matched: bool) -> None:
    decision = decide(facts(kind), [receiver(kind, start=start)])
    assert decision.matched is matched
    if not matched:
        assert (decision.rule, decision.reason) == (5, UnmatchedReason.BEFORE_SBR_START)
        assert "2026-01-01" in decision.explanation_nl


@pytest.mark.parametrize("kind", ALL_KINDS)
def test_rule_6_two_relations_left_is_ambiguous(kind: ReturnKind) -> None:
    first = receiver(kind)
    second = dataclasses.replace(
        first, relation_id=first.relation_id + 1, relation_number="2002", relation_name="Tweede"
    )
    decision = decide(facts(kind), [first, second])
    assert (decision.rule, decision.reason) == (6, UnmatchedReason.AMBIGUOUS)
    assert "2 relaties" in decision.explanation_nl
    for relation in (first, second):
        assert relation.label in decision.explanation_nl
        assert relation.label in decision.explanation_en


@pytest.mark.parametrize("kind", ALL_KINDS)
def test_rule_7_no_active_product_for_the_kind(kind: ReturnKind) -> None:
    others = tuple(p for p in PRODUCTS if kind.value not in p.kinds)
    inactive = tuple(dataclasses.replace(p, active=False) for p in PRODUCTS)
    for products in (others, inactive, ()):
        decision = decide(facts(kind), [receiver(kind, products=products)])
        assert (decision.rule, decision.reason) == (7, UnmatchedReason.NO_PRODUCT)


@pytest.mark.parametrize("kind", ALL_KINDS)
@pytest.mark.parametrize("ideal", [True, False])
def test_rule_8_matched_with_product_and_ideal(kind: ReturnKind, ideal: bool) -> None:
    relation = receiver(kind, ideal=ideal)
    decision = decide(facts(kind), [relation])
    assert decision.matched
    assert decision.rule == 8
    assert decision.relation == relation
    assert decision.product is not None
    assert kind.value in decision.product.kinds
    assert decision.ideal is ideal


def test_the_copied_bsn_sends_ib_to_the_person_and_vpb_to_the_bv() -> None:
    bv = candidate("1001", ORG, LegalForm.BV)
    person = candidate("1001-1", PERSON, name="J. Jansen")
    ib = decide(facts(ReturnKind.IB), [bv, person])
    vpb = decide(facts(ReturnKind.VPB), [bv, person])
    assert ib.relation == person
    assert vpb.relation == bv
    eenmanszaak = candidate("1002", ORG, LegalForm.EENMANSZAAK)
    assert (
        decide(facts(ReturnKind.VPB), [eenmanszaak]).reason is UnmatchedReason.WRONG_RELATION_TYPE
    )


def test_a_supplier_never_receives_a_return_even_beside_a_client() -> None:
    supplier = candidate("9001", RelationType.SUPPLIER)
    client = candidate("1001", ORG)
    assert decide(facts(ReturnKind.OB), [supplier, client]).relation == client


def test_a_staff_assignment_skips_sbr_but_not_rules_3_and_7() -> None:
    off = candidate(enabled=False, start=dt.date(2030, 1, 1))
    assert decide_for_relation(facts(ReturnKind.OB), off).matched
    assert (
        decide_for_relation(facts(ReturnKind.VPB), candidate(legal_form=LegalForm.VOF)).reason
        is UnmatchedReason.WRONG_RELATION_TYPE
    )
    assert (
        decide_for_relation(facts(ReturnKind.OB), candidate(products=())).reason
        is UnmatchedReason.NO_PRODUCT
    )


def test_every_kind_has_a_rule_and_a_catalogue_product() -> None:
    covered = {kind for spec in CATALOGUE for kind in spec.kinds}
    assert set(KIND_RULES) == set(ReturnKind) == covered


CANDIDATES = st.lists(
    st.builds(
        candidate,
        number=st.sampled_from(["1001", "1001-1", "1002", "2001"]),
        relation_type=st.sampled_from(list(RelationType)),
        legal_form=st.none() | st.sampled_from(list(LegalForm)),
        enabled=st.booleans(),
        start=st.none() | st.dates(dt.date(2025, 12, 30), dt.date(2026, 1, 2)),
        ideal=st.booleans(),
        products=st.sampled_from([PRODUCTS, (), PRODUCTS[:2], PRODUCTS[3:]]),
    ),
    max_size=5,
    unique_by=lambda c: c.relation_number,
)


@given(candidates=CANDIDATES, kind=st.sampled_from(ALL_KINDS), rng=st.randoms())
def test_shuffling_the_candidates_never_changes_the_decision(
    candidates: list[Candidate], kind: ReturnKind, rng: random.Random
) -> None:
    shuffled = list(candidates)
    rng.shuffle(shuffled)
    assert decide(facts(kind), shuffled) == decide(facts(kind), candidates)


def test_wrong_relation_type_advice_tells_a_wrong_type_from_a_wrong_legal_form() -> None:
    # A VPB return on an eenmanszaak: the type could receive it, the legal form cannot, and a
    # person relation made from a contact could not either.
    eenmanszaak = candidate("1002", ORG, LegalForm.EENMANSZAAK)
    vpb = decide(facts(ReturnKind.VPB), [eenmanszaak])
    assert "rechtsvorm geen aangifte vennootschapsbelasting kan ontvangen" in vpb.explanation_nl
    assert "o.b.v. contact" not in vpb.explanation_nl
    # An IB return on an organisation: the type is wrong, a person relation is the fix.
    ib = decide(facts(ReturnKind.IB), [candidate("1001", ORG)])
    assert ib.reason is UnmatchedReason.WRONG_RELATION_TYPE
    assert "relatietype dat geen aangifte inkomstenbelasting kan ontvangen" in ib.explanation_nl
    assert "o.b.v. contact" in ib.explanation_nl
