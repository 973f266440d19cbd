"""Signing in and out of the staff page."""

from __future__ import annotations

import math
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from api.errors import SignInRequiredError
from api.pages.common import (
    CsrfField,
    check_csrf,
    engine_of,
    local_path,
    page,
    redirect,
    signed_in,
)
from api.review import NO_NUL
from api.throttle import SignInThrottle
from crm.staff import HashingBusyError, check_password, end_sessions
from models import session_scope

__all__ = ["router"]

router = APIRouter(include_in_schema=False)


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, next: str | None = None) -> Response:
    """The sign-in form (``next``: where to go afterwards, a path on this site)."""
    return page(request, "login.html", {"next": local_path(next), "entered": ""})


@router.post("/login")
def login(
    request: Request,
    email: Annotated[str, Form(max_length=254, pattern=NO_NUL)],
    password: Annotated[str, Form(max_length=200)],
    csrf: CsrfField,
    next: Annotated[str, Form(max_length=500, pattern=NO_NUL)] = "/",
) -> Response:
    """Check the password and start a session (throttled per account, each client waiting its
    own turn: api.throttle)."""
    check_csrf(request, csrf)
    back = local_path(next)
    client = _client(request)
    throttle: SignInThrottle = request.app.state.sign_in_throttle

    def again(message: str, code: int) -> Response:
        # The e-mail stays filled in: only the password is typed again.
        context = {"message": message, "next": back, "entered": email}
        return page(request, "login.html", context, code=code)

    wait = throttle.wait_seconds(email, client)
    if wait > 0:
        return again(
            f"Te veel mislukte pogingen. Probeer het over {math.ceil(wait)} seconden opnieuw.", 429
        )
    try:
        with session_scope(engine_of(request)) as session:
            user = check_password(session, email, password)
            if user is None:
                throttle.failed(email, client)
                return again("Dit e-mailadres en wachtwoord horen niet bij elkaar.", 401)
            throttle.succeeded(email, client)
            request.session.clear()
            request.session["staff_id"] = user.id
            request.session["secret"] = user.session_secret
    except HashingBusyError:
        return again("Het is nu te druk om aan te melden. Probeer het zo opnieuw.", 503)
    return redirect(back)


@router.post("/logout")
def logout(request: Request, csrf: CsrfField) -> Response:
    """End the session: every cookie of this staff member stops working, not just this one."""
    check_csrf(request, csrf)
    try:
        staff = signed_in(request)
    except SignInRequiredError:
        pass  # nothing to end
    else:
        with session_scope(engine_of(request)) as session:
            end_sessions(session, staff.email)
    request.session.clear()
    return redirect("/login")


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"
