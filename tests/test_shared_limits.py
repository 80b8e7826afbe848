"""The sign-in lockout holds on a real multi-process deployment: gunicorn with several workers, default settings.

Each worker is its own process, so a limit counted in process memory would be counted once per worker. Here twelve
clients guess one account's password at the same moment, spread over three workers; exactly five passwords may be
checked, whichever worker each guess reaches.
"""

from __future__ import annotations

import http.client
import os
import re
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

PROJECT = Path(__file__).resolve().parent.parent
WORKERS = 3
GUESSES = 12
START_TIMEOUT_S = 60
INHERITED = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR")
USERNAME = "volunteer-coordinator"
PASSWORD = "the-right-password-for-tests"


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
        "PYTHONUNBUFFERED": "1",
    }
    _manage("migrate", "--noinput", env=env)  # makes the limits cache's table too
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
