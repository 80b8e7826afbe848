"""Every page works under the site's Content Security Policy: a real Chromium reports no violation."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User

from compliance import roles
from tests import images

pytestmark = [pytest.mark.browser, pytest.mark.database_agnostic]

PASSWORD = "a-long-test-password"

# Chromium fires securitypolicyviolation for each blocked script, style, image, fetch or frame; keep them all.
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (event) {
  window.__cspViolations.push(event.violatedDirective + " blocked " + (event.blockedURI || "inline"));
});
"""


def visit(context, url: str, check=None) -> list[str]:
    """Open a page, let it finish its requests, run `check`, and return every CSP complaint it raised."""
    page = context.new_page()
    complaints: list[str] = []
    # Only the policy's own complaints: a missing favicon, say, is also a console error but no concern here.
    page.on(
        "console",
        lambda message: complaints.append(message.text) if "Content Security Policy" in message.text else None,
    )
    page.on("pageerror", lambda error: complaints.append(str(error)))
    page.goto(url, wait_until="networkidle")
    if check is not None:
        check(page)
        page.wait_for_load_state("networkidle")
    complaints += page.evaluate("window.__cspViolations")
    page.close()
    return complaints


def signed_in(browser, live_server, username: str):
    """A browser context signed in through the real sign-in form (itself a page under the policy)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    context.add_init_script(RECORD_VIOLATIONS)
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    page.close()
    return context


def add_photo_preview(page) -> None:
    """The submit page previews a chosen photo from a blob: URL."""
    photo = images.jpeg(images.photo_like(400, 300, seed=3))
    page.set_input_files("#photos-input", {"name": "IMG_0001.JPG", "mimeType": "image/jpeg", "buffer": photo})
    page.wait_for_selector("#photo-previews img")


def test_public_pages_raise_no_csp_violation(live_server, committed_registry, browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    context.add_init_script(RECORD_VIOLATIONS)
    pages = {"/": None, "/submit/": add_photo_preview, "/j/TX/": None, "/reports/TX/": None, "/signs/": None}
    for path, check in pages.items():
        assert visit(context, live_server.url + path, check) == [], path
    for path in ["/accounts/login/", "/admin/login/"]:
        assert visit(context, live_server.url + path) == [], path
    context.close()


def test_moderator_and_advocate_pages_raise_no_csp_violation(live_server, committed_registry, browser):
    from rest_framework.test import APIClient

    from tests.test_observations import AUSTIN, at, plain_jpeg, post

    post(APIClient(), plain_jpeg(), **at(AUSTIN))  # so the moderation page shows a photo
    User.objects.create_user("mod", password=PASSWORD).groups.add(roles.moderators_group())
    User.objects.create_user("ada", password=PASSWORD).groups.add(roles.advocates_group())

    moderator = signed_in(browser, live_server, "mod")
    assert visit(moderator, f"{live_server.url}/moderate/", lambda p: p.wait_for_selector("#item:not([hidden])")) == []
    moderator.close()

    advocate = signed_in(browser, live_server, "ada")
    assert visit(advocate, f"{live_server.url}/letters/") == []
    advocate.close()


def test_api_docs_page_runs_under_its_relaxed_policy(live_server, committed_registry, browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    context.add_init_script(RECORD_VIOLATIONS)
    assert visit(context, f"{live_server.url}/api/docs/", lambda p: p.wait_for_selector(".opblock")) == []
    context.close()
