"""A moderator works through 100 reports from the keyboard: one by one, then a selection decided at once."""

from __future__ import annotations

import time

import pytest
from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from playwright.sync_api import expect

from compliance import geo, photos, roles
from compliance.models import Jurisdiction, Observation, Photo, SecondOpinion, Venue, VenueType
from tests import images

pytestmark = [pytest.mark.browser, pytest.mark.database_agnostic]


def waiting_reports(count: int, *, flags: list[str] | None = None, start: int = 0) -> list[Observation]:
    """Pending reports of distinct Texas truck stops, each with its own stored (real, cleaned) photo."""
    cleaned = photos.process(images.jpeg(images.photo_like(320, 240, seed=5)))
    texas = Jurisdiction.objects.get(code="TX")
    truck_stop = VenueType.objects.get(slug="truck_stop")
    made = []
    for n in range(start, start + count):
        lat, lon = images.AUSTIN[0] + 0.002 * n, images.AUSTIN[1]
        venue = Venue.objects.create(
            venue_type=truck_stop, latitude=lat, longitude=lon, jurisdiction=texas, tile_key=geo.tile_key(lat, lon)
        )
        observation = Observation.objects.create(
            venue=venue,
            sign_status="posted",
            observed_on="2026-11-01",
            captured_latitude=lat,
            captured_longitude=lon,
            location_source="device",
            receipt=f"receipt-{n}",
            flags=flags or [],
        )
        Photo.objects.create(
            observation=observation,
            image=default_storage.save(Photo.new_image_name(), ContentFile(cleaned.jpeg)),
            thumbnail=default_storage.save(Photo.new_thumbnail_name(), ContentFile(cleaned.thumbnail)),
            width=cleaned.width,
            height=cleaned.height,
            received_bytes=cleaned.received_bytes,
            received_sha256=f"{n:064x}",
            clean_sha256=f"{n:064x}",
            perceptual_hash=cleaned.perceptual_hash,
            **Photo.hash_bands(cleaned.perceptual_hash),
        )
        made.append(observation)
    return made


def test_a_moderator_decides_100_reports_from_the_keyboard(live_server, committed_registry, page, capsys):
    reports = waiting_reports(100)
    flagged = waiting_reports(1, flags=["location_conflict"], start=100)[0]
    moderator = User.objects.create_user("fast", password="a-long-test-password")
    moderator.groups.add(roles.moderators_group())
    page.goto(f"{live_server.url}/accounts/login/?next=/moderate/")
    page.fill("input[name=username]", "fast")
    page.fill("input[name=password]", "a-long-test-password")
    page.click("main button[type=submit]")
    page.wait_for_selector("#item:not([hidden])")
    assert page.inner_text("#queue-count") == "(101)"

    # The flagged report cannot join a selection; the filter then leaves only unflagged ones.
    page.select_option("#queue-filters select[name=flag]", "any")
    expect(page.locator("#queue-count")).to_have_text("(1)")
    page.keyboard.press("x")
    assert page.is_visible("#decision-error") and page.inner_text("#selection-bar") == ""
    page.select_option("#queue-filters select[name=flag]", "none")
    expect(page.locator("#queue-count")).to_have_text("(100)")
    page.focus("body")

    started = time.perf_counter()
    for left in range(99, 49, -1):  # 50 one at a time: look, press A
        page.keyboard.press("a")
        expect(page.locator("#queue-count")).to_have_text(f"({left})")
    for _ in range(50):  # 50 selected with X (which moves on to the next), then approved together
        page.keyboard.press("x")
    assert page.inner_text("#selection-bar").startswith("50 selected")
    page.keyboard.press("Shift+A")
    page.wait_for_selector("#queue-empty:not([hidden])")
    elapsed = time.perf_counter() - started

    per_item_ms = 1000 * elapsed / 100
    with capsys.disabled():
        print(f"\nkeyboard moderation: 100 reports in {elapsed:.2f} s, {per_item_ms:.0f} ms per report")
    assert Observation.objects.filter(pk__in=[r.pk for r in reports], review_status="approved").count() == 100
    assert Observation.objects.get(pk=flagged.pk).review_status == "pending"
    assert per_item_ms < 1000  # the page never makes a moderator wait a second per report


def test_a_selection_is_rejected_with_one_reason_and_a_report_goes_for_a_second_opinion(
    live_server, committed_registry, page
):
    reports = waiting_reports(3)
    for name in ("desk", "colleague"):
        User.objects.create_user(name, password="a-long-test-password").groups.add(roles.moderators_group())
    page.goto(f"{live_server.url}/accounts/login/?next=/moderate/")
    page.fill("input[name=username]", "desk")
    page.fill("input[name=password]", "a-long-test-password")
    page.click("main button[type=submit]")
    expect(page.locator("#queue-count")).to_have_text("(3)")
    page.focus("body")

    page.keyboard.press("x")
    page.keyboard.press("x")
    expect(page.locator("#selection-bar")).to_contain_text("2 selected")
    page.keyboard.press("Shift+R")  # no reason yet: the field takes the focus and nothing is sent
    assert page.is_visible("#decision-error")
    page.keyboard.type("Photos of a different building")
    page.keyboard.press("Shift+Enter")
    expect(page.locator("#queue-count")).to_have_text("(1)")
    rejected = Observation.objects.filter(pk__in=[r.pk for r in reports[:2]])
    assert set(rejected.values_list("review_status", "review_reason")) == {
        ("rejected", "Photos of a different building")
    }

    page.keyboard.press("o")  # the reason field let go of the keys once the selection was decided
    page.keyboard.type("colleague")
    page.keyboard.press("Enter")
    expect(page.locator("#queue-empty")).to_be_visible()
    opinion = SecondOpinion.objects.get()
    assert (opinion.observation_id, opinion.assigned_to.username, opinion.requested_action) == (
        reports[2].pk,
        "colleague",
        "approve",
    )
    assert Observation.objects.get(pk=reports[2].pk).review_status == "pending"
