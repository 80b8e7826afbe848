"""The compliance map in a real browser: choropleth and legend, a state's panel, venues and escaped popups."""

import datetime

import pytest
from django.utils import timezone

from compliance import demo, geo, scoreboard
from compliance.models import Jurisdiction, Observation, Venue, VenueCluster, VenueType
from tests import images

pytestmark = pytest.mark.browser
HOSTILE_NAME = "<script>alert(1)</script>"


@pytest.fixture
def mapped_data(committed_registry):
    demo.load(venues=1_500, observations_per_venue=2, seed=5)
    lat, lon = images.AUSTIN
    venue = Venue.objects.create(
        venue_type=VenueType.objects.get(slug="truck_stop"),
        name=HOSTILE_NAME,
        latitude=lat,
        longitude=lon,
        jurisdiction=Jurisdiction.objects.get(code="TX"),
        tile_key=geo.tile_key(lat, lon),
    )
    Observation.objects.create(
        venue=venue,
        sign_status="missing",
        observed_on=timezone.localdate() - datetime.timedelta(days=3),
        captured_latitude=lat,
        captured_longitude=lon,
        location_source="device",
        review_status="approved",
        receipt="hostile-venue-receipt",
        published_at=timezone.now(),
    )
    venue.refresh_current_status()
    VenueCluster.objects.rebuild()
    scoreboard.invalidate()
    return venue


def test_choropleth_panel_venues_and_escaped_popups(live_server, mapped_data, page, screenshot):
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(f"{live_server.url}/")
    page.wait_for_selector("#map[data-ready=true]", timeout=20_000)

    assert len(page.query_selector_all("path.jurisdiction-shape")) == 56
    classes = page.eval_on_selector_all("path.jurisdiction-shape", "paths => paths.map(p => p.getAttribute('class'))")
    assert any("fill-c" in c for c in classes), "some state has enough data for a colour"
    assert any("fill-no-mandate" in c for c in classes)
    no_mandate_fill = page.eval_on_selector("path.fill-no-mandate", "p => getComputedStyle(p).fill")
    assert "pattern-no-mandate" in no_mandate_fill
    legend = page.inner_text("#legend")
    assert "80–100%" in legend and "Insufficient data" in legend and "n = venues" in legend
    screenshot(page, "compliance-map")

    page.click('path[data-code="TX"]')
    page.wait_for_selector("#state-panel:not([hidden])")
    assert page.inner_text("#panel-title") == "Texas"
    assert "n =" in page.inner_text("#panel-figure") or "Insufficient" in page.inner_text("#panel-figure")
    assert page.get_attribute("#panel-link", "href") == "/j/TX/"
    screenshot(page, "compliance-panel")

    page.evaluate("SignWatch.mainMap.setView([38.5, -80.5], 6)")
    page.wait_for_selector("#map[data-features^='clusters:']")
    assert page.query_selector_all(".cluster-ring")
    screenshot(page, "compliance-clusters")

    page.evaluate(f"SignWatch.mainMap.setView([{images.AUSTIN[0]}, {images.AUSTIN[1]}], 15)")
    page.wait_for_selector("#map[data-features^='venues:']")
    page.click("path.venue-marker.status-missing")
    popup = page.wait_for_selector(".venue-popup")
    assert HOSTILE_NAME in popup.inner_text()
    assert page.query_selector(".venue-popup script") is None
    assert dialogs == []
    screenshot(page, "venue-popup")


def test_table_sorts_by_compliance_from_the_keyboard(live_server, mapped_data, page):
    page.goto(f"{live_server.url}/")
    button = page.locator("button[data-sort-column='4']")
    button.focus()
    page.keyboard.press("Enter")  # ascending by n
    page.keyboard.press("Enter")  # descending by n
    first_n = int(page.locator("#compliance-table tbody tr").first.locator("td").nth(3).inner_text())
    all_n = [int(value) for value in page.locator("#compliance-table tbody tr td:nth-child(5)").all_inner_texts()]
    assert first_n == max(all_n)
    assert page.get_attribute("#compliance-table th:nth-child(5)", "aria-sort") == "descending"
