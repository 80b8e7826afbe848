"""Server-rendered pages: the map page and a jurisdiction's law in plain language."""

import json
import re

from django.utils.html import escape

from compliance.models import PostingLaw


def test_map_page_embeds_every_jurisdiction_status(client, db):
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    config = json.loads(re.search(r'<script id="map-config" type="application/json">(.*?)</script>', html).group(1))
    assert len(config["jurisdictions"]) == 56
    assert config["jurisdictions"]["CA"]["law_status"] == "mandatory"
    assert config["boundariesUrl"].endswith("geo/states-simplified.geojson")
    assert config["tileUrl"] == ""  # offline by default


def test_map_page_has_a_legend_and_an_accessible_table(client, db):
    html = client.get("/").content.decode()
    for label in (
        "80–100%",
        "Insufficient data (fewer than 10 venues)",
        "No mandatory posting law",
        "law unverified",
        "n = venues",
    ):
        assert label in html
    assert html.count("<tr data-code=") == 56


def test_map_page_uses_no_outside_scripts(client, db):
    html = client.get("/").content.decode()
    assert not re.search(r'src="https?://', html)


def test_texas_page_shows_its_law(client, db):
    law = PostingLaw.objects.get(jurisdiction__code="TX")
    html = client.get("/j/TX/").content.decode()
    assert "<h1>Texas</h1>" in html
    assert escape(law.short_citation) in html
    assert "The law requires the hotline to be posted." in html
    for covered in law.coverage.select_related("venue_type"):
        assert escape(covered.venue_type.name) in html


def test_low_confidence_law_page_says_unverified(client, db):
    law = PostingLaw.objects.filter(confidence="low").select_related("jurisdiction").first()
    html = client.get(f"/j/{law.jurisdiction.code}/").content.decode()
    assert "unverified" in html
    assert "Do not cite it as fact" in html


def test_territory_not_yet_researched_says_so(client, db):
    html = client.get("/j/GU/").content.decode()
    assert "unverified" in html
    assert "Searched 2026-12-06" in html  # its row's research notes, on the registry's own page


def test_unknown_jurisdiction_page_is_404(client, db):
    assert client.get("/j/ZZ/").status_code == 404


def test_every_page_tells_someone_in_danger_to_call_911(client, db):
    for url in ("/", "/j/CA/"):
        assert "911" in client.get(url).content.decode()


def test_service_worker_is_served_from_the_root_and_always_revalidated(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/javascript; charset=utf-8"
    assert response["Cache-Control"] == "no-cache"
    body = response.content.decode()
    assert 'var PAGES = ["/submit/", "/survey/"];' in body and 'addEventListener("fetch"' in body
    assert client.post("/sw.js").status_code == 405
