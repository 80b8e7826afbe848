"""Shared fixtures: a test database holding the shipped reference data, and API clients."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from compliance import reference_data


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load the shipped reference data once; each test's transaction is rolled back over it."""
    with django_db_blocker.unblock():
        reference_data.load()


def pytest_collection_modifyitems(config, items):
    """Run tests that commit (live server, browser) last: their flush empties the tables the others read."""
    committing = [item for item in items if _commits(item)]
    items[:] = [item for item in items if not _commits(item)] + committing


def _commits(item: pytest.Item) -> bool:
    marker = item.get_closest_marker("django_db")
    fixtures = getattr(item, "fixturenames", ())
    return bool(
        (marker and marker.kwargs.get("transaction"))
        or "live_server" in fixtures
        or "transactional_db" in fixtures
        or item.get_closest_marker("browser")
    )


@pytest.fixture
def api(db) -> APIClient:
    return APIClient()


@pytest.fixture
def committed_registry(transactional_db):
    """Reference data in a database that commits (for live-server tests, which flush it afterwards)."""
    reference_data.load()


@pytest.fixture(autouse=True)
def fresh_cache():
    """Throttle counters and cached answers start empty in every test."""
    from django.core.cache import caches

    from compliance import scoreboard

    caches["default"].clear()
    caches["limits"].clear()
    scoreboard._recent.clear()  # this process's copies of kept values (their keys would not be read again anyway)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Each test stores photos in its own empty folder."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def stored_files(root) -> list:
    """Every file under a storage folder (photos and thumbnails)."""
    return sorted(path for path in root.rglob("*") if path.is_file()) if root.exists() else []


@pytest.fixture
def moderator(db):
    from django.contrib.auth.models import User

    from compliance import roles

    user = User.objects.create_user("moderator", password="pw-for-tests-only")
    user.groups.add(roles.moderators_group())
    return user


@pytest.fixture
def advocate(db):
    """A signed-up advocate (writes letters), with the name letters are signed with."""
    from django.contrib.auth.models import User

    from compliance import roles

    user = User.objects.create_user("advocate", first_name="Ada", last_name="Vocate", password="pw-for-tests-only")
    user.groups.add(roles.advocates_group())
    return user


@pytest.fixture
def moderator_api(moderator) -> APIClient:
    client = APIClient()
    client.force_authenticate(moderator)
    return client
