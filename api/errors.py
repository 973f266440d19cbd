"""The service functions' errors, answered once per app instead of in every handler.

For the API (paths under ``/api/``): not found -> 404, a refused action -> 409, invalid data ->
422, each as ``{"detail": ...}`` (a refusal with Dutch words for the page adds ``"dutch"``).
For the page: not signed in -> the sign-in page; not found -> 404; a refused action or invalid
data -> back to the page the form was on, with the reason shown there (in Dutch where the
error has it).
"""

from __future__ import annotations

from urllib.parse import quote, urlsplit

from fastapi import FastAPI, Request, status
from fastapi.exception_handlers import (
    http_exception_handler,
    request_validation_exception_handler,
)
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.paths import local_path
from crm.errors import CrmError, InvalidRowsError, NotFoundError
from inbox.errors import ActionRefusedError, ReturnNotFoundError
from planner.errors import PlannerError

__all__ = ["SignInRequiredError", "StaleFormError", "install_error_handlers"]


class SignInRequiredError(Exception):
    """The page was asked for without a live session."""


class StaleFormError(Exception):
    """A form posted without a live session: its page was from before the session ended."""


def install_error_handlers(app: FastAPI) -> None:
    """Register the handlers on ``app``."""

    @app.exception_handler(SignInRequiredError)
    async def sign_in(request: Request, _exc: Exception) -> Response:
        if request.method != "GET":  # a form from a page whose session has ended
            return _sign_in_again(request)
        # Back to the page asked for once signed in.
        back = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        query = f"?next={quote(back)}" if back != "/" else ""
        return RedirectResponse(f"/login{query}", status_code=status.HTTP_303_SEE_OTHER)

    @app.exception_handler(StaleFormError)
    async def stale(request: Request, _exc: Exception) -> Response:
        return _sign_in_again(request)

    @app.exception_handler(RequestValidationError)
    async def invalid_form(request: Request, exc: Exception) -> Response:
        if _is_api(request) or not _is_page(request):
            return await request_validation_exception_handler(request, exc)  # type: ignore[arg-type]
        assert isinstance(exc, RequestValidationError)  # noqa: S101 - registered for this type
        if any(error["loc"][0] == "path" for error in exc.errors()):
            # A path no page has (an id past the database's range): not a form to fill in again.
            return error_page(request, status.HTTP_404_NOT_FOUND, "Niet gevonden.")
        return _back(request, "Het formulier is niet volledig of niet juist ingevuld.")

    @app.exception_handler(ReturnNotFoundError)
    @app.exception_handler(NotFoundError)
    async def not_found(request: Request, exc: Exception) -> Response:
        if not _is_api(request):
            return error_page(request, status.HTTP_404_NOT_FOUND, "Niet gevonden.")
        return JSONResponse({"detail": str(exc)}, status_code=status.HTTP_404_NOT_FOUND)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)  # noqa: S101 - registered for this type
        if _is_api(request) or not _is_page(request):
            return await http_exception_handler(request, exc)
        text = DUTCH_STATUS.get(exc.status_code, str(exc.detail))
        if exc.status_code == status.HTTP_403_FORBIDDEN and isinstance(exc.detail, str):
            text = exc.detail
        return error_page(request, exc.status_code, text)

    @app.exception_handler(InvalidRowsError)
    async def invalid(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, InvalidRowsError)  # noqa: S101 - registered for this type
        if not _is_api(request):
            problems = "; ".join(e.dutch or f"{e.field}: {e.message}" for e in exc.errors)
            return _back(request, f"Niet opgeslagen, controleer de invoer ({problems}).")
        detail = [{"field": e.field, "message": e.message} for e in exc.errors]
        return JSONResponse({"detail": detail}, status_code=status.HTTP_422_UNPROCESSABLE_CONTENT)

    @app.exception_handler(ActionRefusedError)
    @app.exception_handler(PlannerError)
    @app.exception_handler(CrmError)
    async def refused(request: Request, exc: Exception) -> Response:
        dutch = getattr(exc, "dutch", None)
        if not _is_api(request):
            return _back(request, dutch or f"Niet gelukt: {exc}")
        # The staff page's words too, where the error has them ("is al aangemaakt").
        body = {"detail": str(exc)} if dutch is None else {"detail": str(exc), "dutch": dutch}
        return JSONResponse(body, status_code=status.HTTP_409_CONFLICT)


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _is_page(request: Request) -> bool:
    # The staff page's paths; /docs, /openapi.json, /metrics, /healthz keep FastAPI's answers.
    return not request.url.path.startswith(("/docs", "/redoc", "/openapi", "/metrics", "/static"))


DUTCH_STATUS = {
    status.HTTP_404_NOT_FOUND: "Niet gevonden.",
    status.HTTP_405_METHOD_NOT_ALLOWED: "Dit kan zo niet (verkeerde methode).",
    status.HTTP_422_UNPROCESSABLE_CONTENT: "Het formulier is niet volledig of niet juist ingevuld.",
}


def _sign_in_again(request: Request) -> Response:
    """To the sign-in page with a Dutch message, then back to the page the form was on (the
    form itself is not replayed: the user sees the page again and decides)."""
    referer = urlsplit(request.headers.get("referer", ""))
    back = local_path(referer.path + (f"?{referer.query}" if referer.query else ""))
    request.session.clear()
    request.session["message"] = (
        "Uw sessie was verlopen; het formulier is niet verwerkt. Meld u opnieuw aan en "
        "probeer het nog eens."
    )
    return RedirectResponse(f"/login?next={quote(back)}", status_code=status.HTTP_303_SEE_OTHER)


def error_page(request: Request, code: int, text: str) -> Response:
    """A Dutch page for an error of the staff page."""
    from api.pages.common import templates  # noqa: PLC0415 - the pages import this module

    return templates.TemplateResponse(
        request,
        "error.html",
        {"code": code, "text": text, "office": None, "email": None, "message": None},
        status_code=code,
    )


def _back(request: Request, message: str) -> Response:
    """Back to the page the form was posted from (same site only), with the message."""
    request.session["message"] = message
    referer = urlsplit(request.headers.get("referer", ""))
    same_site = not referer.netloc or referer.netloc == request.url.netloc
    path = referer.path
    target = path if same_site and path.startswith("/") and not path.startswith("//") else "/"
    return RedirectResponse(target, status_code=status.HTTP_303_SEE_OTHER)
