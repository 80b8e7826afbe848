"""The map page in a real browser: every jurisdiction drawn, coloured by law status, with a legend."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.database_agnostic]


def test_map_draws_every_jurisdiction_with_a_legend(live_server, committed_registry, page, screenshot):
    page.goto(f"{live_server.url}/")
    page.wait_for_selector("#map[data-ready=true]", timeout=20_000)
    codes = page.eval_on_selector_all("path.jurisdiction-shape", "paths => paths.map(p => p.dataset.code)")
    assert len(codes) == 56
    assert len(set(codes)) == 56
    legend = page.inner_text("#legend")
    for label in ("80–100%", "0–20%", "Insufficient data", "No mandatory posting law", "unverified", "n = venues"):
        assert label in legend
    # No reports yet: California's mandate shows as insufficient data, Washington's lack of one as its own pattern.
    california_fill = page.eval_on_selector('path[data-code="CA"]', "p => getComputedStyle(p).fill")
    assert "pattern-insufficient" in california_fill
    washington_fill = page.eval_on_selector('path[data-code="WA"]', "p => getComputedStyle(p).fill")
    assert "pattern-no-mandate" in washington_fill
    screenshot(page, "map")


def test_clicking_a_state_opens_its_panel_linking_to_its_law(live_server, committed_registry, page):
    page.goto(f"{live_server.url}/")
    page.wait_for_selector("#map[data-ready=true]", timeout=20_000)
    page.click('path[data-code="TX"]')
    page.wait_for_selector("#state-panel:not([hidden])")
    assert page.inner_text("#panel-title") == "Texas"
    assert "Insufficient data" in page.inner_text("#panel-figure")
    page.click("#panel-link")
    page.wait_for_url("**/j/TX/")
    assert page.inner_text("h1") == "Texas"


def test_texas_page_in_a_phone_sized_browser(live_server, committed_registry, browser, screenshot):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    phone = context.new_page()
    phone.goto(f"{live_server.url}/j/TX/")
    assert "Texas" in phone.inner_text("h1")
    assert phone.locator("text=Where the sign must be posted").is_visible()
    no_horizontal_scroll = phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert no_horizontal_scroll
    screenshot(phone, "texas-phone")
    context.close()
