"""A cap on the size of a whole request body, enforced before Django parses a byte of it.

Django caps form fields (DATA_UPLOAD_MAX_MEMORY_SIZE) and the number of files (DATA_UPLOAD_MAX_NUMBER_FILES), but
not the bytes of uploaded files: three 20 MiB photos would be read and written to temporary files before the API
could refuse them. These wrappers sit between the web server and Django (backend/wsgi.py, backend/asgi.py):

- a declared Content-Length over REQUEST_MAX_BYTES is answered 413 at once, before the body is read;
- a chunked body (no Content-Length) is read while it streams and answered 413 as soon as it passes the cap;
  one within the cap is handed to Django with its length, so it is parsed like any other.

A slow body is the web server's and the reverse proxy's business (README: Deployment behind a proxy).
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from typing import Any

from django.conf import settings

CHUNK_BYTES = 64 * 1024

StartResponse = Callable[..., Any]
WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]
Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
ASGIApp = Callable[[Scope, Callable[[], Awaitable[Message]], Callable[[Message], Awaitable[None]]], Awaitable[None]]


def max_bytes() -> int:
    """The largest request body SignWatch reads (settings.REQUEST_MAX_BYTES)."""
    return int(settings.REQUEST_MAX_BYTES)


def declared_length(value: str | bytes | None) -> int | None:
    """A Content-Length as a number, or None when absent or not a number (then the body is treated as streamed)."""
    if not value:
        return None
    text = value.decode("latin-1") if isinstance(value, bytes) else value
    return int(text) if text.strip().isdigit() else None


def too_large_answer(path: str) -> tuple[int, list[tuple[str, str]], bytes]:
    """The 413 answer: JSON under /api/ (the API's error shape), plain text elsewhere."""
    mib = max_bytes() / (1024 * 1024)
    detail = f"The request is larger than the {mib:.0f} MiB SignWatch accepts. Send fewer or smaller photos."
    if path.startswith("/api/"):
        body = json.dumps({"code": "request_too_large", "detail": detail, "field": None}).encode()
        content_type = "application/json"
    else:
        body, content_type = detail.encode(), "text/plain; charset=utf-8"
    headers = [
        ("Content-Type", content_type),
        ("Content-Length", str(len(body))),
        ("Cache-Control", "no-store"),
        ("Connection", "close"),  # the rest of the body is not read: the connection cannot carry another request
    ]
    return 413, headers, body


class WSGIBodyLimit:
    """The WSGI wrapper (gunicorn, runserver)."""

    def __init__(self, app: WSGIApp) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        cap = max_bytes()
        length = declared_length(environ.get("CONTENT_LENGTH"))
        if length is not None and length > cap:
            return self._refuse(environ, start_response)
        if length is None and "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower():
            # Not a with-block: the file becomes the request's input, and goes when the request does.
            body = tempfile.SpooledTemporaryFile(max_size=settings.FILE_UPLOAD_MAX_MEMORY_SIZE)  # noqa: SIM115
            received = 0
            stream = environ["wsgi.input"]
            while chunk := stream.read(CHUNK_BYTES):
                received += len(chunk)
                if received > cap:
                    body.close()
                    return self._refuse(environ, start_response)
                body.write(chunk)
            body.seek(0)
            environ["wsgi.input"] = body
            environ["CONTENT_LENGTH"] = str(received)
        return self.app(environ, start_response)

    @staticmethod
    def _refuse(environ: dict[str, Any], start_response: StartResponse) -> list[bytes]:
        status, headers, body = too_large_answer(environ.get("PATH_INFO", ""))
        start_response(f"{status} Request Entity Too Large", headers)
        return [body]


class ASGIBodyLimit:
    """The ASGI wrapper: Django's ASGI handler reads the whole body before it looks at it, so count it first."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(
        self, scope: Scope, receive: Callable[[], Awaitable[Message]], send: Callable[[Message], Awaitable[None]]
    ) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        cap = max_bytes()
        length = declared_length(dict(scope.get("headers") or []).get(b"content-length"))
        if length is not None and length > cap:
            await self._refuse(scope, send)
            return
        messages: list[Message] = []
        received = 0
        while True:
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request":
                break
            received += len(message.get("body", b""))
            if received > cap:
                await self._refuse(scope, send)
                return
            if not message.get("more_body"):
                break
        replay = iter(messages)

        async def replayed() -> Message:
            return next(replay, None) or await receive()

        await self.app(scope, replayed, send)

    @staticmethod
    async def _refuse(scope: Scope, send: Callable[[Message], Awaitable[None]]) -> None:
        status, headers, body = too_large_answer(scope.get("path", ""))
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [(name.lower().encode(), value.encode()) for name, value in headers],
            }
        )
        await send({"type": "http.response.body", "body": body})
