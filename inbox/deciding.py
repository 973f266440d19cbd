"""What the rules decide for stored returns, one or a batch (candidates read once per office).

Pure reading: :func:`decisions_for` applies nothing; :func:`decide_stored` applies the
decision through :func:`inbox.decisions.apply_decision`, as every path that decides does.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from sqlalchemy.orm import Session

from inbox.decisions import SYSTEM, apply_decision, facts_of
from matching.candidates import find_candidates_many, likely_owners
from matching.codes import UnmatchedReason
from matching.decide import Candidate, Decision, ReturnFacts, decide
from matching.rules import KIND_RULES
from matching.sentences import likely_owner_sentences
from models import InboxReturn
from sbr_parser import IdentifierType

__all__ = ["decide_stored", "decision_for", "decisions_for"]


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
    return [
        None
        if fact is None
        else _decided(session, row.office_id, fact, candidates[row.office_id][_number(fact)])
        for row, fact in zip(rows, facts, strict=True)
    ]


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
