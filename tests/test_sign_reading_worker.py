"""A real `manage.py db_worker` process (django-tasks-db) reads a photo uploaded through the API.

Runs on whichever database the suite runs on: SQLite here, and PostgreSQL too in CI (.ci/run).
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection
from django_tasks_db.models import DBTaskResult
from rest_framework.test import APIClient

from compliance.models import SignReading
from tests import sign_photos
from tests.test_observations import AUSTIN, at, post

REPO_ROOT = Path(__file__).resolve().parent.parent


def database_url() -> str:
    """The address of the database this test runs against (the test database), for another process to open."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    credentials = quote(db["USER"] or "") + (f":{quote(db['PASSWORD'])}" if db.get("PASSWORD") else "")
    return f"postgres://{credentials}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.mark.django_db(transaction=True)
def test_a_db_worker_process_reads_an_uploaded_photo(committed_registry, settings, media_root):
    settings.SIGN_READING = True
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    sign = sign_photos.spanish_sign("888-373-7888")
    photo = sign_photos.to_jpeg(sign_photos.photograph(sign, random.Random(7), tilt=0.15))

    response = post(APIClient(), photo, **at(AUSTIN))
    assert response.status_code == 201, response.json()
    # The request only queued the reading.
    assert not SignReading.objects.exists()
    [queued] = DBTaskResult.objects.all()
    assert queued.status == "READY"
    assert queued.task_path == "compliance.tasks.read_sign"

    worker = subprocess.run(
        [sys.executable, "manage.py", "db_worker", "--batch", "--no-startup-delay"],
        cwd=REPO_ROOT,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.settings",
            "TASKS_BACKEND": "database",
            "DATABASE_URL": database_url(),
            "MEDIA_ROOT": str(media_root),
        },
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert worker.returncode == 0, worker.stderr[-3000:]

    queued.refresh_from_db()
    assert queued.status == "SUCCESSFUL", worker.stderr[-3000:]
    reading = SignReading.objects.get()
    assert reading.photo.observation.public_id.hex == response.json()["id"].replace("-", "")
    assert reading.hotline_found and reading.text_line_found
    assert reading.languages == ["Spanish"]
