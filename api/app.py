"""The FastAPI application factory (``sbr-inbox serve`` runs it with uvicorn)."""

from __future__ import annotations

from fastapi import FastAPI

from api import intake, metrics, review
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
    app.state.engine = make_engine(database_url or get_settings().database_url)
    app.include_router(intake.router)
    app.include_router(metrics.router)
    app.include_router(review.router)

    @app.get("/healthz", tags=["operations"])
    def healthz() -> dict[str, str]:
        """Liveness: the process answers."""
        return {"status": "ok"}

    return app
