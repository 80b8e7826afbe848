"""The web app manifest: the report form can be added to a phone's home screen and opens as an app."""

from __future__ import annotations

import io

import pytest
from django.contrib.staticfiles import finders
from PIL import Image

PAGES = ["/", "/submit/", "/j/TX/", "/signs/", "/signs/TX/", "/reports/TX/", "/accounts/login/", "/no-such-page/"]


def test_manifest_names_the_report_form_as_an_installable_app(client):
    response = client.get("/manifest.webmanifest")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    manifest = response.json()
    assert manifest["name"] == "SignWatch: report a hotline sign"
    assert manifest["short_name"] == "SignWatch"
    assert len(manifest["short_name"]) <= 12  # what fits under an icon on a home screen
    assert manifest["start_url"] == "/submit/"
    assert manifest["scope"] == "/"
    assert manifest["start_url"].startswith(manifest["scope"])
    assert manifest["display"] == "standalone"
    assert manifest["theme_color"] == "#12324a"
    assert manifest["background_color"] == "#ffffff"
    assert manifest["lang"] == "en"


def test_every_icon_the_manifest_declares_exists_at_its_size(client):
    icons = client.get("/manifest.webmanifest").json()["icons"]
    declared = {(icon["sizes"], icon["purpose"]) for icon in icons}
    assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")} <= declared
    for icon in icons:
        assert icon["type"] == "image/png"
        assert icon["src"].startswith("/static/")
        found = finders.find(icon["src"].removeprefix("/static/"))
        assert found, f"{icon['src']} is not a static file"
        with open(found, "rb") as file:
            image = Image.open(io.BytesIO(file.read()))
            assert image.format == "PNG"
            assert f"{image.width}x{image.height}" == icon["sizes"]


def test_maskable_icon_keeps_its_drawing_inside_the_safe_circle(client):
    """A phone may cut a maskable icon to a circle of 80% of its width: outside it, only the background colour."""
    icons = client.get("/manifest.webmanifest").json()["icons"]
    maskable = next(icon for icon in icons if icon["purpose"] == "maskable")
    image = Image.open(finders.find(maskable["src"].removeprefix("/static/"))).convert("RGB")
    size = image.width
    background = image.getpixel((0, 0))
    centre, safe_radius = size / 2, 0.4 * size
    for x in range(0, size, 4):
        for y in range(0, size, 4):
            if (x - centre) ** 2 + (y - centre) ** 2 > safe_radius**2:
                assert image.getpixel((x, y)) == background, (x, y)


def test_manifest_speaks_the_browser_language(client):
    manifest = client.get("/manifest.webmanifest", HTTP_ACCEPT_LANGUAGE="es-US,es;q=0.9").json()
    assert manifest["lang"] == "es"
    assert manifest["name"] == "SignWatch: reportar un letrero de la línea directa"
    assert manifest["start_url"] == "/submit/"


@pytest.mark.parametrize("path", PAGES)
def test_every_page_links_the_manifest_and_its_theme_colour(db, client, path):
    html = client.get(path).content.decode()
    assert '<link rel="manifest" href="/manifest.webmanifest">' in html
    assert '<meta name="theme-color" content="#12324a">' in html


def test_manifest_refuses_writes(client):
    assert client.post("/manifest.webmanifest").status_code == 405
