"""What every page shares: templates with the Dutch words, the signed-in check, CSRF, acting.

Sessions are signed cookies; a form carries the session's CSRF token. A form from a session
that has ended (a restart with a new key, a sign-out elsewhere) leads to the sign-in page with
a Dutch message and, once signed in, back to the page it came from; a token that does not match
a live session is refused (403) as the forgery it is.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, Form, HTTPException, Request, status
from fastapi.responses import RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from api import dutch
from api.errors import SignInRequiredError, StaleFormError
from api.paths import local_path
from crm.staff import session_matches
from inbox.dispatch import unit_of_work
from inbox.staff import staff_actor
from matching.codes import LegalForm
from models import Office, Relation, StaffUser, session_scope

__all__ = [
    "PRODUCT_NAME",
    "CsrfField",
    "LegalFormField",
    "NumberField",
    "SignedIn",
    "SignedInDep",
    "act",
    "check_csrf",
    "engine_of",
    "local_path",
    "page",
    "redirect",
    "relation_row",
    "templates",
]

PRODUCT_NAME = "SBR-inbox"
# A form's CSRF token, and a relation number or fiscal number typed or chosen on the page.
CsrfField = Annotated[str, Form(max_length=100)]
NumberField = Annotated[str, Form(min_length=1, max_length=32, pattern=r"^[^\x00]*$")]
# A legal form chosen on the page (anything else is refused as a form not filled in right).
LegalFormField = Annotated[LegalForm, Form()]
templates = Jinja2Templates(directory=Path(__file__).parent.parent / "templates")
dutch.install(templates.env)
templates.env.globals["product_name"] = PRODUCT_NAME


def engine_of(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    return engine


def csrf_token(request: Request) -> str:
    token = request.session.get("csrf")
    if not token:
        token = request.session["csrf"] = secrets.token_urlsafe(32)
    return str(token)


def check_csrf(request: Request, token: str) -> None:
    """Refuse a form whose token is not this session's (see the module's docstring)."""
    expected = request.session.get("csrf")
    if not expected:
        raise StaleFormError
    if not secrets.compare_digest(str(expected), token):
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            detail="Dit formulier is niet geldig (beveiligingscode klopt niet). Laad de pagina "
            "opnieuw.",
        )


@dataclass(frozen=True, slots=True)
class SignedIn:
    """The staff member of the request's live session."""

    user_id: int
    email: str
    office_id: int
    member_code: str | None = None

    @property
    def actor(self) -> str:
        """Who they are in a return's history."""
        return staff_actor(self.email)

    def office(self, session: Session) -> Office:
        """Their office, read once, in the handler's own transaction."""
        office = session.get(Office, self.office_id)
        if office is None:  # removed since the request began
            raise SignInRequiredError
        return office


def signed_in(request: Request) -> SignedIn:
    """The one sign-in check of every page (a dependency): the session names a member whose
    session secret it carries, or the request goes to the sign-in page."""
    staff_id = request.session.get("staff_id")
    if not isinstance(staff_id, int):
        raise SignInRequiredError
    with session_scope(engine_of(request)) as session:
        user = session.get(StaffUser, staff_id)
        # A cookie from before a sign-out, a new password or `staff sign-out` carries an old
        # secret: the session has ended even though the cookie is still validly signed. A
        # removed member's id may be a newcomer's now (SQLite), whose secret is not theirs.
        if user is None or not session_matches(user, request.session.get("secret")):
            raise SignInRequiredError
        return SignedIn(user.id, user.email, user.office_id, user.member_code)


SignedInDep = Annotated[SignedIn, Depends(signed_in)]


def page(
    request: Request,
    name: str,
    context: dict[str, Any],
    *,
    staff: SignedIn | None = None,
    office: Office | None = None,
    code: int = 200,
) -> Response:
    """Render a page with what every page shows (office, member, the one-off message)."""
    return templates.TemplateResponse(
        request,
        name,
        {
            "csrf": csrf_token(request),
            "office": None if office is None else office.code,
            "email": None if staff is None else staff.email,
            "message": request.session.pop("message", None),
            "path": request.url.path,
            **context,
        },
        status_code=code,
    )


def redirect(path: str, message: str | None = None, request: Request | None = None) -> Response:
    """303 to ``path``; ``message`` is shown there once."""
    if message is not None and request is not None:
        request.session["message"] = message
    return RedirectResponse(path, status_code=status.HTTP_303_SEE_OTHER)


def act(
    request: Request,
    staff: SignedIn,
    csrf: str,
    action: Callable[[Session, Office, str], object],
    then: str,
    message: str | None = None,
) -> Response:
    """Run a staff action in one unit of work (its effects and re-decisions follow the
    commit), then go to ``then`` showing ``message`` (or the text the action returned);
    refusals come back as a message (api.errors)."""
    check_csrf(request, csrf)
    with unit_of_work(engine_of(request)) as session:
        said = action(session, staff.office(session), staff.actor)
    return redirect(then, said if isinstance(said, str) else message, request)


def relation_row(relation: Relation) -> dict[str, str]:
    """A relation as a search result shows it."""
    return {
        "number": relation.number,
        "name": relation.name or relation.display_name or relation.last_name or "",
        "type": relation.type.value,
        "kvk": relation.kvk_number or "",
    }
