"""The street basemap: a PMTiles archive SignWatch serves itself, read by the page with HTTP range requests.

The archive is built in code (tests/vector_tiles.py): one world tile, land everywhere and water over the western
hemisphere, so on a map of Texas every basemap pixel is the basemap's water colour, a colour nothing else draws.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from tests import images
from tests.vector_tiles import world_archive

pytestmark = [pytest.mark.browser, pytest.mark.database_agnostic]

WATER = (0x80, 0xDE, 0xEA)  # protomaps-leaflet's "light" flavour

# The share of the map's tile canvases painted in the basemap's water colour.
WATER_SHARE = """([r, g, b]) => {
  let painted = 0, total = 0;
  for (const canvas of document.querySelectorAll("#pin-map .leaflet-tile-pane canvas")) {
    const pixels = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
    for (let i = 0; i < pixels.length; i += 4 * 97) {
      total += 1;
      const near = (value, wanted) => Math.abs(value - wanted) < 6;
      if (near(pixels[i], r) && near(pixels[i + 1], g) && near(pixels[i + 2], b)) painted += 1;
    }
  }
  return total ? painted / total : 0;
}"""


def phone_on_the_form(browser, live_server, on_response=None) -> tuple[Page, list[str]]:
    context = browser.new_context(
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
        geolocation={"latitude": images.AUSTIN[0], "longitude": images.AUSTIN[1], "accuracy": 12},
        permissions=["geolocation"],
    )
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("console", lambda message: message.type == "error" and problems.append(message.text))
    if on_response:
        page.on("response", on_response)
    page.goto(f"{live_server.url}/submit/")
    return page, problems


def test_the_form_draws_the_street_basemap_from_ranges_of_the_archive(
    live_server, committed_registry, browser, settings, tmp_path
):
    settings.MAP_PMTILES_FILE = str(world_archive(tmp_path / "world.pmtiles"))
    settings.MAP_PMTILES_URL = "/basemap.pmtiles"
    archive_answers: list[tuple[int, str | None]] = []

    def record(response) -> None:
        if response.url.endswith("/basemap.pmtiles"):
            archive_answers.append((response.status, response.headers.get("content-range")))

    page, problems = phone_on_the_form(browser, live_server, on_response=record)
    page.wait_for_selector("#jurisdiction-banner:not([hidden])")
    page.wait_for_function(f"(colour) => ({WATER_SHARE})(colour) > 0.5", arg=list(WATER), timeout=15_000, polling=200)
    share = page.evaluate(WATER_SHARE, list(WATER))
    assert share > 0.5, f"only {share:.0%} of the basemap is drawn"
    assert archive_answers, "the page never read the archive"
    assert all(status == 206 for status, _ in archive_answers), archive_answers
    assert all(content_range and content_range.startswith("bytes ") for _, content_range in archive_answers)
    assert "OpenStreetMap" in page.inner_text("#pin-map .leaflet-control-attribution")
    assert page.locator("#pin-map .leaflet-marker-icon").count() == 1  # the pin on top of the streets
    assert not problems, problems  # no script error, no Content Security Policy refusal
    page.context.close()


def test_without_an_archive_the_state_outlines_stay_the_offline_default(live_server, committed_registry, browser):
    page, problems = phone_on_the_form(browser, live_server)
    page.wait_for_selector("#jurisdiction-banner:not([hidden])")
    page.locator("#pin-map .leaflet-overlay-pane path").first.wait_for(state="attached")  # the Census outlines
    assert page.locator("#pin-map .leaflet-overlay-pane path").count() == 56
    assert page.locator("script[src*='protomaps-leaflet']").count() == 0
    assert page.locator("#pin-map .leaflet-tile-pane canvas").count() == 0
    assert not problems, problems
    page.context.close()
