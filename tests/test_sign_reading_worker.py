"""A real `manage.py db_worker` process (django-tasks-db) reads a photo uploaded through the API.

Runs on whichever database the suite runs on: SQLite here, and PostgreSQL too in CI (.ci/run).
"""

from __future__ import annotations

import random

import pytest
from django_tasks_db.models import DBTaskResult
from rest_framework.test import APIClient

from compliance.models import SignReading
from tests import sign_photos, workers
from tests.test_observations import AUSTIN, at, post


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

    worker = workers.run_db_worker(media_root)
    assert worker.returncode == 0, worker.stderr[-3000:]

    queued.refresh_from_db()
    assert queued.status == "SUCCESSFUL", worker.stderr[-3000:]
    reading = SignReading.objects.get()
    assert reading.photo.observation.public_id.hex == response.json()["id"].replace("-", "")
    assert reading.hotline_found and reading.text_line_found
    assert reading.languages == ["Spanish"]
