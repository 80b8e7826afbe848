"""Every page as each kind of user sees it, in English and Spanish, on a phone and on a desktop.

For each combination the page must: draw each of its maps at least 200 px high, not scroll sideways, keep the
footer clear of the content, and pass axe-core (WCAG 2.2 AA and axe's best practices) with zero violations.

With SIGNWATCH_SCREENSHOTS set to a folder, each English page (and the Spanish report form) is also saved there as
a PNG: scripts/screenshots uses this to refresh docs/images/.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests import images
from tests.browser.conftest import World, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.database_agnostic]

VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1366, "height": 900}}
LANGUAGES = {"en": "en-US", "es": "es-US"}
MIN_MAP_HEIGHT = 200
# axe-core's WCAG 2.0/2.1/2.2 A and AA rules and its best practices (landmarks, headings, target size...).
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]},
    "resultTypes": ["violations"],
}


@dataclass(frozen=True)
class Screen:
    name: str
    path: str
    maps: tuple[str, ...] = ()
    ready: str = "main"  # a selector that appears once the page's script has drawn what it fetched
    english_only: bool = False  # compliance reports and letters are English documents (README: Languages)


def screens_for(role: str, world: World) -> list[Screen]:
    """The pages a user in this role uses, with the maps each must draw."""
    state = Screen("state", "/j/TX/", maps=("#state-map",))
    submit = Screen("submit", "/submit/", maps=("#pin-map",), ready="#jurisdiction-banner:not([hidden])")
    receipt = Screen("receipt", f"/r/{world.receipt}/")
    report = Screen("report", "/reports/TX/", english_only=True)
    public_map = Screen("map", "/", maps=("#map",), ready="#map[data-ready=true]")
    if role == "anonymous":
        return [
            public_map,
            state,
            Screen("venue", f"/v/{world.venue_id}/", ready=".owner-links"),
            Screen("venue-owner-claim", f"/v/{world.claimed_venue_id}/", ready="#owner-claim"),
            Screen("owner-report", f"/v/{world.venue_id}/owner/", ready="#owner-report-form"),
            Screen("sign-for-venue", f"/signs/TX/?venue={world.venue_id}", ready="#owner-report-link"),
            submit,
            receipt,
            report,
            Screen("signs", "/signs/"),
            Screen("sign", "/signs/TX/"),
            Screen("laws", "/laws/"),
            Screen("method", "/method/"),
            Screen("login", "/accounts/login/"),
            Screen("not-found", "/no-such-page/"),
        ]
    if role == "volunteer":
        return [submit, Screen("my-reports", "/my/reports/"), receipt]
    if role == "moderator":
        return [Screen("moderate", "/moderate/", maps=("#item-map",), ready="#item:not([hidden])"), public_map]
    if role == "advocate":
        return [
            Screen("letters", "/letters/", english_only=True),
            Screen("letter", f"/letters/{world.letter_id}/", english_only=True),
            state,
        ]
    if role == "ag_office":
        return [report, state]
    raise AssertionError(role)


LAYOUT_PROBLEMS = """(minHeight) => {
  const problems = [];
  const root = document.documentElement;
  const name = (e) => e.tagName.toLowerCase() + (e.id ? "#" + e.id : "") + "." + [...e.classList].join(".");
  // Inside a box that clips or scrolls (a map, a scrolling table), what runs past the box is not drawn.
  const clipped = (element) => {
    for (let box = element.parentElement; box && box.tagName !== "BODY"; box = box.parentElement) {
      if (getComputedStyle(box).overflow !== "visible") return true;
    }
    return false;
  };
  const drawn = [...document.querySelectorAll("body *")].filter((e) => {
    const box = e.getBoundingClientRect();
    return box.width && box.height && !clipped(e);
  });
  if (root.scrollWidth > root.clientWidth) {
    const wide = drawn.filter((e) => e.getBoundingClientRect().right > root.clientWidth + 1).slice(0, 5).map(name);
    problems.push(`scrolls sideways: ${root.scrollWidth} px wide in ${root.clientWidth} px (${wide.join(", ")})`);
  }
  for (const map of document.querySelectorAll(".leaflet-container")) {
    const height = map.getBoundingClientRect().height;
    if (height < minHeight) problems.push(`${name(map)} is ${height} px high`);
  }
  const footerTop = document.querySelector("footer").getBoundingClientRect().top;
  const over = drawn.filter((e) => e.closest("main") && e.getBoundingClientRect().bottom > footerTop + 1);
  if (over.length) problems.push(`${over.slice(0, 3).map(name).join(", ")} run over the footer`);
  return problems;
}"""


def visit(page, base_url: str, screen: Screen) -> None:
    page.goto(base_url + screen.path)
    page.wait_for_selector(screen.ready, timeout=20_000)
    for selector in screen.maps:
        page.wait_for_selector(f"{selector}.leaflet-container", timeout=10_000)
    if screen.maps:  # what the map's script fetches (outlines, venues) is drawn before the page is judged
        page.wait_for_load_state("networkidle")


SUFFIXES = {"en": "", "es": "-es"}
SAVED: set[Path] = set()  # a page several roles see is saved once per run, as the first role sees it


def save_screenshot(page, screen: Screen, path: Path) -> None:
    """What fits on the screen, with the page's first map in view (the pin on the report form)."""
    if path in SAVED:
        return
    SAVED.add(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if screen.maps and screen.name != "map":
        page.locator(screen.maps[0]).evaluate("(map) => map.scrollIntoView({block: 'center'})")
    page.screenshot(path=str(path))
    page.evaluate("() => window.scrollTo(0, 0)")


def screenshot_folder() -> Path | None:
    folder = os.environ.get("SIGNWATCH_SCREENSHOTS")
    return Path(folder) if folder else None


@pytest.mark.parametrize("role", ["anonymous", "volunteer", "moderator", "advocate", "ag_office"])
def test_every_page_fits_and_passes_axe(role, world, live_server, browser):
    axe = Axe()
    problems: list[str] = []
    combinations = 0
    shots = screenshot_folder()
    for language, locale in LANGUAGES.items():
        for viewport_name, viewport in VIEWPORTS.items():
            context = browser.new_context(
                viewport=viewport,
                locale=locale,
                is_mobile=viewport_name == "phone",
                has_touch=viewport_name == "phone",
                geolocation={"latitude": images.AUSTIN[0], "longitude": images.AUSTIN[1], "accuracy": 15},
                permissions=["geolocation"],
            )
            if role != "anonymous":
                sign_in(context, live_server.url, world.users[role])
            page = context.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda error, errors=errors: errors.append(str(error)))
            for screen in screens_for(role, world):
                where = f"{screen.name} ({role}, {language}, {viewport_name})"
                visit(page, live_server.url, screen)
                assert page.get_attribute("html", "lang") == ("en" if screen.english_only else language), where
                problems += [f"{where}: {problem}" for problem in page.evaluate(LAYOUT_PROBLEMS, MIN_MAP_HEIGHT)]
                for selector in screen.maps:
                    assert page.locator(selector).count() == 1, f"{where}: no {selector}"
                results = axe.run(page, options=AXE_OPTIONS)
                for violation in results.response["violations"]:
                    targets = [" ".join(map(str, node["target"])) for node in violation["nodes"][:3]]
                    problems.append(f"{where}: axe {violation['id']} ({violation['impact']}): {targets}")
                combinations += viewport_name == "desktop"
                if shots and (language == "en" or screen.name == "submit"):
                    save_screenshot(page, screen, shots / f"{screen.name}-{viewport_name}{SUFFIXES[language]}.png")
            context.close()
            assert not errors, f"JavaScript errors ({role}, {language}, {viewport_name}): {errors}"
    print(f"\n{role}: violations: {len(problems)} on {combinations} page/role/language combinations")
    assert not problems, "\n".join(problems)
