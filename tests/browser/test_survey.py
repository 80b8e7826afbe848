"""'Survey near me' on a phone: the list of sampled venues, and the same list again with no signal."""

from __future__ import annotations

import pytest
from playwright.sync_api import BrowserContext, Page

from compliance import missions
from compliance.models import Jurisdiction, SurveyAttempt
from tests.factories import frame_venue
from tests.osm_extracts import AUSTIN

pytestmark = [pytest.mark.browser, pytest.mark.database_agnostic]


def phone_in_austin(browser) -> BrowserContext:
    return browser.new_context(
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
        geolocation={"latitude": AUSTIN[0], "longitude": AUSTIN[1], "accuracy": 20},
        permissions=["geolocation"],
        locale="en-US",
    )


def open_page(context: BrowserContext, errors: list[str]) -> Page:
    page = context.new_page()
    page.on("pageerror", lambda error: errors.append(str(error)))
    return page


@pytest.fixture
def sampled_austin(committed_registry):
    """Twelve bus stations around Austin in the frame, all drawn into Texas's sample."""
    for n in range(12):
        frame_venue("TX", "bus_station", AUSTIN[0] + 0.003 * n, AUSTIN[1] + 0.002 * n, name=f"Bus Depot {n}")
    texas = Jurisdiction.objects.get(code="TX")
    return missions.draw_sample(jurisdiction=texas, seed=1, margin_of_error=0.05)  # small enough to take all 12


def test_the_survey_list_shows_again_offline_after_a_reload(live_server, sampled_austin, browser, screenshot):
    phone, errors = phone_in_austin(browser), []
    page = open_page(phone, errors)
    page.goto(f"{live_server.url}/survey/")
    page.wait_for_selector("html[data-survey-loaded]")
    page.wait_for_selector("html[data-offline-ready]")  # the worker holds the page and what it loaded
    names = page.locator("#survey-list .name").all_inner_texts()
    assert len(names) == 12 and names[0] == "Bus Depot 0"  # nearest first: the depot at the Capitol
    assert "m away" in page.inner_text("#survey-list li:first-child .distance")
    assert page.get_attribute("#survey-list li:first-child .directions", "href").startswith(
        "https://www.openstreetmap.org/directions?to="
    )
    assert "© OpenStreetMap contributors" in page.inner_text(".attribution")

    phone.set_offline(True)
    page.reload()
    page.wait_for_selector("#survey-saved:not([hidden])")
    assert page.locator("#survey-list .name").all_inner_texts() == names
    assert "No signal" in page.inner_text("#survey-status")
    screenshot(page, "survey-offline")

    phone.set_offline(False)
    page.reload()
    page.wait_for_selector("html[data-survey-loaded]")
    first = page.locator("#survey-list li").first
    first.locator("select[name=reason]").select_option("no_access")
    first.locator("button[type=submit]").click()
    page.wait_for_selector("#survey-status:has-text('Recorded')")
    assert page.locator("#survey-list .name").count() == 11
    attempt = SurveyAttempt.objects.get()
    assert (attempt.venue.name, attempt.reason) == ("Bus Depot 0", "no_access")
    phone.close()
    assert not errors, errors
