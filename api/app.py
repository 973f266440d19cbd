"""The FastAPI application factory (``sbr-inbox serve`` runs it with uvicorn).

The security measures every request passes are in :mod:`api.guards`; this module puts them in
order, maps the service functions' "not found" to 404 once for every route, and gives the API
its own engine with ``pool_pre_ping`` (after PostgreSQL lost its connections the audit saw 17 of
300 deliveries answered 500; a ping per checkout is cheap next to telling a sender to retry).
"""

from __future__ import annotations

import secrets
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from fastapi_offline import FastAPIOffline
from starlette.middleware.sessions import SessionMiddleware

from api import fixes, intake, metrics, review, web
from api.errors import install_error_handlers
from api.guards import BearerFirst, BodyLimit, SecurityHeaders
from api.throttle import SignInThrottle
from config import get_settings
from inbox.dispatch import install_from_settings
from models import make_engine

__all__ = ["SESSION_COOKIE", "SESSION_MAX_AGE", "create_app"]

SESSION_COOKIE = "sbr_inbox_session"
SESSION_MAX_AGE = 8 * 3600


def create_app(database_url: str | None = None) -> FastAPI:
    """The API on the settings' database (or ``database_url``)."""
    # /docs and /redoc from the package's own copies of Swagger UI and ReDoc: they work offline
    # and under the page's content security policy.
    app = FastAPIOffline(
        title="SBR inbox",
        version="0.1.0",
        description="Intake of SBR messages, review of what could not be placed, operations.",
    )
    settings = get_settings()
    # Celery when a broker is set, else the embedded runner: chosen once, for this process.
    install_from_settings(settings)
    app.state.engine = make_engine(database_url or settings.database_url, pool_pre_ping=True)
    app.state.sign_in_throttle = SignInThrottle()
    app.include_router(intake.router)
    app.include_router(metrics.router)
    app.include_router(review.router)
    app.include_router(fixes.router)
    app.include_router(web.router)
    app.mount("/static", web.static_files(), name="static")

    @app.middleware("http")
    async def refuse_nul(request: Request, call_next: Any) -> Any:
        # PostgreSQL text cannot hold NUL; a NUL in a path or query is never meaningful here,
        # so it is a 400 at the door rather than a database error (found by the fuzz test).
        raw = request.url.path + "?" + (request.url.query or "")
        if "\x00" in raw or "%00" in raw.lower():
            return JSONResponse({"detail": "NUL bytes are not allowed"}, status_code=400)
        return await call_next(request)

    # Starlette runs the middleware added last first: headers, then the body limit, then the
    # bearer check, then sessions.
    app.add_middleware(
        SessionMiddleware,
        # `serve` refuses to start without a strong key outside development (sbr-inbox serve).
        secret_key=settings.secret_key or secrets.token_urlsafe(32),
        session_cookie=SESSION_COOKIE,
        same_site="lax",
        https_only=settings.cookie_secure,
        max_age=SESSION_MAX_AGE,
    )
    app.add_middleware(BearerFirst, engine=lambda: app.state.engine)
    app.add_middleware(BodyLimit, limit=settings.api_body_limit_bytes, exempt=intake.is_intake_path)
    app.add_middleware(SecurityHeaders)

    install_error_handlers(app)

    @app.get("/healthz", tags=["operations"])
    def healthz() -> dict[str, str]:
        """Liveness: the process answers."""
        return {"status": "ok"}

    return app
