"""The moderator sees the machine reading beside the photo, with the numbers boxed, and confirms what it suggests."""

import random

import pytest
from django.contrib.auth.models import User
from rest_framework.test import APIClient

from compliance import roles
from compliance.models import Observation, SignReading
from tests import sign_photos
from tests.browser.conftest import wait_until
from tests.test_observations import AUSTIN, at, post

pytestmark = [pytest.mark.browser, pytest.mark.database_agnostic]


def test_moderator_sees_the_reading_beside_the_photo_and_confirms_its_suggestion(
    live_server, committed_registry, browser, settings, screenshot
):
    settings.SIGN_READING = True
    sign = sign_photos.english_sign("1-888-373-7888")
    photo = sign_photos.to_jpeg(sign_photos.photograph(sign, random.Random(5), scale=0.6))
    # Committed at once (no test transaction here), so the immediate backend reads the photo before this returns.
    assert post(APIClient(), photo, **at(AUSTIN)).status_code == 201
    assert SignReading.objects.get().hotline_found

    moderator = User.objects.create_user("reader", password="a-long-test-password")
    moderator.groups.add(roles.moderators_group())
    desk = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    errors: list[str] = []
    desk.on("pageerror", lambda error: errors.append(str(error)))
    desk.goto(f"{live_server.url}/accounts/login/?next=/moderate/")
    desk.fill("input[name=username]", "reader")
    desk.fill("input[name=password]", "a-long-test-password")
    desk.click("main button[type=submit]")
    desk.wait_for_selector("#item:not([hidden])")
    wait_until(desk, "document.querySelector('#item-photos img')?.naturalWidth > 0")

    assert desk.inner_text("#reading-verdict") == "Hotline number found"
    facts = desk.inner_text("#reading-facts")
    assert "1-888-373-7888" in facts and "Text line 233733\nfound" in facts
    # The number and the text line are boxed on the photo, inside the picture's frame.
    boxes = desk.locator("#item-photos .reading-box")
    assert boxes.count() == 2
    photo_box = desk.locator("#item-photos img").bounding_box()
    for n in range(boxes.count()):
        box = boxes.nth(n).bounding_box()
        assert photo_box["x"] <= box["x"] and box["x"] + box["width"] <= photo_box["x"] + photo_box["width"] + 1
        assert photo_box["y"] <= box["y"] and box["y"] + box["height"] <= photo_box["y"] + photo_box["height"] + 1
    # Texas asks for Spanish too: the reading suggests it, pre-ticked, and nothing is decided yet.
    assert desk.is_checked("input[name=deficiency][value=missing_language]")
    assert not desk.is_checked("input[name=deficiency][value=wrong_number]")
    assert Observation.objects.get().review_status == "pending"
    screenshot(desk, "moderate-sign-reading")

    desk.click("#approve-button")
    desk.wait_for_selector("#queue-empty:not([hidden])")
    observation = Observation.objects.get()
    assert observation.review_status == "approved"
    assert (observation.sign_status, observation.deficiencies) == ("deficient", ["missing_language"])
    assert not errors, errors
