"""A real headless Chromium (Debian's package) driven by Playwright against pytest-django's live server.

Outside CI the browser tests skip, loudly, when no Chromium is installed; with CI=true they must run.
"""

from __future__ import annotations

import os
import shutil
import time
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests import images
from tests.factories import owner_claim

# Playwright's sync API runs an event loop in this thread; Django would otherwise refuse the test's own queries.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
CHROMIUM_CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "chrome")
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def find_chromium() -> str | None:
    """The Chromium binary: $CHROMIUM if set, else the first on PATH."""
    if os.environ.get("CHROMIUM"):
        return os.environ["CHROMIUM"]
    for name in CHROMIUM_CANDIDATES:
        if found := shutil.which(name):
            return found
    return None


@pytest.fixture(scope="session")
def browser():
    executable = find_chromium()
    if executable is None:
        message = "NO CHROMIUM FOUND: browser tests are SKIPPED. Install Debian's `chromium` package to run them."
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("CI=true but no Chromium was found; .ci/run should have installed it")
        warnings.warn(message, stacklevel=1)
        print(f"\n\n*** {message} ***\n")
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, request):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


@pytest.fixture
def screenshot():
    """Save a page's screenshot under tests/browser/artifacts/ for a person to look at."""
    ARTIFACTS.mkdir(exist_ok=True)

    def save(page, name: str) -> Path:
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path))
        return path

    return save


@dataclass(frozen=True)
class World:
    """A small populated SignWatch: demo venues, a pending report with a real photo, a letter, and one account per
    role. `pages` names every page each role sees, with the maps each page must draw."""

    receipt: str
    venue_id: str  # a public venue's public id, as in /v/{id}/
    claimed_venue_id: str  # a public venue whose owner reports the sign posted (approved, awaiting a visit)
    letter_id: str
    users: dict[str, Any]


@pytest.fixture
def world(committed_registry) -> World:
    from django.contrib.auth.models import User

    from compliance import demo, letters, observations, photos, roles, scoreboard
    from compliance.models import AGOfficeAccount, Jurisdiction, Venue, VenueType

    # A small dataset keeps the tests fast; pictures for people (scripts/screenshots) get a map with colours on it.
    venues = 1_500 if os.environ.get("SIGNWATCH_SCREENSHOTS") else 120
    demo.load(venues=venues, observations_per_venue=2, seed=11)
    scoreboard.invalidate()
    volunteer = User.objects.create_user("volunteer", password=PASSWORD)
    moderator = User.objects.create_user("moderator", password=PASSWORD)
    moderator.groups.add(roles.moderators_group())
    advocate = User.objects.create_user("advocate", first_name="Ada", last_name="Vocate", password=PASSWORD)
    advocate.groups.add(roles.advocates_group())
    ag_office = User.objects.create_user("ag-texas", password=PASSWORD)
    texas = Jurisdiction.objects.get(code="TX")
    AGOfficeAccount.objects.create(user=ag_office, jurisdiction=texas)
    pending = observations.submit(
        observations.Submission(
            photos=[photos.process(images.jpeg(images.photo_like(1200, 900, seed=11)))],
            venue_type=VenueType.objects.get(slug="truck_stop"),
            sign_status="missing",
            point=observations.ReportedPoint(*images.AUSTIN, source="device", accuracy_m=15),
            venue_name="Lone Star Truck Plaza",
            submitter=volunteer,
        )
    )
    letter = letters.compose(jurisdiction=texas, kind="enforcement", author=advocate, report_url="/reports/TX/")
    venue, claimed = Venue.objects.public().filter(jurisdiction=texas).order_by("pk")[:2]
    owner_claim(claimed, days_ago=1)
    return World(
        receipt=pending.receipt,
        venue_id=str(venue.public_id),
        claimed_venue_id=str(claimed.public_id),
        letter_id=str(letter.public_id),
        users={"volunteer": volunteer, "moderator": moderator, "advocate": advocate, "ag_office": ag_office},
    )


PASSWORD = "a-long-test-password"  # test accounts only


def sign_in(context, live_server_url: str, user) -> None:
    """Give a browser context the session cookie of a signed-in user, without going through the login form."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server_url}])


def wait_until(page, expression: str, *, timeout_s: float = 20) -> None:
    """Poll a JavaScript expression until it is true. Playwright's wait_for_function evaluates a string with eval()
    inside the page while it polls, which SignWatch's CSP (no 'unsafe-eval') rightly refuses; page.evaluate is not
    subject to the page's CSP."""
    deadline = time.monotonic() + timeout_s
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise AssertionError(f"not true within {timeout_s} s: {expression}")
        page.wait_for_timeout(100)
