"""Running a real `manage.py db_worker` process (django-tasks-db) against the test database."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

from django.db import connection

REPO_ROOT = Path(__file__).resolve().parent.parent


def database_url() -> str:
    """The address of the database this test runs against (the test database), for another process to open."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    credentials = quote(db["USER"] or "") + (f":{quote(db['PASSWORD'])}" if db.get("PASSWORD") else "")
    return f"postgres://{credentials}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{db['NAME']}"


def run_db_worker(media_root: Path) -> subprocess.CompletedProcess[str]:
    """Drain the task queue once in a separate `manage.py db_worker --batch` process, and wait for it to stop."""
    return subprocess.run(
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
