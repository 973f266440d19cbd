"""The eight ordered rules of docs/domain.md (matching rules): a pure function over plain data.

``decide`` takes what the parser read and the candidates the one indexed lookup found, and
returns a :class:`Decision` with the rule that stopped, the reason code, the relations involved
and a Dutch and English sentence naming them. No database, no clock: the same input always gives
the same decision, whatever order the candidates come in (the property tests shuffle them).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from matching.codes import LegalForm, RelationType, UnmatchedReason
from matching.rules import can_receive, lacks_legal_form
from matching.sentences import explain
from sbr_parser import ReturnKind

__all__ = [
    "Candidate",
    "Decision",
    "ProductRef",
    "ReturnFacts",
    "decide",
    "decide_for_relation",
    "unlawful_period",
]


@dataclass(frozen=True, slots=True)
class ProductRef:
    """One of a relation's products: what it covers and whether it is active."""

    product_id: int
    code: str
    kinds: tuple[str, ...]
    active: bool
    # The period this relation files the product for (``four_weeks`` for a four-weekly
    # payroll), when the relation says; it decides the period's kind and so its deadline.
    period: str | None = None


@dataclass(frozen=True, slots=True)
class Candidate:
    """A fiscal number of the office equal to the return's, with what the rules need of it."""

    relation_id: int
    relation_number: str
    relation_name: str
    relation_type: RelationType
    legal_form: LegalForm | None
    sbr_enabled: bool
    sbr_start_date: dt.date | None
    sbr_ideal: bool
    products: tuple[ProductRef, ...] = ()

    @property
    def label(self) -> str:
        """How staff know the relation: ``1001 (Jansen Holding B.V.)``."""
        return (
            f"{self.relation_number} ({self.relation_name})"
            if self.relation_name
            else (self.relation_number)
        )


@dataclass(frozen=True, slots=True)
class ReturnFacts:
    """What the rules need of a parsed return."""

    kind: ReturnKind
    identifier: str  # normalised
    identifier_valid: bool
    period_start: dt.date
    period_end: dt.date


@dataclass(frozen=True, slots=True)
class Decision:
    """The outcome: matched (relation, product, iDEAL) or unmatched with its reason."""

    matched: bool
    rule: int
    reason: UnmatchedReason | None
    explanation_nl: str
    explanation_en: str
    relation: Candidate | None = None
    product: ProductRef | None = None
    ideal: bool = False
    # Relation numbers the decision is about (the candidates left when it stopped).
    involved: tuple[str, ...] = field(default=())


def decide(facts: ReturnFacts, candidates: Iterable[Candidate]) -> Decision:  # noqa: PLR0911
    """Apply rules 1-8 in order; the first that stops gives the one reason.

    One return per rule, in the order docs/domain.md lists them, so the code reads as the rules do.
    """
    # Sorted once, by relation number, so nothing below depends on the order given.
    pool = sorted(candidates, key=lambda c: (c.relation_number, c.relation_id))
    if not facts.identifier_valid:
        return _unmatched(facts, 1, UnmatchedReason.INVALID_IDENTIFIER, [])
    if not pool:
        return _unmatched(facts, 2, UnmatchedReason.NO_RELATION, [])
    receiving = [c for c in pool if can_receive(facts.kind, c.relation_type, c.legal_form)]
    if not receiving:
        missing_form = [
            c for c in pool if lacks_legal_form(facts.kind, c.relation_type, c.legal_form)
        ]
        if missing_form:
            return _unmatched(facts, 3, UnmatchedReason.LEGAL_FORM_MISSING, missing_form)
        return _unmatched(facts, 3, UnmatchedReason.WRONG_RELATION_TYPE, pool)
    enabled = [c for c in receiving if c.sbr_enabled]
    if not enabled:
        return _unmatched(facts, 4, UnmatchedReason.SBR_DISABLED, receiving)
    started = [c for c in enabled if _started(c, facts.period_start)]
    if not started:
        return _unmatched(facts, 5, UnmatchedReason.BEFORE_SBR_START, enabled)
    relations = {c.relation_id: c for c in started}
    if len(relations) > 1:
        return _unmatched(facts, 6, UnmatchedReason.AMBIGUOUS, list(relations.values()))
    return _with_product(facts, started[0], rule=7)


def decide_for_relation(facts: ReturnFacts, relation: Candidate) -> Decision:
    """A staff member's assignment: rules 3 and 7 still apply, the SBR settings do not."""
    if not can_receive(facts.kind, relation.relation_type, relation.legal_form):
        reason = (
            UnmatchedReason.LEGAL_FORM_MISSING
            if lacks_legal_form(facts.kind, relation.relation_type, relation.legal_form)
            else UnmatchedReason.WRONG_RELATION_TYPE
        )
        return _unmatched(facts, 3, reason, [relation])
    return _with_product(facts, relation, rule=7)


def _with_product(facts: ReturnFacts, relation: Candidate, *, rule: int) -> Decision:
    covering = sorted(
        (p for p in relation.products if p.active and facts.kind.value in p.kinds),
        key=lambda p: p.code,
    )
    if not covering:
        return _unmatched(facts, rule, UnmatchedReason.NO_PRODUCT, [relation])
    nl, en = explain(facts, None, [relation])
    return Decision(
        matched=True,
        rule=8,
        reason=None,
        explanation_nl=nl,
        explanation_en=en,
        relation=relation,
        product=covering[0],
        ideal=relation.sbr_ideal,
        involved=(relation.relation_number,),
    )


def unlawful_period(facts: ReturnFacts, placement: Decision, kinds: Sequence[str]) -> Decision:
    """``placement`` refused at rule 8: the return's period is no lawful period of the
    product (which allows ``kinds``), so no workflow is made for it.

    Whether a period is lawful is the planner's arithmetic (``planner.periods``), which the
    inbox asks before it places (``inbox.deciding``); the rules here stay free of it.
    """
    assert placement.relation is not None  # noqa: S101 - only a placement is refused
    nl, en = explain(facts, UnmatchedReason.UNLAWFUL_PERIOD, [placement.relation], kinds)
    return Decision(
        matched=False,
        rule=8,
        reason=UnmatchedReason.UNLAWFUL_PERIOD,
        explanation_nl=nl,
        explanation_en=en,
        involved=(placement.relation.relation_number,),
    )


def _started(candidate: Candidate, period_start: dt.date) -> bool:
    # No start date on an enabled number: SBR applies from the first period on.
    return candidate.sbr_start_date is None or candidate.sbr_start_date <= period_start


def _unmatched(
    facts: ReturnFacts, rule: int, reason: UnmatchedReason, involved: Sequence[Candidate]
) -> Decision:
    unique = list({c.relation_id: c for c in involved}.values())
    nl, en = explain(facts, reason, unique)
    return Decision(
        matched=False,
        rule=rule,
        reason=reason,
        explanation_nl=nl,
        explanation_en=en,
        involved=tuple(c.relation_number for c in unique),
    )
