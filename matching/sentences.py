"""A Dutch and an English sentence for every decision, naming the relations involved.

Staff act on these sentences in the review queue, so each says what is wrong *and* what to do:
"BSN 111222333 staat bij 2 relaties met SBR ingeschakeld: 1001 (Jansen Holding B.V.), 1001-1
(J. Jansen)". Templates are data, one pair per reason.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from matching.codes import RelationType, UnmatchedReason
from matching.rules import legal_form_stops_it
from sbr_parser import ReturnKind

if TYPE_CHECKING:
    from matching.decide import Candidate, ReturnFacts

__all__ = ["explain", "likely_owner_sentences"]

# How the number is called for each kind ("BSN" for income tax, "RSIN" for corporate tax).
NUMBER_NAMES: dict[ReturnKind, tuple[str, str]] = {
    ReturnKind.OB: ("OB-nummer", "VAT number"),
    ReturnKind.OB_SUPPLETIE: ("OB-nummer", "VAT number"),
    ReturnKind.ICP: ("OB-nummer", "VAT number"),
    ReturnKind.IB: ("BSN", "BSN"),
    ReturnKind.VPB: ("RSIN", "RSIN"),
    ReturnKind.LH: ("loonheffingennummer", "payroll tax number"),
}
KIND_NAMES: dict[ReturnKind, tuple[str, str]] = {
    ReturnKind.OB: ("aangifte omzetbelasting", "VAT return"),
    ReturnKind.OB_SUPPLETIE: ("suppletie omzetbelasting", "VAT correction"),
    ReturnKind.ICP: ("opgaaf ICP", "EC sales list"),
    ReturnKind.IB: ("aangifte inkomstenbelasting", "income tax return"),
    ReturnKind.VPB: ("aangifte vennootschapsbelasting", "corporate tax return"),
    ReturnKind.LH: ("loonaangifte", "payroll tax return"),
}

# {number}: "BSN 111222333"; {kind}: the return kind; {relations}: "1001 (Jansen B.V.), ...";
# {count}: how many relations; {period}: the period's first day.
TEMPLATES: dict[UnmatchedReason | None, tuple[str, str]] = {
    None: (
        "{kind} van {number} geplaatst bij relatie {relations}.",
        "{kind_en} for {number_en} placed with relation {relations}.",
    ),
    UnmatchedReason.INVALID_IDENTIFIER: (
        "{number} in deze {kind} is geen geldig nummer (controlegetal klopt niet); vraag de "
        "afzender om een gecorrigeerde aangifte.",
        "{number_en} in this {kind_en} is not a valid number (check digit fails); ask the "
        "sender for a corrected return.",
    ),
    UnmatchedReason.NO_RELATION: (
        "Geen relatie heeft {number}; voeg het nummer toe aan de juiste relatie of wijs de "
        "aangifte handmatig toe.",
        "No relation has {number_en}; add the number to the right relation or assign the "
        "return by hand.",
    ),
    UnmatchedReason.LEGAL_FORM_MISSING: (
        "{number} staat bij {relations}, maar de rechtsvorm ontbreekt; vul de rechtsvorm in "
        "om aangiften via de SBR-inbox te verwerken.",
        "{number_en} belongs to {relations}, but its legal form is not set; set the legal "
        "form to process returns through the SBR inbox.",
    ),
    UnmatchedReason.WRONG_RELATION_TYPE: (
        "{number} staat alleen bij {relations}, een relatietype dat geen {kind} kan "
        "ontvangen; maak de juiste relatie aan, bijvoorbeeld via 'relatie aanmaken o.b.v. "
        "contact'.",
        "{number_en} is only on {relations}, a relation type that cannot receive a {kind_en}; "
        "create the right relation, e.g. with 'create relation from contact'.",
    ),
    UnmatchedReason.SBR_DISABLED: (
        "{number} staat bij {relations}, maar SBR is daar niet ingeschakeld; schakel SBR in "
        "bij het fiscale nummer.",
        "{number_en} belongs to {relations}, but SBR is not enabled there; enable SBR on the "
        "fiscal number.",
    ),
    UnmatchedReason.BEFORE_SBR_START: (
        "De aangifteperiode begint op {period}, voor de SBR-startdatum van {number} bij "
        "{relations}; zet de startdatum op of voor {period}.",
        "The period starts on {period}, before the SBR start date of {number_en} at "
        "{relations}; move the start date to {period} or earlier.",
    ),
    UnmatchedReason.AMBIGUOUS: (
        "{number} staat bij {count} relaties met SBR ingeschakeld: {relations}; schakel SBR "
        "uit bij de relatie die deze aangifte niet hoort te krijgen, of wijs handmatig toe.",
        "{number_en} is on {count} relations with SBR enabled: {relations}; disable SBR on "
        "the relation that should not get this return, or assign it by hand.",
    ),
    UnmatchedReason.NO_PRODUCT: (
        "{relations} heeft geen actief product voor een {kind}; voeg het product toe.",
        "{relations} has no active product for a {kind_en}; add the product.",
    ),
    UnmatchedReason.UNLAWFUL_PERIOD: (
        "De periode {period} t/m {period_end} van deze {kind} van {number} is geen "
        "aangiftetijdvak ({kinds}) van het product bij {relations}; vraag de afzender om een "
        "gecorrigeerde aangifte, of pas het tijdvak van het product bij de relatie aan als "
        "dat niet klopt.",
        "The period {period}..{period_end} of this {kind_en} for {number_en} is no lawful "
        "period ({kinds_en}) of the product at {relations}; ask the sender for a corrected "
        "return, or correct the period of the relation's product if that is wrong.",
    ),
}

# Period kinds (planner.periods) as the sentences name them.
PERIOD_NAMES: dict[str, tuple[str, str]] = {
    "month": ("maand", "month"),
    "quarter": ("kwartaal", "quarter"),
    "year": ("jaar", "year"),
    "four_weeks": ("vier weken", "four weeks"),
}

# Rule 3 when the relation's type could receive the kind but its legal form cannot.
WRONG_LEGAL_FORM = (
    "{number} staat alleen bij {relations}, waarvan de rechtsvorm geen {kind} kan ontvangen; "
    "klopt de rechtsvorm niet, pas die dan aan, anders is de aangifte door de afzender onjuist "
    "opgesteld (wijs haar af).",
    "{number_en} is only on {relations}, whose legal form cannot receive a {kind_en}; if the "
    "legal form is wrong, correct it, otherwise the sender made the return wrongly (dismiss "
    "it).",
)


def explain(
    facts: ReturnFacts,
    reason: UnmatchedReason | None,
    involved: Sequence[Candidate],
    kinds: Sequence[str] = (),
) -> tuple[str, str]:
    """The (Dutch, English) sentences for a decision on ``facts``; ``kinds``: the period
    kinds the product allows (for ``unlawful_period``)."""
    number_nl, number_en = NUMBER_NAMES[facts.kind]
    kind_nl, kind_en = KIND_NAMES[facts.kind]
    values = {
        "number": f"{number_nl} {facts.identifier}",
        "number_en": f"{number_en} {facts.identifier}",
        "kind": kind_nl,
        "kind_en": kind_en,
        "relations": ", ".join(c.label for c in involved) or "-",
        "count": str(len(involved)),
        "period": facts.period_start.isoformat(),
        "period_end": facts.period_end.isoformat(),
        "kinds": _either([PERIOD_NAMES.get(k, (k, k))[0] for k in kinds], "of"),
        "kinds_en": _either([PERIOD_NAMES.get(k, (k, k))[1] for k in kinds], "or"),
    }
    dutch, english = TEMPLATES[reason]
    if reason is UnmatchedReason.WRONG_RELATION_TYPE and legal_form_stops_it(
        facts.kind, (c.relation_type for c in involved)
    ):
        # The type may receive the kind, the legal form may not (a VPB return on an
        # eenmanszaak): another relation from a contact would not help, a person cannot
        # receive it either. Either the legal form or the sender is wrong.
        dutch, english = WRONG_LEGAL_FORM
    return _capitalised(dutch.format(**values)), _capitalised(english.format(**values))


def likely_owner_sentences(owners: Sequence[Candidate]) -> tuple[str, str]:
    """What is added to a ``no_relation`` sentence when the OB number's nine digits are the
    BSN of a person relation: a likely owner, never a match (a sole trader's return carries
    the BSN-based omzetbelastingnummer; the record may hold only the btw-id of the invoices).
    Organisations linked to that person by a shared contact are named as the likely business."""
    people = ", ".join(o.label for o in owners if o.relation_type is RelationType.PERSON)
    businesses = ", ".join(o.label for o in owners if o.relation_type is not RelationType.PERSON)
    nl = f"Het OB-nummer begint met het BSN van {people}: eenmanszaak van deze persoon?"
    en = f"The OB number starts with the BSN of {people}: this person's sole proprietorship?"
    if businesses:
        nl += f" Via een gedeelde contactpersoon hoort bij deze persoon: {businesses}."
        en += f" Linked to this person by a shared contact: {businesses}."
    return (
        f"{nl} Zet het omzetbelastingnummer (BSN + B01) bij de eenmanszaak.",
        f"{en} Put the omzetbelastingnummer (BSN + B01) on that business.",
    )


def _either(words: Sequence[str], last: str) -> str:
    """``maand, kwartaal of jaar``."""
    if len(words) < 2:  # one word, or none
        return "".join(words)
    return f"{', '.join(words[:-1])} {last} {words[-1]}"


def _capitalised(sentence: str) -> str:
    return sentence[:1].upper() + sentence[1:]
