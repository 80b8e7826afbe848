"""The report form's pin, dragged as a person drags it: with a mouse on a desktop and with a finger on a phone.

The phone says it is in Texarkana, Texas, a few kilometres from the Arkansas line. The volunteer zooms out with the
map's own button and drags the pin 150 px east, into Arkansas: the jurisdiction banner and the "is it one of these?"
list follow the pin, and the report carries the point where the pin was dropped.
"""

from __future__ import annotations

import datetime
import re

import pytest
from playwright.sync_api import Page, expect

from compliance import geo
from compliance.models import Jurisdiction, Observation, Venue, VenueType
from tests import images

pytestmark = [pytest.mark.browser, pytest.mark.database_agnostic]

TEXARKANA_TX = (33.43, -94.10)
ZOOM_AFTER = 11  # the form zooms to 17 on the phone's location; six presses of "−"
DRAG_PX = 150
# Web Mercator: at zoom z the world is 256·2^z px wide, so a horizontal drag moves the longitude by an exact amount.
DEGREES_PER_PX = 360 / (256 * 2**ZOOM_AFTER)
DROPPED = (TEXARKANA_TX[0], TEXARKANA_TX[1] + DRAG_PX * DEGREES_PER_PX)


def reported_venue(code: str, slug: str, name: str, lat: float, lon: float) -> Venue:
    """A venue anybody may see (it has an approved status), as the "is it one of these?" list shows them."""
    return Venue.objects.create(
        venue_type=VenueType.objects.get(slug=slug),
        name=name,
        latitude=lat,
        longitude=lon,
        jurisdiction=Jurisdiction.objects.get(code=code),
        tile_key=geo.tile_key(lat, lon),
        current_status="posted",
        status_observed_on=datetime.date.today() - datetime.timedelta(days=30),
    )


@pytest.fixture
def venues_either_side_of_the_line(committed_registry):
    reported_venue("TX", "truck_stop", "State Line Truck Stop", TEXARKANA_TX[0] + 0.0005, TEXARKANA_TX[1])
    reported_venue("AR", "bar_liquor_licensee", "Razorback Tavern", DROPPED[0] + 0.0008, DROPPED[1] + 0.0005)


def open_form(browser, live_server, *, phone: bool) -> tuple[Page, list[str]]:
    context = browser.new_context(
        viewport={"width": 390, "height": 844} if phone else {"width": 1366, "height": 900},
        is_mobile=phone,
        has_touch=phone,
        geolocation={"latitude": TEXARKANA_TX[0], "longitude": TEXARKANA_TX[1], "accuracy": 20},
        permissions=["geolocation"],
        locale="en-US",
    )
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{live_server.url}/submit/")
    page.wait_for_selector("#jurisdiction-banner:not([hidden])")
    assert page.inner_text("#jurisdiction-banner").startswith("Texas")
    page.wait_for_selector("#nearby-list li")
    assert "State Line Truck Stop" in page.inner_text("#nearby-list")
    zoom_out = page.locator("#pin-map .leaflet-control-zoom-out")
    for _ in range(17 - ZOOM_AFTER):
        zoom_out.click()
        page.wait_for_timeout(350)  # Leaflet's zoom animation is 250 ms
    return page, errors


def pin_centre(page: Page) -> tuple[float, float]:
    box = page.locator("#pin-map .leaflet-marker-icon").bounding_box()
    assert box is not None
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


def mouse_drag(page: Page, dx: float) -> None:
    x, y = pin_centre(page)
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + dx, y, steps=12)
    page.mouse.up()


def touch_drag(page: Page, dx: float) -> None:
    """A finger on the pin, moved and lifted: real touch events through the DevTools protocol."""
    x, y = pin_centre(page)
    session = page.context.new_cdp_session(page)
    session.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": x, "y": y}]})
    for step in range(1, 13):
        point = {"x": x + dx * step / 12, "y": y}
        session.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [point]})
    session.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})


def assert_the_form_follows_the_pin(page: Page) -> tuple[float, float]:
    """The banner and the nearby venues follow the pin; answers the point the form shows, where the pin landed."""
    expect(page.locator("#jurisdiction-banner")).to_have_text(re.compile(r"^Arkansas"))
    expect(page.locator("#nearby-list")).to_contain_text("Razorback Tavern")
    assert "State Line Truck Stop" not in page.inner_text("#nearby-list")
    status = page.inner_text("#location-status")
    assert status.startswith("Pin placed at")
    shown_lat, shown_lon = (float(part) for part in status.removeprefix("Pin placed at").split(","))
    # Leaflet places the pin on whole pixels: within two of where the finger or the mouse let go.
    assert shown_lat == pytest.approx(DROPPED[0], abs=2 * DEGREES_PER_PX)
    assert shown_lon == pytest.approx(DROPPED[1], abs=2 * DEGREES_PER_PX)
    return shown_lat, shown_lon


def send_report(page: Page) -> Observation:
    """A photo with no GPS (what iOS and Android hand a browser), so the pin is the only location."""
    photo = images.jpeg(images.photo_like(800, 600, seed=5))
    page.set_input_files("#photos-input", {"name": "IMG_7.JPG", "mimeType": "image/jpeg", "buffer": photo})
    page.wait_for_selector("#photo-previews img")
    page.select_option("#venue-type", "bar_liquor_licensee")
    page.check("input[name=sign_status][value=missing]")
    page.click("#send-button")
    page.wait_for_url("**/r/**", timeout=30_000)
    return Observation.objects.get()


def test_the_pin_dragged_with_a_mouse_moves_the_report(live_server, venues_either_side_of_the_line, browser):
    page, errors = open_form(browser, live_server, phone=False)
    mouse_drag(page, DRAG_PX)
    dropped = assert_the_form_follows_the_pin(page)
    observation = send_report(page)
    assert observation.location_source == "manual"
    assert (observation.captured_latitude, observation.captured_longitude) == pytest.approx(dropped, abs=1e-5)
    assert observation.venue.jurisdiction.code == "AR"
    assert not errors, errors
    page.context.close()


def test_the_pin_dragged_with_a_finger_moves_the_report(live_server, venues_either_side_of_the_line, browser):
    page, errors = open_form(browser, live_server, phone=True)
    touch_drag(page, DRAG_PX)
    dropped = assert_the_form_follows_the_pin(page)
    observation = send_report(page)
    assert observation.location_source == "manual"
    assert (observation.captured_latitude, observation.captured_longitude) == pytest.approx(dropped, abs=1e-5)
    assert observation.venue.jurisdiction.code == "AR"
    assert not errors, errors
    page.context.close()
