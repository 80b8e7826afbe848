"""The law registry (/laws/) on a phone and a desktop, in English and Spanish: its wide table scrolls inside its own
box, and the table's caption (how many jurisdictions it lists) stays readable in view rather than centred across
the scrolled width, where a phone cut it off."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.database_agnostic]

VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1366, "height": 900}}
CAPTIONS = {"en-US": "56 jurisdictions", "es-US": "56 jurisdicciones"}

# Where the caption's words are drawn, against the box that clips them (the table's scrolling region).
CAPTION_IN_VIEW = """() => {
  const caption = document.querySelector("table.registry caption");
  const words = document.createRange();
  words.selectNodeContents(caption);
  const text = words.getBoundingClientRect();
  const box = caption.closest(".table-scroll").getBoundingClientRect();
  return {text: caption.textContent.trim(), left: text.left, right: text.right, boxLeft: box.left, boxRight: box.right,
          scrolls: caption.closest(".table-scroll").scrollWidth > box.width};
}"""


@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("locale", CAPTIONS)
def test_the_registry_caption_is_in_view(committed_registry, live_server, browser, viewport, locale, screenshot):
    context = browser.new_context(viewport=VIEWPORTS[viewport], locale=locale, is_mobile=viewport == "phone")
    page = context.new_page()
    page.goto(live_server.url + "/laws/")
    caption = page.evaluate(CAPTION_IN_VIEW)
    screenshot(page, f"laws-{viewport}-{locale}")
    context.close()
    assert caption["text"] == CAPTIONS[locale]
    assert caption["boxLeft"] - 1 <= caption["left"] and caption["right"] <= caption["boxRight"] + 1, caption
    if viewport == "phone":
        assert caption["scrolls"], "the table no longer scrolls on a phone: this test no longer checks the clipping"
