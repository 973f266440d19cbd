"""The FastAPI application factory (``sbr-inbox serve`` runs it with uvicorn)."""

from __future__ import annotations

import secrets
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.middleware.sessions import SessionMiddleware

from api import intake, metrics, review, web
from config import get_settings
from models import make_engine

__all__ = ["create_app"]


def create_app(database_url: str | None = None) -> FastAPI:
    """The API on the settings' database (or ``database_url``)."""
    app = FastAPI(
        title="SBR inbox",
        version="0.1.0",
        description="Intake of SBR messages, review of what could not be placed, operations.",
    )
    settings = get_settings()
    app.state.engine = make_engine(database_url or settings.database_url)
    app.include_router(intake.router)
    app.include_router(metrics.router)
    app.include_router(review.router)
    app.include_router(web.router)
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.secret_key or secrets.token_urlsafe(32),
        session_cookie="sbr_inbox_session",
        same_site="lax",
        https_only=False,  # behind TLS termination in production; the cookie is signed
        max_age=8 * 3600,
    )

    @app.middleware("http")
    async def refuse_nul(request: Request, call_next: Any) -> Any:
        # PostgreSQL text cannot hold NUL; a NUL in a path or query is never meaningful here,
        # so it is a 400 at the door rather than a database error (found by the fuzz test).
        raw = request.url.path + "?" + (request.url.query or "")
        if "\x00" in raw or "%00" in raw.lower():
            return JSONResponse({"detail": "NUL bytes are not allowed"}, status_code=400)
        return await call_next(request)

    @app.get("/healthz", tags=["operations"])
    def healthz() -> dict[str, str]:
        """Liveness: the process answers."""
        return {"status": "ok"}

    return app
