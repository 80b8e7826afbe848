"""A volunteer reports a sign from a phone; a moderator approves it; the volunteer's receipt says so."""

import datetime

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import BrowserContext, Page

from compliance import roles
from compliance.models import Observation
from tests import images
from tests.browser.conftest import wait_until

pytestmark = pytest.mark.browser


def big_phone_photo() -> bytes:
    """Over 2 MB, so the page shrinks it; stored sideways (Orientation 6) with GPS and capture time in EXIF."""
    picture = images.photo_like(3000, 2250, seed=42, grain=0.3)
    return images.jpeg(picture, quality=95, exif=images.phone_exif(orientation=6))


def phone_in_austin(browser, locale: str = "en-US") -> tuple[BrowserContext, list[str]]:
    """A phone-sized touch browser whose location is the Texas Capitol, and the list its pages' script errors go to."""
    phone = browser.new_context(
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
        geolocation={"latitude": images.AUSTIN[0], "longitude": images.AUSTIN[1], "accuracy": 12},
        permissions=["geolocation"],
        locale=locale,
    )
    return phone, []


def new_page(context: BrowserContext, errors: list[str]) -> Page:
    page = context.new_page()
    page.on("pageerror", lambda error: errors.append(str(error)))
    return page


def test_volunteer_reports_on_a_phone_and_the_moderator_approves(live_server, committed_registry, browser, screenshot):
    photo = big_phone_photo()
    assert len(photo) > 2 * 1024 * 1024
    phone, errors = phone_in_austin(browser)
    page = new_page(phone, errors)
    page.goto(f"{live_server.url}/submit/")
    page.wait_for_selector("#jurisdiction-banner:not([hidden])")
    assert page.inner_text("#jurisdiction-banner").startswith("Texas")
    page.set_input_files("#photos-input", {"name": "IMG_0042.JPG", "mimeType": "image/jpeg", "buffer": photo})
    page.wait_for_selector("#photo-previews img")
    page.select_option("#venue-type", "truck_stop")
    page.fill("#venue-name", "Lone Star Truck Plaza")
    page.check("input[name=sign_status][value=posted]")
    page.check("input[name=languages][value=English]")
    screenshot(page, "submit-phone")
    page.click("#send-button")
    page.wait_for_url("**/r/**", timeout=30_000)
    assert "Pending review" in page.inner_text("#receipt")
    screenshot(page, "receipt-pending")
    receipt_url = page.url

    observation = Observation.objects.get()
    stored = observation.photos.get()
    # Shrunk in the browser, the EXIF block travelled with it: capture time read, orientation applied once.
    assert stored.received_bytes < len(photo)
    assert stored.height > stored.width
    assert observation.captured_at == datetime.datetime(2024, 5, 17, 19, 32, 8, tzinfo=datetime.UTC)
    assert observation.location_source == "device"
    assert observation.venue.name == "Lone Star Truck Plaza"
    assert not errors, errors

    moderator = User.objects.create_user("mod", password="a-long-test-password")
    moderator.groups.add(roles.moderators_group())
    desk = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    desk.goto(f"{live_server.url}/moderate/")
    desk.fill("input[name=username]", "mod")
    desk.fill("input[name=password]", "a-long-test-password")
    desk.click("main button[type=submit]")
    desk.wait_for_url("**/moderate/")
    desk.wait_for_selector("#item:not([hidden])")
    assert "Truck" in desk.inner_text("#item-title")
    wait_until(desk, "document.querySelector('#item-photos img')?.naturalWidth > 0")
    screenshot(desk, "moderate")
    desk.keyboard.press("a")
    desk.wait_for_selector("#queue-empty:not([hidden])")

    observation.refresh_from_db()
    assert observation.review_status == "approved"
    assert observation.venue.current_status == "posted"
    page.goto(receipt_url)
    assert "Approved" in page.inner_text("#receipt")
    phone.close()


def test_rejecting_from_the_keyboard_needs_a_reason(live_server, committed_registry, browser):
    from rest_framework.test import APIClient

    from tests.test_observations import AUSTIN, at, plain_jpeg, post

    post(APIClient(), plain_jpeg(), **at(AUSTIN))
    moderator = User.objects.create_user("mod2", password="a-long-test-password")
    moderator.groups.add(roles.moderators_group())
    desk = browser.new_context().new_page()
    desk.goto(f"{live_server.url}/accounts/login/?next=/moderate/")
    desk.fill("input[name=username]", "mod2")
    desk.fill("input[name=password]", "a-long-test-password")
    desk.click("main button[type=submit]")
    desk.wait_for_selector("#item:not([hidden])")
    desk.keyboard.press("r")
    desk.keyboard.press("Enter")  # no reason typed yet
    assert desk.is_visible("#decision-error")
    desk.keyboard.type("The photo shows the wrong building")
    desk.keyboard.press("Enter")
    desk.wait_for_selector("#queue-empty:not([hidden])")
    observation = Observation.objects.get()
    assert observation.review_status == "rejected"
    assert observation.review_reason == "The photo shows the wrong building"


def test_a_moderators_own_report_is_shown_as_not_theirs_to_decide(live_server, committed_registry, browser):
    from rest_framework.test import APIClient

    from tests.test_observations import AUSTIN, at, plain_jpeg, post

    moderator = User.objects.create_user("mod3", password="a-long-test-password")
    moderator.groups.add(roles.moderators_group())
    own = APIClient()
    own.force_authenticate(moderator)
    post(own, plain_jpeg(), **at(AUSTIN))
    desk = browser.new_context().new_page()
    desk.goto(f"{live_server.url}/accounts/login/?next=/moderate/")
    desk.fill("input[name=username]", "mod3")
    desk.fill("input[name=password]", "a-long-test-password")
    desk.click("main button[type=submit]")
    desk.wait_for_selector("#item:not([hidden])")
    assert desk.is_visible("#item-own")
    assert desk.is_disabled("#approve-button") and desk.is_disabled("#reject-button")
    desk.keyboard.press("a")  # the shortcut does nothing either
    desk.wait_for_timeout(300)
    assert Observation.objects.get().review_status == "pending"


def test_a_spanish_phone_gets_the_form_in_spanish(live_server, committed_registry, browser, screenshot):
    """The browser's language picks Spanish: page text, the script's messages and the venue type names."""
    phone, errors = phone_in_austin(browser, locale="es-US")
    page = new_page(phone, errors)
    page.goto(f"{live_server.url}/submit/")
    page.wait_for_selector("#jurisdiction-banner:not([hidden])")
    assert page.get_attribute("html", "lang") == "es"
    assert page.inner_text("h1") == "Reportar un letrero de la línea directa"
    assert page.inner_text(".language-switch button") == "English"  # the way back, named in its own language
    assert page.inner_text("#location-status").startswith("Ubicación encontrada")  # written by submit.js
    banner = page.inner_text("#jurisdiction-banner")
    assert banner.startswith("Texas: la ley exige el letrero de la línea directa en")
    assert "Estación de autobuses" in banner
    page.locator("#venue-type optgroup").nth(1).wait_for(state="attached")  # the types and the law are both known
    covered = page.locator("#venue-type optgroup").first
    assert covered.get_attribute("label") == "Incluidos en la ley de aquí"
    assert "Estación de autobuses" in covered.locator("option").all_inner_texts()
    screenshot(page, "submit-phone-es")
    page.click("#send-button")  # nothing filled in: the script's own message, in Spanish
    assert "Agregue una foto del letrero" in page.inner_text("#form-error")
    assert not errors, errors


def fill_report(page, name: str, status: str) -> None:
    page.set_input_files("#photos-input", {"name": "IMG_1.JPG", "mimeType": "image/jpeg", "buffer": small_photo()})
    page.wait_for_selector("#photo-previews img")
    page.locator("#venue-type option[value=truck_stop]").wait_for(state="attached")
    page.select_option("#venue-type", "truck_stop")
    page.fill("#venue-name", name)
    page.check(f"input[name=sign_status][value={status}]")


def small_photo() -> bytes:
    return images.jpeg(images.photo_like(800, 600, seed=len(Observation.objects.all()) + 7))


def test_a_report_made_without_signal_waits_on_the_phone_and_is_sent_later(
    live_server, committed_registry, browser, screenshot
):
    phone, errors = phone_in_austin(browser)
    page = new_page(phone, errors)
    page.goto(f"{live_server.url}/submit/")
    page.wait_for_selector("#jurisdiction-banner:not([hidden])")

    # Signal lost as the volunteer presses Send: the report is kept on the phone, the form is ready for the next.
    fill_report(page, "First Stop", "missing")
    phone.set_offline(True)
    page.click("#send-button")
    page.wait_for_selector("#outbox:not([hidden])")
    assert "1 report is saved on this phone" in page.inner_text("#outbox-waiting")
    assert not page.is_visible("#outbox-clear")  # nothing sent yet: nothing to clear
    assert page.locator("#photo-previews img").count() == 0 and page.input_value("#venue-name") == ""
    screenshot(page, "submit-outbox-waiting")
    assert Observation.objects.count() == 0

    # Signal back while the page is open: it goes by itself, and its receipt is listed.
    phone.set_offline(False)
    page.wait_for_selector("#outbox-sent a")
    assert page.inner_text("#outbox-waiting") == ""
    assert Observation.objects.get().sign_status == "missing"

    # Another one without signal, and the page closed before the signal comes back: it waits in the outbox and
    # goes when the form is opened again.
    fill_report(page, "Second Stop", "posted")  # the same venue: it joins the first one
    phone.set_offline(True)
    page.click("#send-button")
    page.wait_for_selector("#outbox-waiting:has-text('1 report')")
    page.close()
    phone.set_offline(False)
    page = new_page(phone, errors)
    page.goto(f"{live_server.url}/submit/")
    page.wait_for_selector("#outbox-sent li:nth-child(2) a")
    assert sorted(Observation.objects.values_list("sign_status", flat=True)) == ["missing", "posted"]  # once each
    screenshot(page, "submit-outbox-sent")
    receipt = page.get_attribute("#outbox-sent li:nth-child(2) a", "href")
    page.goto(f"{live_server.url}{receipt}")
    assert "Pending review" in page.inner_text("#receipt")
    assert not errors, errors


def test_the_form_opens_without_signal_once_visited(live_server, committed_registry, browser, screenshot):
    """Visited once with signal, the form opens again with none (its service worker), and the report then made
    waits in the outbox until the signal comes back."""
    phone, errors = phone_in_austin(browser)
    page = new_page(phone, errors)
    page.goto(f"{live_server.url}/submit/")
    page.wait_for_selector("#jurisdiction-banner:not([hidden])")
    page.wait_for_selector("html[data-offline-ready]")  # the worker is active and holds what the form loaded

    phone.set_offline(True)
    page.reload()
    assert page.inner_text("h1") == "Report a hotline sign"
    page.locator("#venue-type option[value=truck_stop]").wait_for(state="attached")  # the kept list of types
    fill_report(page, "Offline Stop", "missing")
    page.click("#send-button")
    page.wait_for_selector("#outbox-waiting:has-text('1 report')")
    screenshot(page, "submit-offline")
    assert Observation.objects.count() == 0

    phone.set_offline(False)
    page.wait_for_selector("#outbox-sent a")
    assert Observation.objects.get().venue.name == "Offline Stop"
    page.goto(live_server.url + page.get_attribute("#outbox-sent a", "href"))  # the private receipt, with signal
    assert "Pending review" in page.inner_text("#receipt")
    kept = page.evaluate(
        "async () => { const cache = await caches.open((await caches.keys())[0]);"
        " return (await cache.keys()).map((request) => new URL(request.url).pathname); }"
    )
    assert "/submit/" in kept and "/api/venue-types/" in kept and "/static/js/submit.js" in kept
    assert any(path.startswith("/static/leaflet/") for path in kept)
    # Nothing about a place, a report or a receipt is kept on the phone by the worker.
    assert not [path for path in kept if path.startswith(("/r/", "/api/locate", "/api/venues", "/api/observations"))]
    assert not errors, errors


def test_a_saved_report_the_server_refuses_is_dropped_with_a_reason(live_server, committed_registry, browser):
    """Made offline in Toronto, the report waits; back online the server refuses it for good (outside the area):
    the outbox drops it, says why, and keeps nothing that would fail again and again."""
    phone, errors = phone_in_austin(browser)
    phone.set_geolocation({"latitude": 43.6532, "longitude": -79.3832, "accuracy": 10})
    page = new_page(phone, errors)
    page.goto(f"{live_server.url}/submit/")
    page.wait_for_selector("#jurisdiction-banner:not([hidden])")  # says the point is outside the area
    fill_report(page, "Across the border", "missing")
    phone.set_offline(True)
    page.click("#send-button")
    page.wait_for_selector("#outbox-waiting:has-text('1 report')")
    phone.set_offline(False)
    page.wait_for_selector(".outbox-refused")
    assert page.inner_text(".outbox-refused").startswith("A saved report was refused: This point is not in a U.S.")
    assert page.inner_text("#outbox-waiting") == ""
    assert Observation.objects.count() == 0
    page.click("#outbox-clear")  # read: the notice goes
    page.wait_for_selector("#outbox", state="hidden")
    assert not errors, errors
