"""Errors of the inbox service functions, with messages fit to show staff."""

from __future__ import annotations

__all__ = ["ActionRefusedError", "InboxError", "ReturnNotFoundError"]


class InboxError(Exception):
    """Base class: something asked of the inbox cannot be done; the message says why, in
    English for the API and CLI and (``dutch``) in Dutch for the staff page."""

    def __init__(self, message: str, dutch: str | None = None) -> None:
        super().__init__(message)
        self.dutch = dutch or message


class ReturnNotFoundError(InboxError):
    """No such return in this office."""


class ActionRefusedError(InboxError):
    """A staff action that the return's state or the rules do not allow."""
