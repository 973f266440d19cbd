"""The service functions' errors, answered once per app instead of in every handler.

For the API (paths under ``/api/``): not found -> 404, a refused action -> 409, invalid data ->
422, each as ``{"detail": ...}``. For the page: not signed in -> the sign-in page; not found ->
404; a refused action -> back to the page the form was on, with the reason shown there.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from fastapi import FastAPI, Request, status
from fastapi.responses import JSONResponse, RedirectResponse, Response

from crm.errors import CrmError, InvalidRowsError, NotFoundError
from inbox.errors import ActionRefusedError, ReturnNotFoundError
from planner.errors import PlannerError

__all__ = ["SignInRequiredError", "install_error_handlers"]


class SignInRequiredError(Exception):
    """The page was asked for without a live session."""


def install_error_handlers(app: FastAPI) -> None:
    """Register the handlers on ``app``."""

    @app.exception_handler(SignInRequiredError)
    async def sign_in(_request: Request, _exc: Exception) -> Response:
        return RedirectResponse("/login", status_code=status.HTTP_303_SEE_OTHER)

    @app.exception_handler(ReturnNotFoundError)
    @app.exception_handler(NotFoundError)
    async def not_found(_request: Request, exc: Exception) -> Response:
        return JSONResponse({"detail": str(exc)}, status_code=status.HTTP_404_NOT_FOUND)

    @app.exception_handler(InvalidRowsError)
    async def invalid(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, InvalidRowsError)  # noqa: S101 - registered for this type
        if not _is_api(request):
            return _back(request, "; ".join(f"{e.field}: {e.message}" for e in exc.errors))
        detail = [{"field": e.field, "message": e.message} for e in exc.errors]
        return JSONResponse({"detail": detail}, status_code=status.HTTP_422_UNPROCESSABLE_CONTENT)

    @app.exception_handler(ActionRefusedError)
    @app.exception_handler(PlannerError)
    @app.exception_handler(CrmError)
    async def refused(request: Request, exc: Exception) -> Response:
        if not _is_api(request):
            return _back(request, str(exc))
        return JSONResponse({"detail": str(exc)}, status_code=status.HTTP_409_CONFLICT)


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _back(request: Request, message: str) -> Response:
    """Back to the page the form was posted from (same site only), with the message."""
    request.session["message"] = message
    referer = urlsplit(request.headers.get("referer", ""))
    same_site = not referer.netloc or referer.netloc == request.url.netloc
    path = referer.path
    target = path if same_site and path.startswith("/") and not path.startswith("//") else "/"
    return RedirectResponse(target, status_code=status.HTTP_303_SEE_OTHER)
