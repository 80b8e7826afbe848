"""An owner reports the sign posted from the venue page in a real browser; the moderator sees the owner's badge,
filters the queue by it and approves; the venue page then says the owner reports it posted, and nothing counts."""

import pytest
from django.contrib.auth.models import User

from compliance import roles
from compliance.models import Observation
from tests import images
from tests.browser.conftest import wait_until
from tests.factories import frame_venue, report

pytestmark = [pytest.mark.browser, pytest.mark.database_agnostic]

PASSWORD = "a-long-test-password"


def test_owner_reports_from_the_venue_page_and_the_moderator_sees_the_badge(live_server, committed_registry, browser):
    venue = frame_venue("TX", "truck_stop", *images.AUSTIN, name="Lone Star Fuel")
    report(venue, "missing", days_ago=30)
    volunteer_venue = frame_venue("TX", "bar_liquor_licensee", images.AUSTIN[0] + 0.05, images.AUSTIN[1])
    report(volunteer_venue, "missing", days_ago=3)
    Observation.objects.filter(venue=volunteer_venue).update(review_status="pending", published_at=None)
    errors: list[str] = []

    phone = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    phone.on("pageerror", lambda error: errors.append(str(error)))
    phone.goto(f"{live_server.url}/v/{venue.public_id}/")
    phone.click("text=Do you run this place? Tell us the sign is posted now")
    phone.wait_for_selector("#owner-report-form")
    photo = images.jpeg(images.photo_like(800, 600, seed=4))
    phone.set_input_files(
        "input[name=photo]",
        files=[{"name": "sign.jpg", "mimeType": "image/jpeg", "buffer": photo}],
    )
    phone.click("#owner-report-form button[type=submit]")
    phone.wait_for_selector("#owner-report-received")
    claim = Observation.objects.owner_claims().get()
    assert claim.venue_id == venue.pk and claim.review_status == "pending"

    moderator = User.objects.create_user("owner-moderator", password=PASSWORD)
    moderator.groups.add(roles.moderators_group())
    desk = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    desk.on("pageerror", lambda error: errors.append(str(error)))
    desk.goto(f"{live_server.url}/accounts/login/?next=/moderate/")
    desk.fill("input[name=username]", "owner-moderator")
    desk.fill("input[name=password]", PASSWORD)
    desk.click("main button[type=submit]")
    desk.wait_for_selector("#item:not([hidden])")
    # The oldest item first: the volunteer's report, without the badge.
    assert desk.locator("#item-owner").is_hidden()
    desk.select_option("select[name=reporter]", "owner")
    wait_until(desk, "document.querySelectorAll('#queue-list li').length === 1")
    assert desk.locator("#item-owner").is_visible()
    assert "Owner's report" in desk.inner_text("#queue-list")
    desk.click("#approve-button")
    desk.wait_for_selector("#queue-empty:not([hidden])")

    claim.refresh_from_db()
    venue.refresh_from_db()
    assert claim.review_status == "approved" and venue.current_status == "missing"
    phone.goto(f"{live_server.url}/v/{venue.public_id}/")
    assert "The owner reports the sign posted on" in phone.inner_text("#owner-claim")
    assert not errors, errors
