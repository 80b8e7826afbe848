"""Test settings: the product's settings, with the two things a test run may not take from the environment."""

import os

# Tests run with DEBUG off (pytest-django forces it), where the product rightly demands a secret key.
os.environ.setdefault("SECRET_KEY", "tests-only-not-secret-" + "k" * 40)

from backend.settings import *  # noqa: F403

# Templates resolve {% static %} without a collectstatic manifest, as in development.
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
SECURE_SSL_REDIRECT = False
# Static files come from the finders (as in development); there is no collectstatic output to serve.
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
# In-process tests count limits in memory, cleared before each test (conftest.fresh_cache): the database default
# would outlive tests that commit. tests/test_shared_limits.py runs the default, the database, under gunicorn.
CACHES["limits"] = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "test-limits"}  # noqa: F405

# On SQLite, test against a file as production does, not the shared in-memory database: its table locks fail at
# once instead of waiting out the busy timeout, which would make concurrency tests measure the wrong thing.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    import tempfile

    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": str(Path(tempfile.gettempdir()) / f"signwatch-tests-{os.getpid()}.sqlite3")  # noqa: F405
    }

# Reading a photo by OCR takes about a second: only the tests about sign reading switch it on.
SIGN_READING = False
