"""Settings come from the environment: production-like values pass `check --deploy`, bad values fail loudly."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parent.parent
PRODUCTION_LIKE = {
    "DEBUG": "false",
    "SECRET_KEY": "a-long-random-production-secret-0123456789-abcdefghijklmnopqrstuvwxyz",
    "ALLOWED_HOSTS": "signwatch.example.org",
}


def run_manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Run manage.py with a clean environment plus the given variables, as an operator would."""
    base = {key: value for key, value in os.environ.items() if key in ("PATH", "HOME", "LANG", "SYSTEMROOT")}
    base["DJANGO_SETTINGS_MODULE"] = "backend.settings"
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=PROJECT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_pass_check_deploy_silently():
    result = run_manage("check", "--deploy", "--fail-level", "DEBUG", env=PRODUCTION_LIKE)
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_missing_secret_key_without_debug_fails_loudly():
    result = run_manage("check", env={"DEBUG": "false"})
    assert result.returncode != 0
    assert "SECRET_KEY is required" in result.stderr


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("DEBUG", "maybe", "DEBUG must be true or false"),
        ("SQLITE_BUSY_TIMEOUT_S", "soon", "SQLITE_BUSY_TIMEOUT_S must be a whole number"),
        ("TASKS_BACKEND", "celery", "TASKS_BACKEND must be one of immediate, database"),
        ("CACHE_URL", "mongodb://x", "CACHE_URL must start with"),
        ("LIMITS_CACHE_URL", "memcached://", "LIMITS_CACHE_URL must start with"),
        ("DATABASE_URL", "mysql://u@h/db", "DATABASE_URL must be a postgres:// or sqlite:// address"),
    ],
)
def test_bad_values_fail_at_start_up_naming_the_variable(variable, value, message):
    result = run_manage("check", env={**PRODUCTION_LIKE, variable: value})
    assert result.returncode != 0
    assert message in result.stderr


def test_sqlite_default_uses_wal_immediate_transactions_and_busy_timeout(db):
    from django.conf import settings
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("this run uses PostgreSQL (DATABASE_URL is set)")
    options = settings.DATABASES["default"]["OPTIONS"]
    assert options["transaction_mode"] == "IMMEDIATE"
    assert options["timeout"] >= 5
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA foreign_keys")
        assert cursor.fetchone()[0] == 1


def test_wal_mode_on_a_file_database(tmp_path):
    result = run_manage(
        "shell",
        "--no-imports",
        "-c",
        "from django.db import connection; c = connection.cursor(); "
        "c.execute('PRAGMA journal_mode'); print(c.fetchone()[0])",
        env={"DEBUG": "true", "SQLITE_PATH": str(tmp_path / "wal.sqlite3")},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "wal"


# Two requests as Django's handler brackets them: does the second use the first one's database connection?
TWO_REQUESTS = (
    "from django.core.signals import request_finished, request_started\n"
    "from django.db import connection\n"
    "opened = []\n"
    "for _ in range(2):\n"
    "    request_started.send(sender=None)\n"
    "    connection.cursor().execute('SELECT 1')\n"
    "    opened.append(connection.connection)\n"
    "    request_finished.send(sender=None)\n"
    "print(opened[0] is opened[1])\n"
)


@pytest.mark.parametrize(("max_age", "kept"), [(None, "True"), ("0", "False")])
def test_the_sqlite_default_keeps_its_connection_between_requests_unless_told_not_to(tmp_path, max_age, kept):
    # Closing the last SQLite connection checkpoints the write-ahead log: per request, that cost milliseconds.
    env = {"DEBUG": "true", "SQLITE_PATH": str(tmp_path / "kept.sqlite3")}
    if max_age is not None:
        env["DB_CONN_MAX_AGE"] = max_age
    result = run_manage("shell", "--no-imports", "-c", TWO_REQUESTS, env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == kept


def test_s3_storage_is_chosen_when_a_bucket_is_named():
    result = run_manage(
        "shell",
        "--no-imports",
        "-c",
        "from django.core.files.storage import storages; print(type(storages['default']).__name__)",
        env={"DEBUG": "true", "AWS_STORAGE_BUCKET_NAME": "photos", "AWS_S3_ENDPOINT_URL": "http://127.0.0.1:9"},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "S3Storage"


def test_database_task_backend_when_configured():
    result = run_manage(
        "shell",
        "--no-imports",
        "-c",
        "from django_tasks import task_backends; print(type(task_backends['default']).__name__)",
        env={"DEBUG": "true", "TASKS_BACKEND": "database"},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "DatabaseBackend"


def test_limits_live_in_the_database_cache_by_default_and_follow_a_shared_cache_url():
    show = "from django.conf import settings as s; print(s.CACHES['limits']['BACKEND'], s.CACHES['limits']['LOCATION'])"
    for env, expected in (
        ({}, "django.core.cache.backends.db.DatabaseCache signwatch_limits"),
        ({"CACHE_URL": "redis://cache:6379/1"}, "django.core.cache.backends.redis.RedisCache redis://cache:6379/1"),
        ({"CACHE_URL": "db://shared"}, "django.core.cache.backends.db.DatabaseCache shared"),
        ({"LIMITS_CACHE_URL": "memcached://mc:11211"}, "django.core.cache.backends.memcached.PyMemcacheCache mc:11211"),
    ):
        result = run_manage("shell", "--no-imports", "-c", show, env={**PRODUCTION_LIKE, **env})
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip() == expected, env


def test_check_deploy_warns_when_limits_are_per_process_or_the_proxy_is_not_counted():
    per_process = run_manage("check", "--deploy", env={**PRODUCTION_LIKE, "LIMITS_CACHE_URL": "locmem://"})
    assert "signwatch.W001" in per_process.stderr + per_process.stdout
    uncounted = run_manage("check", "--deploy", env={**PRODUCTION_LIKE, "TRUST_PROXY_HEADERS": "true"})
    assert "signwatch.W002" in uncounted.stderr + uncounted.stdout
    counted = run_manage(
        "check", "--deploy", env={**PRODUCTION_LIKE, "TRUST_PROXY_HEADERS": "true", "TRUSTED_PROXY_COUNT": "1"}
    )
    assert counted.returncode == 0 and "signwatch.W00" not in counted.stderr + counted.stdout
    debugging = run_manage(
        "check", "--deploy", env={**PRODUCTION_LIKE, "DEBUG": "true", "LIMITS_CACHE_URL": "locmem://"}
    )
    assert "signwatch.W001" not in debugging.stderr + debugging.stdout


def test_check_deploy_warns_when_task_workers_cannot_share_the_stamp():
    per_process = run_manage("check", "--deploy", env={**PRODUCTION_LIKE, "TASKS_BACKEND": "database"})
    assert "signwatch.W003" in per_process.stderr + per_process.stdout
    shared = run_manage(
        "check", "--deploy", env={**PRODUCTION_LIKE, "TASKS_BACKEND": "database", "CACHE_URL": "db://signwatch_cache"}
    )
    assert "signwatch.W003" not in shared.stderr + shared.stdout


def test_collectstatic_succeeds_with_production_settings(tmp_path):
    """The manifest storage refuses a static file that names a missing one (a vendored script's source map, say)."""
    result = run_manage("collectstatic", "--noinput", env={**PRODUCTION_LIKE, "STATIC_ROOT": str(tmp_path)})
    assert result.returncode == 0, result.stderr[-2000:]
    manifest = (tmp_path / "staticfiles.json").read_text()
    assert "vendor/pmtiles-4.5.0/pmtiles" in manifest and "js/" in manifest
