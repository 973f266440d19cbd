"""The inbox's records as typed models: what the CLI's ``--json``, the API and the page show.

One model per record, with the fields of docs/contracts.md in their contract order and the
added fields after them. Dates and times stay ISO text, exactly as the contract has always
written them (``2026-03-31``; a timestamp with its offset as the database gave it), so a model
dumped to JSON is byte-for-byte the record it replaced.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

from planner.records import WorkflowRecord

__all__ = ["CandidateRecord", "EffectRecord", "HistoryRecord", "ReturnDetail", "ReturnRecord"]


class _Record(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ReturnRecord(_Record):
    """One delivered return (``returns list --json``, ``GET returns``)."""

    id: int
    office: str
    file: str | None
    sha256: str
    status: str
    reason: str | None
    kind: str | None
    identifier: str | None
    period_start: str | None
    period_end: str | None
    relation_number: str | None
    version: int | None
    workflow_id: int | None
    workflow_started: bool
    filed: bool
    duplicate_of: int | None
    # Added fields:
    identifier_type: str | None
    identifier_normalised: str | None
    explanation_nl: str | None
    explanation_en: str | None
    received_at: str | None
    decided_at: str | None
    # Added: the name of the relation it is placed with (None while not placed).
    relation_name: str | None = None


class HistoryRecord(_Record):
    """One decision in a return's history, automatic or by staff."""

    at: str
    actor: str
    trigger: str
    rule: int | None
    status: str
    reason: str | None
    remark: str | None
    explanation_nl: str | None
    explanation_en: str | None
    detail: dict[str, Any]


class CandidateRecord(_Record):
    """A relation holding the return's fiscal number (what staff may place it with)."""

    relation_number: str
    name: str | None
    type: str
    sbr_enabled: bool
    sbr_start_date: str | None
    identifier_type: str
    identifier: str
    # Added: a person whose BSN is the nine digits of an OB number nobody holds (offered first,
    # never matched automatically: see docs/domain.md).
    likely_owner: bool = False
    # Added: what the fixes on the page need to know of the relation.
    legal_form: str | None = None
    products: list[str] = []


class EffectRecord(_Record):
    """One effect of a placed return (``start_workflow``, ``file_in_dossier``) and how it went:
    ``done``, ``waiting`` or ``failed`` (parked after SBR_INBOX_MAX_ATTEMPTS failed runs, with
    the last error; staff can try it again)."""

    task: str
    state: str
    failures: int
    last_error: str | None
    done_at: str | None
    failed_at: str | None


class ReturnDetail(ReturnRecord):
    """A return with its history, the relations holding its number and where its bytes are."""

    history: list[HistoryRecord]
    candidates: list[CandidateRecord]
    raw_url: str
    # Added: the workflow the return is in, with its filing and payment deadlines and the
    # betalingskenmerk (None while the return is not placed).
    workflow: WorkflowRecord | None = None
    # Added (issue 22): the return's effects, a parked one with its error.
    effects: list[EffectRecord] = []
