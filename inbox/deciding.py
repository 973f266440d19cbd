"""What the rules decide for stored returns, one or a batch (candidates read once per office).

Pure reading: :func:`decisions_for` applies nothing; :func:`decide_stored` applies the
decision through :func:`inbox.decisions.apply_decision`, as every path that decides does.

A placement is only made for a lawful period of its product (:func:`placeable`): the rules
(``matching``) find the relation and product, the planner's period arithmetic says whether the
return's dates are a period of that product, the same check ``workflows create`` makes. One
day of a month would otherwise get a workflow with a filing and a payment deadline.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from sqlalchemy import select
from sqlalchemy.orm import Session

from inbox.decisions import SYSTEM, apply_decision, facts_of
from matching.candidates import find_candidates_many, likely_owners
from matching.codes import UnmatchedReason
from matching.decide import Candidate, Decision, ReturnFacts, decide, unlawful_period
from matching.rules import KIND_RULES
from matching.sentences import likely_owner_sentences
from models import InboxReturn, Product
from planner.periods import Period, lawful_period_kind, spans_whole_periods
from sbr_parser import IdentifierType, ReturnKind

__all__ = ["decide_stored", "decision_for", "decisions_for", "placeable"]


def decision_for(session: Session, row: InboxReturn) -> Decision | None:
    """What the rules decide now for a stored return (None if it was never read as one)."""
    return decisions_for(session, [row])[0]


def decisions_for(session: Session, rows: Sequence[InboxReturn]) -> list[Decision | None]:
    """What the rules decide now for each stored return (None for one never read as one);
    the candidates of all of them are read in one query per office."""
    facts = [facts_of(row) for row in rows]
    numbers: dict[int, set[tuple[IdentifierType, str]]] = {}
    for row, fact in zip(rows, facts, strict=True):
        if fact is not None:
            numbers.setdefault(row.office_id, set()).add(_number(fact))
    candidates = {
        office_id: find_candidates_many(session, office_id, wanted)
        for office_id, wanted in numbers.items()
    }
    decisions = [
        None
        if fact is None
        else _decided(session, row.office_id, fact, candidates[row.office_id][_number(fact)])
        for row, fact in zip(rows, facts, strict=True)
    ]
    return _lawful(session, facts, decisions)


def placeable(session: Session, facts: ReturnFacts, decision: Decision) -> Decision:
    """``decision``; or, when it places the return in a period that is no lawful period of
    the product, the refusal ``unlawful_period`` (for a staff member's assignment too)."""
    lawful = _lawful(session, [facts], [decision])[0]
    assert lawful is not None  # noqa: S101 - a decision stays a decision
    return lawful


def _lawful(
    session: Session, facts: Sequence[ReturnFacts | None], decisions: Sequence[Decision | None]
) -> list[Decision | None]:
    """Each placement among ``decisions`` whose period its product allows, the others refused;
    the products' period kinds read in one query for the batch."""
    product_ids = {
        d.product.product_id for d in decisions if d is not None and d.product is not None
    }
    if not product_ids:
        return list(decisions)
    allowed: dict[int, list[str]] = {
        product_id: list(periods)
        for product_id, periods in session.execute(
            select(Product.id, Product.periods).where(Product.id.in_(product_ids))
        )
    }
    lawful: list[Decision | None] = []
    for fact, decision in zip(facts, decisions, strict=True):
        if fact is None or decision is None or not decision.matched or decision.product is None:
            lawful.append(decision)
            continue
        periods, declared = allowed[decision.product.product_id], decision.product.period
        period = Period(fact.period_start, fact.period_end)
        if lawful_period_kind(
            period, periods, declared, book_year=fact.kind is ReturnKind.VPB
        ) is not None or (
            # A suppletie may correct several whole periods at once (a correction workflow
            # without a deadline, see inbox.placement), never part of one.
            fact.kind is ReturnKind.OB_SUPPLETIE
            and spans_whole_periods(period, periods if declared is None else [declared])
        ):
            lawful.append(decision)
        else:
            lawful.append(unlawful_period(fact, decision, [declared] if declared else periods))
    return lawful


def _number(facts: ReturnFacts) -> tuple[IdentifierType, str]:
    return KIND_RULES[facts.kind].identifier_type, facts.identifier


def _decided(
    session: Session, office_id: int, facts: ReturnFacts, candidates: list[Candidate]
) -> Decision:
    decision = decide(facts, candidates)
    if decision.reason is UnmatchedReason.NO_RELATION and _number(facts)[0] is IdentifierType.OB:
        owners = likely_owners(session, office_id, facts.identifier)
        if owners:
            # Named, never matched: the person's business may hold only its btw-id.
            nl, en = likely_owner_sentences(owners)
            decision = replace(
                decision,
                explanation_nl=f"{decision.explanation_nl} {nl}",
                explanation_en=f"{decision.explanation_en} {en}",
                involved=tuple(owner.relation_number for owner in owners),
            )
    return decision


def decide_stored(
    session: Session, row: InboxReturn, *, trigger: str, detail: dict[str, object] | None = None
) -> bool:
    """Run the rules on a stored, parsed return and apply the result; False if unreadable."""
    decision = decision_for(session, row)
    if decision is None:
        return False
    apply_decision(session, row, decision, actor=SYSTEM, trigger=trigger, detail=detail)
    return True
