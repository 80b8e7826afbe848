"""Faults a real deployment meets: a worker killed mid-upload, the database gone, photo storage unwritable.

The killed worker and the server are real processes on a SQLite file and a media folder of their own (as in
tests/test_concurrent_uploads.py); their outcome is read back from the file and the folder directly.
"""

from __future__ import annotations

import contextlib
import datetime
import http.client
import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import textwrap
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from compliance import backup
from compliance.models import Photo
from tests import images
from tests.conftest import stored_files

PROJECT = Path(__file__).resolve().parent.parent
START_TIMEOUT_S = 30
COMMAND_TIMEOUT_S = 180
INHERITED = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR")


@dataclass(frozen=True)
class Instance:
    """A migrated SignWatch with reference data, on its own SQLite file and media folder."""

    env: dict[str, str]
    database: Path
    media_root: Path

    def manage(self, *arguments: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "manage.py", *arguments],
            cwd=PROJECT,
            env=self.env,
            check=True,
            capture_output=True,
            text=True,
            timeout=COMMAND_TIMEOUT_S,
        )

    def count(self, table: str) -> int:
        with sqlite3.connect(self.database, timeout=10) as connection:
            return connection.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]

    def photo_names(self) -> set[str]:
        with sqlite3.connect(self.database, timeout=10) as connection:
            rows = connection.execute("SELECT image, thumbnail FROM compliance_photo").fetchall()
        return {name for row in rows for name in row}

    def files(self) -> set[str]:
        return {path.relative_to(self.media_root).as_posix() for path in stored_files(self.media_root)}


@dataclass(frozen=True)
class Server:
    instance: Instance
    port: int
    process: subprocess.Popen
    log: Path

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            connection.request(method, path, body=body, headers=headers or {})
            response = connection.getresponse()
            return response.status, dict(response.getheaders()), response.read()
        finally:
            connection.close()

    def post_report(self, seed: int):
        boundary = uuid.uuid4().hex
        fields = {"lat": images.AUSTIN[0], "lon": images.AUSTIN[1], "venue_type": "truck_stop", "sign_status": "posted"}
        parts = [
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
            for name, value in fields.items()
        ]
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="photos"; filename="IMG_1.jpg"\r\n'
            "Content-Type: image/jpeg\r\n\r\n".encode()
            + images.jpeg(images.photo_like(640, 480, seed=seed))
            + b"\r\n"
        )
        parts.append(f"--{boundary}--\r\n".encode())
        headers = {"Content-Type": f"multipart/form-data; boundary={boundary}", "Accept": "application/json"}
        return self.request("POST", "/api/observations/", b"".join(parts), headers)


def new_instance(root: Path, *, reference_data: bool = True) -> Instance:
    """Migrate a fresh SQLite file and (by default) load the reference data, as an operator's first commands do."""
    root.mkdir(parents=True, exist_ok=True)
    env = {name: value for name, value in os.environ.items() if name in INHERITED}
    env |= {
        "DJANGO_SETTINGS_MODULE": "backend.settings",
        "DEBUG": "true",
        "SQLITE_PATH": str(root / "signwatch.sqlite3"),
        "MEDIA_ROOT": str(root / "media"),
        "SUBMISSION_RATE": "1000/minute",
        "PYTHONUNBUFFERED": "1",
    }
    instance = Instance(env, root / "signwatch.sqlite3", root / "media")
    instance.manage("migrate", "--noinput")
    if reference_data:
        instance.manage("load_reference_data")
    return instance


@pytest.fixture(scope="module")
def instance(tmp_path_factory) -> Instance:
    return new_instance(tmp_path_factory.mktemp("signwatch-faults"))


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def server(instance) -> Iterator[Server]:
    """The instance served by runserver in threads on 127.0.0.1 (each request opens and closes its connection)."""
    port, log = _free_port(), instance.database.with_name("server.log")
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
            cwd=PROJECT,
            env=instance.env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        try:
            running = Server(instance, port, process, log)
            deadline = time.monotonic() + START_TIMEOUT_S
            while True:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"the server did not start:\n{log.read_text(errors='replace')}")
                try:
                    if running.request("GET", "/api/venue-types/")[0] == 200:
                        break
                except OSError:
                    time.sleep(0.1)
            yield running
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


# --- a worker killed between storing the files and committing the rows ---

# Runs `submit` for real, but stops inside the writing transaction (files stored, rows not committed) and waits
# there to be killed, as a worker would be by the OOM killer or a deploy.
KILLED_WORKER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    import django
    django.setup()
    from compliance import observations, photos
    from compliance.models import VenueType
    from tests import images

    def stop_here(cleaned):
        Path(sys.argv[1]).write_text("files stored, transaction open")
        time.sleep(600)

    observations.find_duplicate = stop_here
    observations.submit(observations.Submission(
        photos=[photos.process(images.jpeg(images.photo_like(640, 480, seed=99)))],
        venue_type=VenueType.objects.get(slug="truck_stop"),
        sign_status="posted",
        point=observations.ReportedPoint(images.AUSTIN[0], images.AUSTIN[1], "device"),
    ))
    """
)


def _kill_a_worker_mid_upload(instance: Instance, marker: Path) -> None:
    worker = subprocess.Popen(
        [sys.executable, "-c", KILLED_WORKER, str(marker)],
        cwd=PROJECT,
        env=instance.env | {"PYTHONPATH": str(PROJECT)},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + COMMAND_TIMEOUT_S
    while not marker.exists():
        if worker.poll() is not None:
            pytest.fail(f"the worker ended before storing its files:\n{worker.stdout.read().decode(errors='replace')}")
        if time.monotonic() > deadline:
            worker.kill()
            pytest.fail("the worker never reached its transaction")
        time.sleep(0.05)
    os.kill(worker.pid, signal.SIGKILL)
    assert worker.wait(timeout=10) == -signal.SIGKILL
    worker.stdout.close()


def test_worker_killed_mid_upload_leaves_no_row_without_its_file_and_prune_removes_its_orphans(server, tmp_path):
    instance = server.instance
    status, _, body = server.post_report(seed=1)
    assert status == 201, body
    recorded = instance.photo_names()
    observations_before = instance.count("compliance_observation")
    assert instance.files() == recorded

    _kill_a_worker_mid_upload(instance, tmp_path / "in-transaction")

    # The rows were never committed: nothing points at a missing file, and the earlier report is intact.
    assert instance.count("compliance_observation") == observations_before
    assert instance.photo_names() == recorded
    assert recorded <= instance.files()
    orphans = instance.files() - recorded
    assert len(orphans) == 2  # the photo and its thumbnail, written before the kill
    assert {name.split("/")[0] for name in orphans} == {"photos", "thumbs"}

    # Within the grace period the files might belong to an upload still in flight: they are left alone.
    output = instance.manage("prune_orphan_photos").stdout
    assert "Deleted 0 orphan photo files; left 2 younger than 60 min" in output
    assert instance.files() - recorded == orphans

    listed = instance.manage("prune_orphan_photos", "--older-than", "0", "--dry-run").stdout.splitlines()
    assert set(listed[:-1]) == orphans
    assert listed[-1].startswith("Would delete 2 orphan photo files")
    assert instance.files() - recorded == orphans

    output = instance.manage("prune_orphan_photos", "--older-than", "0").stdout
    assert output.startswith("Deleted 2 orphan photo files") and "0 files named by photo rows are missing" in output
    assert instance.files() == recorded == instance.photo_names()


def _report(api, seed: int) -> Photo:
    data = {"lat": images.AUSTIN[0], "lon": images.AUSTIN[1], "venue_type": "truck_stop", "sign_status": "posted"}
    data["photos"] = [SimpleUploadedFile("IMG_1.jpg", images.jpeg(images.photo_like(640, 480, seed=seed)))]
    response = api.post("/api/observations/", data, format="multipart")
    assert response.status_code == 201, response.json()
    return Photo.objects.get(observation__public_id=response.json()["id"])


def test_audit_finds_rows_whose_files_are_missing(api):
    kept, damaged = _report(api, seed=1), _report(api, seed=2)
    assert backup.photos_missing_files() == []

    default_storage.delete(damaged.thumbnail.name)

    assert backup.photos_missing_files() == [damaged]
    audit = backup.audit_photo_files()
    assert audit.missing == (damaged.thumbnail.name,)
    assert audit.orphans == () and audit.referenced == 4
    assert default_storage.exists(kept.image.name) and default_storage.exists(kept.thumbnail.name)


def test_prune_spares_young_files_and_every_file_a_row_names(api):
    photo = _report(api, seed=3)
    orphan = default_storage.save(Photo.new_image_name(), ContentFile(b"left by a killed worker"))

    assert backup.prune_orphan_photos().recent_orphans == 1
    assert default_storage.exists(orphan)

    later = backup.audit_photo_files(now=default_storage.get_modified_time(orphan) + datetime.timedelta(hours=2))
    assert later.orphans == (orphan,)

    pruned = backup.prune_orphan_photos(older_than=datetime.timedelta(0))
    assert pruned.orphans == (orphan,)
    assert not default_storage.exists(orphan)
    assert default_storage.exists(photo.image.name) and default_storage.exists(photo.thumbnail.name)


# --- the database unavailable ---


@contextlib.contextmanager
def database_gone(database: Path) -> Iterator[None]:
    """Take the SQLite file away (a directory in its place, so it cannot be re-created empty), then put it back."""
    with sqlite3.connect(database) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    aside = database.parent / "aside"
    aside.mkdir()
    moved = [path for path in database.parent.glob(database.name + "*") if path.is_file()]
    for path in moved:
        path.rename(aside / path.name)
    database.mkdir()
    try:
        yield
    finally:
        shutil.rmtree(database)
        for path in database.parent.glob(database.name + "-*"):
            path.unlink()  # anything SQLite made beside the directory
        for path in moved:
            (aside / path.name).rename(path)
        aside.rmdir()


def test_database_unavailable_answers_503_and_recovers_without_a_restart(server):
    assert server.request("GET", "/api/venue-types/")[0] == 200
    pid = server.process.pid

    with database_gone(server.instance.database):
        status, headers, body = server.request("GET", "/api/venue-types/", headers={"Accept": "application/json"})
        assert status == 503, body
        assert json.loads(body)["code"] == "database_unavailable"
        assert headers["Content-Type"] == "application/json"
        assert int(headers["Retry-After"]) > 0

        status, headers, body = server.request("GET", "/j/TX/")
        assert status == 503, body
        assert headers["Content-Type"].startswith("text/html")
        assert b"Temporarily unavailable" in body and "Retry-After" in headers

    status, _, body = server.request("GET", "/api/venue-types/")
    assert status == 200, body
    assert server.request("GET", "/j/TX/")[0] == 200
    assert server.process.poll() is None and server.process.pid == pid


def test_database_lost_after_the_view_still_answers_503(db, monkeypatch):
    """The session is saved by a middleware after the view: a database lost then is a 503 too, not a 500."""
    from django.contrib.auth.models import User
    from django.contrib.sessions.backends.db import SessionStore
    from django.db.utils import OperationalError
    from django.test import Client

    User.objects.create_user("staff", password="a-long-test-password")
    saved = SessionStore.save

    def save_fails_after_the_view(self, must_create=False):
        if must_create:  # the new session made by login(), inside the view
            return saved(self, must_create=True)
        raise OperationalError("server closed the connection unexpectedly")  # SessionMiddleware's save

    monkeypatch.setattr(SessionStore, "save", save_fails_after_the_view)
    client = Client(raise_request_exception=False)
    response = client.post("/accounts/login/", {"username": "staff", "password": "a-long-test-password"})
    assert response.status_code == 503
    assert b"Temporarily unavailable" in response.content and int(response["Retry-After"]) > 0


# --- photo storage unwritable ---


def _make_unwritable(media_root: Path) -> str:
    """Put a real write failure at MEDIA_ROOT: a read-only folder, or where permissions don't bind (root), a file."""
    media_root.mkdir()
    media_root.chmod(0o500)
    try:
        (media_root / "probe").write_bytes(b"")
    except PermissionError:
        return "read-only folder"
    (media_root / "probe").unlink()
    media_root.chmod(0o700)
    media_root.rmdir()
    media_root.write_bytes(b"a regular file where the photo folder should be")
    return "regular file"


def test_unwritable_photo_storage_answers_503_and_records_nothing(server):
    instance = server.instance
    aside = instance.media_root.with_name("media-aside")
    if instance.media_root.exists():
        instance.media_root.rename(aside)
    observations_before = instance.count("compliance_observation")
    photos_before = instance.count("compliance_photo")
    fault = _make_unwritable(instance.media_root)
    try:
        status, _, body = server.post_report(seed=7)
        assert status == 503, (fault, body)
        assert json.loads(body)["code"] == "storage_unavailable"
        assert instance.count("compliance_observation") == observations_before
        assert instance.count("compliance_photo") == photos_before
        if instance.media_root.is_dir():
            assert stored_files(instance.media_root) == []
    finally:
        if instance.media_root.is_dir():
            instance.media_root.chmod(0o700)
            shutil.rmtree(instance.media_root)
        else:
            instance.media_root.unlink()
        if aside.exists():
            aside.rename(instance.media_root)

    status, _, body = server.post_report(seed=8)
    assert status == 201, body
    assert instance.count("compliance_observation") == observations_before + 1
