"""Twenty volunteers upload at the same moment to a real, threaded server on a SQLite file, as in production.

The server is its own process (migrate, load_reference_data, runserver), so requests really overlap in threads and
commit to the file; nothing here uses the test database or its transactions. The outcome is read back from the
SQLite file and the media folder directly.
"""

from __future__ import annotations

import dataclasses
import http.client
import json
import os
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests import images
from tests.conftest import stored_files

PROJECT = Path(__file__).resolve().parent.parent
UPLOADS = 20
REPEATS = 5
REQUEST_TIMEOUT_S = 60
START_TIMEOUT_S = 30
COMMAND_TIMEOUT_S = 180
# Only what a process needs to run: every SignWatch setting comes from below, none from the caller's environment.
INHERITED = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR")


@dataclass(frozen=True)
class Server:
    port: int
    database: Path
    media_root: Path
    log: Path

    def errors(self) -> str:
        return self.log.read_text(errors="replace")

    def last_errors(self) -> str:
        """The end of the server's output, for a failure message."""
        return self.errors()[-3000:]


@dataclass(frozen=True)
class Answer:
    status: int
    body: dict
    seconds: float


@dataclass(frozen=True)
class Upload:
    key: str
    body: bytes
    content_type: str


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _manage(*arguments: str, env: dict[str, str]) -> None:
    subprocess.run(
        [sys.executable, "manage.py", *arguments],
        cwd=PROJECT,
        env=env,
        check=True,
        capture_output=True,
        timeout=COMMAND_TIMEOUT_S,
    )


def _wait_until_ready(process: subprocess.Popen, port: int, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the server exited with {process.returncode}:\n{log.read_text(errors='replace')}")
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        try:
            connection.request("GET", "/api/venue-types/")
            if connection.getresponse().status == 200:
                return
        except OSError:
            pass
        finally:
            connection.close()
        time.sleep(0.1)
    pytest.fail(f"the server did not answer within {START_TIMEOUT_S} s:\n{log.read_text(errors='replace')}")


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[Server]:
    """A fresh SignWatch on a SQLite file and a media folder of its own, serving 127.0.0.1 in threads."""
    root = tmp_path_factory.mktemp("signwatch-server")
    database, media_root, log = root / "signwatch.sqlite3", root / "media", root / "server.log"
    env = {name: value for name, value in os.environ.items() if name in INHERITED}
    env |= {
        "DJANGO_SETTINGS_MODULE": "backend.settings",
        "DEBUG": "true",
        "SQLITE_PATH": str(database),
        "MEDIA_ROOT": str(media_root),
        "SUBMISSION_RATE": "1000/minute",
        "PYTHONUNBUFFERED": "1",
    }
    _manage("migrate", "--noinput", env=env)
    _manage("load_reference_data", env=env)
    port = _free_port()
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
            cwd=PROJECT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        try:
            _wait_until_ready(process, port, log)
            yield Server(port, database, media_root, log)
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


def _multipart(fields: dict[str, str], photo: bytes) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields.items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="photos"; filename="IMG_0001.jpg"\r\n'
        "Content-Type: image/jpeg\r\n\r\n".encode()
        + photo
        + b"\r\n"
    )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def _report(seed: int) -> Upload:
    fields = {
        "lat": str(images.AUSTIN[0]),
        "lon": str(images.AUSTIN[1]),
        "venue_type": "truck_stop",
        "sign_status": "posted",
    }
    body, content_type = _multipart(fields, images.jpeg(images.photo_like(640, 480, seed=seed)))
    return Upload(key=f"concurrency-{seed}-{uuid.uuid4().hex}", body=body, content_type=content_type)


def _send(port: int, upload: Upload) -> Answer:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT_S)
    started = time.monotonic()
    try:
        connection.request(
            "POST",
            "/api/observations/",
            body=upload.body,
            headers={"Content-Type": upload.content_type, "Idempotency-Key": upload.key, "Accept": "application/json"},
        )
        response = connection.getresponse()
        raw = response.read()
    finally:
        connection.close()
    try:
        body = json.loads(raw)
    except ValueError:
        body = {"unparsed": raw[:500].decode(errors="replace")}
    return Answer(response.status, body, time.monotonic() - started)


def _send_together(port: int, uploads: list[Upload]) -> tuple[list[Answer], float]:
    """Send every upload from its own thread, all released at once; answers in order, and the wall time."""
    barrier = threading.Barrier(len(uploads), timeout=REQUEST_TIMEOUT_S)

    def send(upload: Upload) -> Answer:
        barrier.wait()
        return _send(port, upload)

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=len(uploads)) as pool:
        futures = [pool.submit(send, upload) for upload in uploads]
        answers = [future.result(timeout=REQUEST_TIMEOUT_S * 2) for future in futures]
    return answers, time.monotonic() - started


@dataclass(frozen=True)
class Burst:
    uploads: list[Upload]
    answers: list[Answer]
    seconds: float


@pytest.fixture(scope="module")
def burst(server) -> Burst:
    uploads = [_report(seed) for seed in range(1, UPLOADS + 1)]
    answers, seconds = _send_together(server.port, uploads)
    slowest = max(answer.seconds for answer in answers)
    print(f"\n{UPLOADS} concurrent uploads: {seconds:.2f} s wall, slowest request {slowest:.2f} s")
    return Burst(uploads, answers, seconds)


def _rows(database: Path, query: str) -> list[tuple]:
    with sqlite3.connect(database, timeout=10) as connection:
        return connection.execute(query).fetchall()


def _count(database: Path, table: str) -> int:
    return _rows(database, f"SELECT COUNT(*) FROM {table}")[0][0]


def _assert_every_file_has_its_row(server: Server) -> None:
    named = {name for row in _rows(server.database, "SELECT image, thumbnail FROM compliance_photo") for name in row}
    on_disk = {path.relative_to(server.media_root).as_posix() for path in stored_files(server.media_root)}
    assert len(named) == 2 * _count(server.database, "compliance_photo")
    assert on_disk == named  # every row's files are there, and no file is without its row


def test_twenty_simultaneous_uploads_are_all_recorded_with_their_files(server, burst):
    statuses = [answer.status for answer in burst.answers]
    assert statuses == [201] * UPLOADS, server.last_errors()
    assert "database is locked" not in server.errors()
    assert "Traceback" not in server.errors()

    assert _count(server.database, "compliance_observation") == UPLOADS
    assert _count(server.database, "compliance_photo") == UPLOADS
    recorded_ids = {row[0] for row in _rows(server.database, "SELECT public_id FROM compliance_observation")}
    assert recorded_ids == {uuid.UUID(answer.body["id"]).hex for answer in burst.answers}
    # Every report is at the same truck stop: they join one venue instead of racing to create twenty.
    assert _count(server.database, "compliance_venue") == 1
    assert len(stored_files(server.media_root)) == 2 * UPLOADS
    _assert_every_file_has_its_row(server)


def test_simultaneous_repeats_of_an_upload_answer_its_observation_and_add_nothing(server, burst):
    first = burst.answers[0]
    observations_before = _count(server.database, "compliance_observation")
    answers, seconds = _send_together(server.port, [burst.uploads[0]] * REPEATS)
    print(f"\n{REPEATS} concurrent repeats: {seconds:.2f} s wall")

    assert [answer.status for answer in answers] == [201] * REPEATS, server.last_errors()
    assert {answer.body["id"] for answer in answers} == {first.body["id"]}
    assert {answer.body["receipt"] for answer in answers} == {first.body["receipt"]}
    assert observations_before >= UPLOADS
    assert _count(server.database, "compliance_observation") == observations_before
    assert _count(server.database, "compliance_photo") == observations_before
    _assert_every_file_has_its_row(server)
    assert "database is locked" not in server.errors()


def test_simultaneous_first_sends_of_one_key_record_one_observation_and_no_stray_file(server, burst):
    observations_before = _count(server.database, "compliance_observation")
    upload = _report(seed=UPLOADS + 1)
    answers, seconds = _send_together(server.port, [upload] * REPEATS)
    print(f"\n{REPEATS} concurrent first sends of one key: {seconds:.2f} s wall")

    assert [answer.status for answer in answers] == [201] * REPEATS, server.last_errors()
    assert len({answer.body["id"] for answer in answers}) == 1
    assert _count(server.database, "compliance_observation") == observations_before + 1
    _assert_every_file_has_its_row(server)
    assert "database is locked" not in server.errors()
    assert "Traceback" not in server.errors()


def test_copies_of_one_photo_sent_at_once_are_flagged_as_duplicates(server, burst):
    original = _report(seed=UPLOADS + 2)
    copies = [dataclasses.replace(original, key=f"copy-{n}-{uuid.uuid4().hex}") for n in range(REPEATS)]
    answers, _ = _send_together(server.port, copies)
    assert [answer.status for answer in answers] == [201] * REPEATS, server.last_errors()
    ids = ",".join(f"'{answer.body['id'].replace('-', '')}'" for answer in answers)
    flags = [
        row[0] for row in _rows(server.database, f"SELECT flags FROM compliance_observation WHERE public_id IN ({ids})")
    ]
    assert sum("duplicate_photo" in flag for flag in flags) == REPEATS - 1
