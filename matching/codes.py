"""The codes the matching rules speak: relation types, legal forms, unmatched reasons.

No dependencies at all, so the pure rules (``matching.rules``, ``matching.decide``,
``matching.sentences``) load without the ORM; ``models.enums`` re-exports them for the columns
that store them (docs/domain.md).
"""

from __future__ import annotations

import enum

__all__ = ["LegalForm", "RelationType", "UnmatchedReason"]


class RelationType(enum.StrEnum):
    """``relation.type``: what kind of client dossier a relation is."""

    ORGANISATION = "organisation"
    PERSON = "person"
    INTERNAL = "internal"
    SUPPLIER = "supplier"


class LegalForm(enum.StrEnum):
    """``relation.legal_form`` (rechtsvorm) of an organisation."""

    EENMANSZAAK = "eenmanszaak"
    VOF = "vof"
    CV = "cv"
    MAATSCHAP = "maatschap"
    BV = "bv"
    NV = "nv"
    COOPERATIE = "cooperatie"
    STICHTING = "stichting"
    VERENIGING = "vereniging"
    OTHER = "other"


class UnmatchedReason(enum.StrEnum):
    """Why a readable return was not placed: the reason codes of docs/domain.md, in order."""

    INVALID_IDENTIFIER = "invalid_identifier"
    NO_RELATION = "no_relation"
    LEGAL_FORM_MISSING = "legal_form_missing"
    WRONG_RELATION_TYPE = "wrong_relation_type"
    SBR_DISABLED = "sbr_disabled"
    BEFORE_SBR_START = "before_sbr_start"
    AMBIGUOUS = "ambiguous"
    NO_PRODUCT = "no_product"
    # Placing (rule 8) stops: the period is no lawful period of the product (one day of a
    # month), so no workflow with a deadline is made for it (issue 22).
    UNLAWFUL_PERIOD = "unlawful_period"
