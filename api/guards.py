"""What every request passes before an endpoint sees it (pure ASGI middleware, in order):

1. :class:`SecurityHeaders`: every response says ``nosniff``, may not be framed, leaks no
   referrer and carries a Content-Security-Policy (the page uses no script at all).
2. :class:`BodyLimit`: a body over ``limit`` bytes is refused with 413 *before it is read*
   (by its Content-Length) or as soon as it passes the limit (chunked), for every path but the
   intake, which has its own streaming limit. The audit took the API to 1.37 GB with one
   unauthenticated 400 MB POST; every endpoint but the intake needs a few KB.
3. :class:`BearerFirst`: the review API's bearer token is checked before the body is parsed,
   so an anonymous caller costs one indexed lookup and nothing more. The staff member found is
   left in the request state for the endpoint's dependency.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable

import anyio
from sqlalchemy import Engine
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from crm.staff import staff_for_token
from models import session_scope

__all__ = [
    "STAFF_STATE",
    "BearerFirst",
    "BodyLimit",
    "SecurityHeaders",
    "StaffCaller",
    "bearer_token",
]

#: The review API's paths (not the intake, which has its own key).
_REVIEW_API = re.compile(r"^/api/offices/[^/]+/(?!inbox/?$)")
#: Where BearerFirst leaves the caller for the endpoint.
STAFF_STATE = "staff_caller"

PAGE_POLICY = (
    "default-src 'self'; script-src 'none'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
# /docs and /redoc load their scripts from this server (fastapi-offline) and start them inline.
_DOCS_POLICY = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; worker-src blob:; frame-ancestors 'none'; base-uri 'none'"
)
_DOCS_PATHS = ("/docs", "/redoc")


async def _answer(send: Send, status: int, detail: str, headers: list[tuple[bytes, bytes]]) -> None:
    body = json.dumps({"detail": detail}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                *headers,
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class SecurityHeaders:
    """Adds the security headers to every HTTP response that does not set its own."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        docs = scope["path"].startswith(_DOCS_PATHS)
        policy = (_DOCS_POLICY if docs else PAGE_POLICY).encode()

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                for name, value in (
                    (b"x-content-type-options", b"nosniff"),
                    (b"x-frame-options", b"DENY"),
                    (b"referrer-policy", b"same-origin"),
                    (b"content-security-policy", policy),
                ):
                    if name not in present:
                        headers.append((name, value))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


class _TooLargeError(Exception):
    """The body passed the limit while being read."""


class BodyLimit:
    """Refuses request bodies over ``limit`` bytes (413) except on paths ``exempt`` names."""

    def __init__(self, app: ASGIApp, *, limit: int, exempt: Callable[[str], bool]) -> None:
        self.app = app
        self.limit = limit
        self.exempt = exempt

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self.exempt(scope["path"]):
            await self.app(scope, receive, send)
            return
        refusal = f"the request body is over the limit of {self.limit:,} bytes"
        for name, value in scope["headers"]:
            if name == b"content-length" and (not value.isdigit() or int(value) > self.limit):
                await _answer(send, 413, refusal, [(b"connection", b"close")])
                return
        seen = 0
        exceeded = answered = False

        async def counted_receive() -> Message:
            nonlocal seen, exceeded
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    exceeded = True
                    raise _TooLargeError
            return message

        async def tracked_send(message: Message) -> None:
            # The endpoint may turn the interrupted read into an answer of its own (FastAPI
            # says 400); the caller is told the real reason instead.
            nonlocal answered
            if not exceeded:
                answered = answered or message["type"] == "http.response.start"
                await send(message)
            elif not answered:
                answered = True
                await _answer(send, 413, refusal, [(b"connection", b"close")])

        try:
            await self.app(scope, counted_receive, tracked_send)
        except _TooLargeError:
            if not answered:
                await _answer(send, 413, refusal, [(b"connection", b"close")])


class StaffCaller:
    """The staff member behind a valid bearer token."""

    __slots__ = ("email", "office_code", "office_id")

    def __init__(self, email: str, office_id: int, office_code: str) -> None:
        self.email = email
        self.office_id = office_id
        self.office_code = office_code


class BearerFirst:
    """Checks the review API's bearer token before anything reads the request body."""

    def __init__(self, app: ASGIApp, *, engine: Callable[[], Engine]) -> None:
        self.app = app
        self.engine = engine

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not _REVIEW_API.match(scope["path"]):
            await self.app(scope, receive, send)
            return
        token = bearer_token(scope["headers"])
        caller = None if token is None else await anyio.to_thread.run_sync(self._lookup, token)
        if caller is None:
            await _answer(
                send,
                401,
                "a staff bearer token is required",
                [(b"www-authenticate", b"Bearer")],
            )
            return
        scope.setdefault("state", {})[STAFF_STATE] = caller
        await self.app(scope, receive, send)

    def _lookup(self, token: str) -> StaffCaller | None:
        with session_scope(self.engine()) as session:
            found = staff_for_token(session, token)
            if found is None:
                return None
            user, office = found
            return StaffCaller(user.email, office.id, office.code)


def bearer_token(headers: Iterable[tuple[bytes, bytes]]) -> str | None:
    """The token of an ``Authorization: Bearer ...`` header in raw ASGI headers, or None."""
    for name, value in headers:
        if name == b"authorization":
            scheme, _, credentials = value.decode("latin-1").partition(" ")
            if scheme.lower() == "bearer" and credentials.strip():
                return credentials.strip()
    return None
