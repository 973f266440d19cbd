"""The review page: server-rendered (Jinja2), signed-cookie sessions, CSRF on every form.

Staff sign in with e-mail and password (argon2id), see the unmatched queue grouped by reason
with the rules' own sentences and a small dashboard, open a return, and fix it: switch SBR on
for the relation holding the number, assign it, or dismiss it. Every action calls the same
service functions as the API, and a session only ever sees its own office.
"""

from __future__ import annotations

import datetime as dt
import math
import secrets
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, HTTPException, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from api.errors import SignInRequiredError
from api.raw_text import readable_message
from api.review import NO_NUL, raw_download
from api.throttle import SignInThrottle
from crm.edits import set_sbr_settings
from crm.staff import HashingBusyError, check_password, end_sessions
from inbox.dispatch import unit_of_work
from inbox.queries import list_returns, raw_message, return_detail
from inbox.records import ReturnRecord
from inbox.staff import assign, dismiss, staff_actor
from models import InboxReturn, Office, ReturnStatus, StaffUser, session_scope
from planner.payment import grouped
from sbr_parser import IdentifierType

__all__ = ["router"]

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=Path(__file__).parent / "templates")
templates.env.filters["kenmerk"] = grouped  # a betalingskenmerk as the Belastingdienst prints it
COLORS = {
    "received": "#8da0cb",
    "matched": "#66a61e",
    "unmatched": "#e6ab02",
    "rejected": "#d95f02",
}


def _engine(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    return engine


def _csrf(request: Request) -> str:
    token = request.session.get("csrf")
    if not token:
        token = request.session["csrf"] = secrets.token_urlsafe(32)
    return str(token)


def _check_csrf(request: Request, token: str) -> None:
    expected = request.session.get("csrf")
    if not expected or not secrets.compare_digest(str(expected), token):
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail="invalid or missing CSRF token")


@dataclass(frozen=True, slots=True)
class SignedIn:
    """The staff member of the request's live session."""

    user_id: int
    email: str
    office_id: int

    def office(self, session: Session) -> Office:
        """Their office, read once, in the handler's own transaction."""
        office = session.get(Office, self.office_id)
        if office is None:  # removed since the request began
            raise SignInRequiredError
        return office


def _signed_in(request: Request) -> SignedIn:
    """The one sign-in check of every page (a dependency): the session names a member whose
    session generation it carries, or the request goes to the sign-in page."""
    staff_id = request.session.get("staff_id")
    if not isinstance(staff_id, int):
        raise SignInRequiredError
    with session_scope(_engine(request)) as session:
        user = session.get(StaffUser, staff_id)
        # A cookie from before a sign-out, a new password or `staff sign-out` carries an older
        # generation: the session has ended even though the cookie is still validly signed.
        if user is None or request.session.get("generation") != user.session_generation:
            raise SignInRequiredError
        return SignedIn(user.id, user.email, user.office_id)


SignedInDep = Annotated[SignedIn, Depends(_signed_in)]


def _page(request: Request, name: str, context: dict[str, Any], code: int = 200) -> Response:
    return templates.TemplateResponse(
        request, name, {"csrf": _csrf(request), **context}, status_code=code
    )


def _to(path: str) -> RedirectResponse:
    return RedirectResponse(path, status_code=status.HTTP_303_SEE_OTHER)


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request) -> Response:
    """The sign-in form."""
    return _page(request, "login.html", {"office": None})


@router.post("/login")
def login(
    request: Request,
    email: Annotated[str, Form(max_length=254, pattern=NO_NUL)],
    password: Annotated[str, Form(max_length=200)],
    csrf: Annotated[str, Form(max_length=100)],
) -> Response:
    """Check the password and start a session (throttled per account and address)."""
    _check_csrf(request, csrf)
    keys = (f"account:{email.strip().lower()}", f"address:{_client(request)}")
    throttle: SignInThrottle = request.app.state.sign_in_throttle
    wait = throttle.wait_seconds(*keys)
    if wait > 0:
        message = f"Te veel mislukte pogingen. Probeer het over {math.ceil(wait)} seconden opnieuw."
        return _page(request, "login.html", {"office": None, "message": message}, 429)
    try:
        with session_scope(_engine(request)) as session:
            user = check_password(session, email, password)
            if user is None:
                throttle.failed(*keys)
                return _page(
                    request, "login.html", {"office": None, "message": "Onbekende combinatie"}, 401
                )
            throttle.succeeded(keys[0])
            request.session.clear()
            request.session["staff_id"] = user.id
            request.session["generation"] = user.session_generation
    except HashingBusyError:
        message = "Het is nu te druk om aan te melden. Probeer het zo opnieuw."
        return _page(request, "login.html", {"office": None, "message": message}, 503)
    return _to("/")


@router.post("/logout")
def logout(request: Request, csrf: Annotated[str, Form(max_length=100)]) -> Response:
    """End the session: every cookie of this staff member stops working, not just this one."""
    _check_csrf(request, csrf)
    try:
        staff = _signed_in(request)
    except SignInRequiredError:
        pass  # nothing to end
    else:
        with session_scope(_engine(request)) as session:
            end_sessions(session, staff.email)
    request.session.clear()
    return _to("/login")


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


@router.get("/", response_class=HTMLResponse)
def queue(request: Request, staff: SignedInDep) -> Response:
    """The unmatched queue grouped by reason, and the dashboard."""
    with session_scope(_engine(request)) as session:
        office = staff.office(session)
        waiting = list_returns(session, office, status=ReturnStatus.UNMATCHED)
        chart = _chart(session, office)
    grouped: dict[str, list[ReturnRecord]] = defaultdict(list)
    for record in waiting:
        grouped[record.reason or ""].append(record)
    groups = [{"reason": reason, "returns": rows} for reason, rows in sorted(grouped.items())]
    return _page(
        request,
        "queue.html",
        {"office": office.code, "email": staff.email, "groups": groups, "chart": chart},
    )


@router.get("/returns/{return_id}", response_class=HTMLResponse)
def detail(request: Request, staff: SignedInDep, return_id: int) -> Response:
    """One return: what was read, why it waits, its history, and the ways to fix it."""
    with session_scope(_engine(request)) as session:
        office = staff.office(session)
        record = return_detail(session, office, return_id)
        text = readable_message(raw_message(session, office, return_id))
    return _page(
        request,
        "return.html",
        {
            "office": office.code,
            "email": staff.email,
            "r": record,
            "candidates": record.candidates,
            "history": record.history,
            "workflow": record.workflow,
            "raw_url": f"/returns/{return_id}/raw",
            "raw_text": text,
            "message": request.session.pop("message", None),
        },
    )


@router.get("/returns/{return_id}/raw")
def raw(request: Request, staff: SignedInDep, return_id: int) -> Response:
    """The message as received (office-only), as a download the browser never renders."""
    with session_scope(_engine(request)) as session:
        data = raw_message(session, staff.office(session), return_id)
    return raw_download(data, return_id)


@router.post("/returns/{return_id}/assign")
def assign_form(
    request: Request,
    staff: SignedInDep,
    return_id: int,
    relation_number: Annotated[str, Form(max_length=32, pattern=NO_NUL)],
    csrf: Annotated[str, Form(max_length=100)],
) -> Response:
    """Assign from the page; a refusal is shown on the return."""
    return _act(
        request,
        staff,
        return_id,
        csrf,
        lambda s, o, actor: assign(s, o, return_id, relation_number, actor=actor),
    )


@router.post("/returns/{return_id}/dismiss")
def dismiss_form(
    request: Request,
    staff: SignedInDep,
    return_id: int,
    remark: Annotated[str, Form(max_length=2000, pattern=NO_NUL)],
    csrf: Annotated[str, Form(max_length=100)],
) -> Response:
    """Dismiss from the page with a remark."""
    return _act(
        request,
        staff,
        return_id,
        csrf,
        lambda s, o, actor: dismiss(s, o, return_id, remark, actor=actor),
    )


@router.post("/relations/{number}/sbr-on")
def sbr_on(
    request: Request,
    staff: SignedInDep,
    number: str,
    return_id: Annotated[int, Form()],
    csrf: Annotated[str, Form(max_length=100)],
) -> Response:
    """Switch SBR on for the relation's fiscal number of this return; re-decide."""
    _check_csrf(request, csrf)
    engine = _engine(request)
    with unit_of_work(engine) as session:  # re-decide follows the commit (inbox.dispatch)
        office = staff.office(session)
        record = return_detail(session, office, return_id)
        wanted = [c for c in record.candidates if c.relation_number == number]
        if not wanted:
            raise HTTPException(status.HTTP_404_NOT_FOUND, detail="no such relation here")
        set_sbr_settings(
            session,
            office,
            number,
            IdentifierType(wanted[0].identifier_type),
            wanted[0].identifier,
            enabled=True,
            source=staff_actor(staff.email),
        )
    return _to(f"/returns/{return_id}")


def _act(
    request: Request,
    staff: SignedIn,
    return_id: int,
    csrf: str,
    action: Callable[[Session, Office, str], InboxReturn],
) -> Response:
    """Run a staff action on a return, then its effects; refusals come back as a message
    (api.errors)."""
    _check_csrf(request, csrf)
    with unit_of_work(_engine(request)) as session:  # effects follow the commit
        action(session, staff.office(session), staff_actor(staff.email))
    return _to(f"/returns/{return_id}")


def _chart(session: Session, office: Office, days: int = 14) -> dict[str, Any]:
    """Received/matched/unmatched/rejected per day (by arrival), as SVG bars."""
    since = dt.date.today() - dt.timedelta(days=days - 1)
    day = func.date(InboxReturn.received_at)
    counts: Counter[tuple[str, str]] = Counter()
    for when, state, count in session.execute(
        select(day, InboxReturn.status, func.count())
        .where(InboxReturn.office_id == office.id, InboxReturn.received_at >= since)
        .group_by(day, InboxReturn.status)
    ):
        counts[(str(when)[:10], state.value)] += count
    series = ("received", "matched", "unmatched", "rejected")
    dates = [(since + dt.timedelta(days=i)).isoformat() for i in range(days)]
    totals = {d: sum(counts[(d, s)] for s in series[1:]) + counts[(d, "received")] for d in dates}
    peak = max([*totals.values(), 1])
    height, slot, bar = 160, 52, 12
    bars = []
    for i, d in enumerate(dates):
        values = {"received": totals[d], **{s: counts[(d, s)] for s in series[1:]}}
        for j, name in enumerate(series):
            h = round(values[name] / peak * height)
            bars.append(
                {
                    "x": i * slot + j * bar,
                    "y": height - h,
                    "w": bar - 1,
                    "h": h,
                    "color": COLORS[name],
                    "label": f"{d} {name}: {values[name]}",
                }
            )
    return {
        "width": days * slot,
        "height": height,
        "bars": bars,
        "ticks": [{"x": i * slot, "label": d[5:]} for i, d in enumerate(dates)],
        "legend": [
            {"x": k * 110, "label": name, "color": COLORS[name]} for k, name in enumerate(series)
        ],
    }
