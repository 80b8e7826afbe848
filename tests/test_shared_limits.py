"""Limits that must hold on a real deployment: gunicorn with several workers, default settings, raw HTTP.

Each worker is its own process, so a limit counted in process memory would be counted once per worker. Here twelve
clients guess one account's password at the same moment, spread over three workers; exactly five passwords may be
checked, whichever worker each guess reaches. And a request body over the cap is refused before it is read: from
its Content-Length, or while it streams when it is chunked.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import select
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import pytest

from tests import images

PROJECT = Path(__file__).resolve().parent.parent
WORKERS = 3
GUESSES = 12
START_TIMEOUT_S = 60
INHERITED = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR")
USERNAME = "volunteer-coordinator"
PASSWORD = "the-right-password-for-tests"
BODY_CAP = 2 * 1024 * 1024


@dataclass(frozen=True)
class Server:
    port: int
    access_log: Path
    log: Path


def _manage(*arguments: str, env: dict[str, str]) -> None:
    subprocess.run(
        [sys.executable, "manage.py", *arguments], cwd=PROJECT, env=env, check=True, capture_output=True, timeout=180
    )


@pytest.fixture(scope="module")
def gunicorn(tmp_path_factory) -> Iterator[Server]:
    """SignWatch under gunicorn with several workers, on a SQLite file, with the default limits cache."""
    root = tmp_path_factory.mktemp("signwatch-gunicorn")
    env = {name: value for name, value in os.environ.items() if name in INHERITED}
    env |= {
        "DJANGO_SETTINGS_MODULE": "backend.settings",
        "DEBUG": "true",
        "SQLITE_PATH": str(root / "signwatch.sqlite3"),
        "MEDIA_ROOT": str(root / "media"),
        "DJANGO_SUPERUSER_PASSWORD": PASSWORD,
        "REQUEST_MAX_BYTES": str(BODY_CAP),
        "PYTHONUNBUFFERED": "1",
    }
    _manage("migrate", "--noinput", env=env)  # makes the limits cache's table too
    _manage("load_reference_data", env=env)
    _manage("createsuperuser", "--noinput", "--username", USERNAME, "--email", "c@example.org", env=env)
    # A socket bound to a free port before gunicorn starts, handed to it: no port is guessed or hard-coded.
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    port = listener.getsockname()[1]
    access_log, log = root / "access.log", root / "gunicorn.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "--bind",
                f"fd://{listener.fileno()}",
                "--workers",
                str(WORKERS),
                "--access-logfile",
                str(access_log),
                "--access-logformat",
                "%(p)s %(m)s %(U)s %(s)s",
                "backend.wsgi",
            ],
            cwd=PROJECT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            pass_fds=(listener.fileno(),),
        )
        try:
            _wait_for_workers(process, port, log)
            yield Server(port, access_log, log)
        finally:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
            listener.close()


def _wait_for_workers(process: subprocess.Popen, port: int, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"gunicorn exited with {process.returncode}:\n{log.read_text(errors='replace')}")
        booted = log.read_text(errors="replace").count("Booting worker")
        if booted >= WORKERS:
            try:
                if _request(port, "GET", "/accounts/login/")[0] == 200:
                    return
            except OSError:
                pass
        time.sleep(0.2)
    pytest.fail(f"gunicorn did not start within {START_TIMEOUT_S} s:\n{log.read_text(errors='replace')}")


def _request(port: int, method: str, path: str, body: str = "", headers: dict | None = None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request(method, path, body=body.encode(), headers=headers or {})
        response = connection.getresponse()
        return response.status, response.getheaders(), response.read().decode(errors="replace")
    finally:
        connection.close()


def _guess(port: int, password: str) -> int:
    """One client: fetch the form (for its CSRF cookie and token), then send a username and password."""
    _status, headers, page = _request(port, "GET", "/accounts/login/")
    cookie = next(
        value.split(";")[0] for name, value in headers if name.lower() == "set-cookie" and "csrftoken" in value
    )
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    body = urlencode({"username": USERNAME, "password": password, "csrfmiddlewaretoken": token})
    status, _headers, _page = _request(
        port,
        "POST",
        "/accounts/login/",
        body,
        {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie},
    )
    return status


def test_five_failures_per_username_hold_across_gunicorn_workers(gunicorn):
    with ThreadPoolExecutor(max_workers=GUESSES) as pool:
        statuses = list(pool.map(lambda n: _guess(gunicorn.port, f"wrong-guess-{n}"), range(GUESSES)))
    # 200: the form again, "wrong password" (the password was checked); 429: refused without checking it.
    assert sorted(statuses) == [200] * 5 + [429] * (GUESSES - 5), statuses
    # Now locked: even the right password is not checked, whichever worker answers.
    assert [_guess(gunicorn.port, PASSWORD) for _ in range(WORKERS)] == [429] * WORKERS
    posts = [line.split() for line in gunicorn.access_log.read_text().splitlines() if " POST /accounts/login/ " in line]
    assert len({pid for pid, *_ in posts}) >= 2, "the guesses all reached one worker: the test proved nothing"


# --- the request body cap ---


def _raw(port: int) -> socket.socket:
    connection = socket.create_connection(("127.0.0.1", port), timeout=30)
    return connection


def _read_answer(connection: socket.socket) -> tuple[int, bytes]:
    """Status and body of the HTTP answer on a raw connection (the server closes it after answering)."""
    data = b""
    while chunk := connection.recv(65536):
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head.split(b" ", 2)[1]), body


def _headers(extra: str) -> bytes:
    return (
        "POST /api/observations/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        "Content-Type: multipart/form-data; boundary=cap\r\n" + extra + "\r\n"
    ).encode()


def test_a_declared_length_over_the_cap_is_refused_before_the_body_is_sent(gunicorn):
    with _raw(gunicorn.port) as connection:
        connection.sendall(_headers(f"Content-Length: {60 * 1024 * 1024}\r\n"))  # three 20 MiB photos, announced
        status, body = _read_answer(connection)  # answered with not one byte of the body sent
    assert status == 413
    assert json.loads(body) == {"code": "request_too_large", "detail": json.loads(body)["detail"], "field": None}


def test_a_chunked_body_is_refused_as_soon_as_it_passes_the_cap(gunicorn):
    sent = 0
    piece = b"x" * (256 * 1024)
    with _raw(gunicorn.port) as connection:
        connection.sendall(_headers("Transfer-Encoding: chunked\r\n"))
        try:
            while sent < 20 * BODY_CAP and not select.select([connection], [], [], 0)[0]:
                connection.sendall(b"%x\r\n" % len(piece) + piece + b"\r\n")
                sent += len(piece)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server stopped reading: that is the point
        status, body = _read_answer(connection)
    assert status == 413 and json.loads(body)["code"] == "request_too_large"
    # It answered while the body was still coming, a little after the cap (socket buffers hold some in flight).
    assert sent < 4 * BODY_CAP, sent


def test_a_chunked_body_within_the_cap_is_a_report_like_any_other(gunicorn):
    photo = images.jpeg(images.photo_like(640, 480, seed=3))
    fields = {"lat": "30.2672", "lon": "-97.7431", "venue_type": "truck_stop", "sign_status": "posted"}
    body = b"".join(
        f'--cap\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields.items()
    )
    body += b'--cap\r\nContent-Disposition: form-data; name="photos"; filename="a.jpg"\r\n'
    body += b"Content-Type: image/jpeg\r\n\r\n" + photo + b"\r\n--cap--\r\n"
    with _raw(gunicorn.port) as connection:
        connection.sendall(_headers("Transfer-Encoding: chunked\r\nConnection: close\r\n"))
        for start in range(0, len(body), 10_000):
            piece = body[start : start + 10_000]
            connection.sendall(b"%x\r\n" % len(piece) + piece + b"\r\n")
        connection.sendall(b"0\r\n\r\n")
        status, answer = _read_answer(connection)
    assert status == 201, answer
    assert json.loads(answer)["review_status"] == "pending"
