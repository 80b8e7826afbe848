"""With the keyboard alone: a volunteer fills in and sends a report, and a moderator signs in and clears the queue.

Every stop the Tab key makes on the way must show where the focus is (an outline or a ring), and the form's error
is announced (role=alert) when the volunteer sends too early.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from compliance import roles
from compliance.models import Observation
from tests import images
from tests.browser.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.database_agnostic]

# The focused element, or for a visually hidden file input the label drawn as its button, must show a ring.
FOCUS_SHOWN = """() => {
  const focused = document.activeElement;
  if (!focused || focused === document.body) return "";  // past the end of the page: the browser's own controls
  // A date input's last stop is its calendar button, inside the browser's own shadow tree where no script can
  // read a style: the stylesheet rings it (::-webkit-calendar-picker-indicator:focus-visible).
  if (focused.type === "date" && !focused.matches(":focus")) return "";
  const hidden = focused.classList.contains("visually-hidden");
  const shown = hidden ? focused.closest("label") : focused;
  const style = getComputedStyle(shown);
  const ring = (style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0) || style.boxShadow !== "none";
  return ring ? "" : `no visible focus on ${focused.tagName.toLowerCase()}#${focused.id}.${focused.className}`;
}"""


def tab_to(page: Page, selector: str, *, limit: int = 80) -> None:
    """Press Tab until the element matching `selector` has the focus, checking the focus is visible at each stop."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        problem = page.evaluate(FOCUS_SHOWN)
        assert not problem, problem
        if page.evaluate("(selector) => document.activeElement.matches(selector)", selector):
            return
    raise AssertionError(f"{selector} is not reachable with the Tab key")


def test_a_report_is_sent_and_moderated_with_the_keyboard_alone(live_server, committed_registry, browser):
    context = browser.new_context(
        viewport={"width": 1366, "height": 900},
        geolocation={"latitude": images.AUSTIN[0], "longitude": images.AUSTIN[1], "accuracy": 10},
        permissions=["geolocation"],
        locale="en-US",
    )
    page = context.new_page()
    page.goto(f"{live_server.url}/submit/")
    page.wait_for_selector("#jurisdiction-banner:not([hidden])")
    page.locator("#venue-type optgroup").first.wait_for(state="attached")

    tab_to(page, "#send-button")
    page.keyboard.press("Enter")
    error = page.locator("#form-error")
    expect(error).to_be_visible()
    assert error.get_attribute("role") == "alert"  # screen readers say it at once
    assert "Add a photo" in error.inner_text()

    tab_to(page, "#photos-input")  # on past the end of the page, round to its top
    for attempt in range(3):  # on a loaded machine the first key press can come before the input is ready for it
        try:
            with page.expect_file_chooser(timeout=10_000) as chooser:
                page.keyboard.press("Space")
            break
        except PlaywrightTimeout:
            if attempt == 2:
                raise
    photo = images.jpeg(images.photo_like(800, 600, seed=3))
    chooser.value.set_files({"name": "IMG_3.JPG", "mimeType": "image/jpeg", "buffer": photo})
    page.wait_for_selector("#photo-previews img")

    tab_to(page, "#venue-type")
    page.keyboard.type("Truck stop")  # a select picks the option whose name is typed
    assert page.input_value("#venue-type") == "truck_stop"
    tab_to(page, "#venue-name")
    page.keyboard.type("Capitol Truck Stop")
    tab_to(page, "input[name=sign_status]")
    page.keyboard.press("Space")
    page.keyboard.press("ArrowDown")  # radio buttons: the arrow keys move the choice
    assert page.locator("input[name=sign_status]:checked").get_attribute("value") == "deficient"
    tab_to(page, "input[name=deficiencies]")
    page.keyboard.press("Space")
    tab_to(page, "#send-button")
    page.keyboard.press("Enter")
    page.wait_for_url("**/r/**", timeout=30_000)
    context.close()

    observation = Observation.objects.get()
    assert observation.sign_status == "deficient"
    assert observation.venue.name == "Capitol Truck Stop"
    assert observation.deficiencies

    moderator = User.objects.create_user("keyboard-mod", password=PASSWORD)
    moderator.groups.add(roles.moderators_group())
    desk = browser.new_context(viewport={"width": 1366, "height": 900}, locale="en-US").new_page()
    desk.goto(f"{live_server.url}/moderate/")  # sends a signed-out moderator to the sign-in form
    tab_to(desk, "input[name=username]")
    desk.keyboard.type("keyboard-mod")
    tab_to(desk, "input[name=password]")
    desk.keyboard.type(PASSWORD)
    desk.keyboard.press("Enter")
    desk.wait_for_selector("#item:not([hidden])")
    assert "Capitol Truck Stop" in desk.inner_text("#item-title")
    tab_to(desk, "#approve-button")
    desk.keyboard.press("Enter")
    desk.wait_for_selector("#queue-empty:not([hidden])")
    observation.refresh_from_db()
    assert observation.review_status == "approved"
    desk.context.close()
