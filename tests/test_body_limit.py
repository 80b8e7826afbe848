"""The request body cap in front of Django under ASGI (WSGI is tried under gunicorn in test_shared_limits.py)."""

from __future__ import annotations

import asyncio
import json

from compliance.bodylimit import ASGIBodyLimit


class Echo:
    """An ASGI app that answers with the body it read: what Django would have been handed."""

    async def __call__(self, scope, receive, send):
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": body})


def run(headers: list[tuple[bytes, bytes]], pieces: list[bytes]) -> tuple[int, bytes, int]:
    """Status and body of the answer, and how many body pieces the wrapper read from the client."""
    read = 0
    answer: dict = {"body": b""}

    async def receive():
        nonlocal read
        read += 1
        return {"type": "http.request", "body": pieces[read - 1], "more_body": read < len(pieces)}

    async def send(message):
        if message["type"] == "http.response.start":
            answer["status"] = message["status"]
        else:
            answer["body"] += message.get("body", b"")

    scope = {"type": "http", "method": "POST", "path": "/api/observations/", "headers": headers}
    asyncio.run(ASGIBodyLimit(Echo())(scope, receive, send))
    return answer["status"], answer["body"], read


def test_asgi_refuses_a_declared_length_over_the_cap_without_reading(settings):
    settings.REQUEST_MAX_BYTES = 1000
    status, body, read = run([(b"content-length", b"5000")], [b"x" * 1000] * 5)
    assert (status, json.loads(body)["code"], read) == (413, "request_too_large", 0)


def test_asgi_refuses_a_streamed_body_once_it_passes_the_cap(settings):
    settings.REQUEST_MAX_BYTES = 1000
    status, body, read = run([], [b"x" * 400] * 50)
    assert (status, json.loads(body)["code"]) == (413, "request_too_large")
    assert read == 3  # 1200 bytes read of 20,000: the rest was never taken from the client


def test_asgi_hands_a_body_within_the_cap_to_the_app_whole(settings):
    settings.REQUEST_MAX_BYTES = 1000
    status, body, _read = run([(b"content-length", b"900")], [b"a" * 300, b"b" * 300, b"c" * 300])
    assert (status, body) == (200, b"a" * 300 + b"b" * 300 + b"c" * 300)
