"""Sentences for messages that could not be read as a return (the parser's reasons)."""

from __future__ import annotations

from sbr_parser import Rejection, RejectionReason

__all__ = ["rejection_sentences"]

# The Dutch sentence per reason; the parser's own English detail follows it in both languages.
DUTCH: dict[RejectionReason, str] = {
    RejectionReason.EMPTY: "Het bericht is leeg.",
    RejectionReason.TOO_LARGE: "Het bericht is te groot om te verwerken.",
    RejectionReason.PARSE_ERROR: "Het bericht is geen leesbare XML.",
    RejectionReason.UNSAFE_XML: "Het bericht is geweigerd als onveilig (DOCTYPE of entiteiten).",
    RejectionReason.NOT_A_RETURN: "Het bericht is geen belastingaangifte.",
    RejectionReason.UNSUPPORTED_KIND: "Dit soort aangifte verwerkt de inbox niet.",
    RejectionReason.MISSING_IDENTIFIER: "De aangifte bevat geen fiscaal nummer.",
    RejectionReason.MISSING_PERIOD: "De aangifte bevat geen aangifteperiode.",
    RejectionReason.OUT_OF_RANGE: "De aangifte bevat een waarde die geen echte aangifte heeft.",
}


def rejection_sentences(rejection: Rejection) -> tuple[str, str]:
    """(Dutch, English) sentences for a rejected message."""
    return f"{DUTCH[rejection.reason]} ({rejection.detail})", rejection.detail
