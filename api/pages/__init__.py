"""The staff page (Dutch, server-rendered, no script): one module per page."""

from __future__ import annotations

from fastapi import APIRouter

from api.pages import auth, dashboard, planbord, queue, relations, returns

__all__ = ["router"]

router = APIRouter(include_in_schema=False)
for module in (auth, queue, returns, relations, planbord, dashboard):
    router.include_router(module.router)
