"""Spanish beside English: the catalogue is sound, pages and API answers follow the reader's language, and the
documents for Attorney General offices (letters, reports) stay English whatever the reader's browser says."""

from __future__ import annotations

import io
import re
from pathlib import Path

import polib
import pytest
from django.test import Client
from pypdf import PdfReader
from rest_framework.test import APIClient

from compliance import scoreboard
from compliance.models import Letter, VenueType
from tests.test_compliance_api import approved_venue
from tests.test_letters import api_as
from tests.test_observations import AUSTIN, at, plain_jpeg, post

LOCALE = Path(__file__).resolve().parent.parent / "compliance" / "locale" / "es" / "LC_MESSAGES"
CATALOGUES = ("django", "djangojs")
PLACEHOLDER = re.compile(r"%(?:\([a-z_]+\))?[-+ #0]*\d*(?:\.\d+)?[sdgf%]")


def spanish() -> Client:
    return Client(headers={"accept-language": "es-US,es;q=0.9,en;q=0.5"})


# --- the catalogue ---


@pytest.mark.parametrize("domain", CATALOGUES)
def test_compiled_catalogue_matches_its_source(domain):
    """The .mo Django reads holds exactly the finished translations of the .po people edit."""
    po = polib.pofile(str(LOCALE / f"{domain}.po"))
    mo = polib.mofile(str(LOCALE / f"{domain}.mo"))
    assert not po.metadata_is_fuzzy, "a fuzzy header is dropped by msgfmt, and plural forms with it"
    assert po.metadata["Plural-Forms"] == mo.metadata["Plural-Forms"] == "nplurals=2; plural=(n != 1);"

    def finished(entries):
        return {
            (entry.msgctxt, entry.msgid): entry.msgstr or tuple(sorted(entry.msgstr_plural.items()))
            for entry in entries
            if entry.msgid
        }

    assert finished(po.translated_entries()) == finished(mo), "compile the .po again (msgfmt or polib)"
    assert len(finished(mo)) > {"django": 250, "djangojs": 35}[domain]


@pytest.mark.parametrize("domain", CATALOGUES)
def test_every_translation_keeps_the_placeholders(domain):
    """A lost or renamed %(name)s would raise at render time: a 500 for every Spanish reader."""
    for entry in polib.pofile(str(LOCALE / f"{domain}.po")).translated_entries():
        if not {"python-format", "javascript-format", "c-format"} & set(entry.flags):
            continue
        expected = sorted(PLACEHOLDER.findall(entry.msgid_plural or entry.msgid))
        translations = list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]
        for translation in translations:
            assert sorted(PLACEHOLDER.findall(translation)) == expected, (entry.msgid, translation)


@pytest.mark.parametrize("domain", CATALOGUES)
def test_translations_keep_markup_and_phone_numbers(domain):
    for entry in polib.pofile(str(LOCALE / f"{domain}.po")).translated_entries():
        for pattern in (r"</?[a-z]+[^>]*>", r"1-888-373-7888", r"233733", r"911"):
            assert sorted(re.findall(pattern, entry.msgid)) == sorted(re.findall(pattern, entry.msgstr)), entry.msgid


def test_every_venue_type_has_a_spanish_name(db):
    assert not VenueType.objects.filter(name_es="").exists()
    assert VenueType.objects.get(slug="truck_stop").name_es == "Parada de camiones"


# --- pages and API answers in the reader's language ---


def test_submit_page_follows_the_browser_language(db):
    page = spanish().get("/submit/").content.decode()
    assert '<html lang="es">' in page
    assert "Reportar un letrero de la línea directa" in page
    assert "Este formulario no es una línea de denuncias" in page
    assert 'href="tel:+18883737888"' in page  # the hotline stays a link to call
    english = Client().get("/submit/").content.decode()
    assert '<html lang="en">' in english and "Report a hotline sign" in english


def test_language_switch_sets_the_language_for_later_pages(db):
    client = Client(enforce_csrf_checks=True)
    page = client.get("/j/TX/")
    assert 'name="language" value="es" lang="es">Español</button>' in page.content.decode()
    # The switch carries no CSRF token, so the page sets no cookie and is the same for every visitor (kept whole).
    assert not page.cookies and "csrfmiddlewaretoken" not in page.content.decode()
    switched = client.post("/i18n/setlang/", {"language": "es", "next": "/j/TX/"})
    assert switched.status_code == 302 and switched["Location"] == "/j/TX/"
    page = client.get("/j/TX/").content.decode()
    assert '<html lang="es">' in page and "Dónde debe colocarse el letrero" in page
    assert "Estación de autobuses" in page  # a venue type the Texas law covers, by its Spanish name
    assert 'name="language" value="en" lang="en">English</button>' in page  # the way back, in its own language


def test_javascript_catalogue_is_spanish(db):
    catalogue = spanish().get("/jsi18n/").content.decode()
    assert "Buscando su ubicaci" in catalogue and "Elija el tipo de lugar." in catalogue


def test_api_names_venue_types_in_the_request_language(db):
    english = APIClient().get("/api/venue-types/")
    spanish_answer = APIClient(headers={"accept-language": "es"}).get("/api/venue-types/")
    assert "Accept-Language" in spanish_answer["Vary"]
    names = {row["slug"]: row["name"] for row in spanish_answer.json()}
    assert names["truck_stop"] == "Parada de camiones"
    assert {row["slug"]: row["name"] for row in english.json()}["truck_stop"] == "Truck stop"
    located = APIClient(headers={"accept-language": "es"}).get("/api/locate/", {"lat": AUSTIN[0], "lon": AUSTIN[1]})
    assert "Estación de autobuses" in [row["name"] for row in located.json()["covered_venue_types"]]


def test_map_popups_name_the_venue_type_in_spanish(db):
    approved_venue("TX", "truck_stop", "posted", *AUSTIN)
    query = {"bbox": "-97.8,30.2,-97.7,30.3", "zoom": 16}
    spanish_map = APIClient(headers={"accept-language": "es"}).get("/api/map/", query).json()
    assert [f["properties"]["venue_type_name"] for f in spanish_map["features"]] == ["Parada de camiones"]
    english_map = APIClient().get("/api/map/", query).json()
    assert [f["properties"]["venue_type_name"] for f in english_map["features"]] == ["Truck stop"]


def test_upload_errors_speak_spanish_and_keep_their_codes(db, media_root):
    api = APIClient(headers={"accept-language": "es"})
    missing = post(api, plain_jpeg())
    assert missing.status_code == 422
    assert missing.json()["code"] == "location_required"
    assert missing.json()["detail"].startswith("Necesitamos saber dónde está el letrero")
    empty = post(api, b"", **at(AUSTIN))
    assert empty.status_code == 400 and empty.json() == {
        "code": "empty_file",
        "detail": "El archivo está vacío. Elija la foto de nuevo.",
        "field": "photos",
    }


def test_sign_notes_follow_the_reader_and_the_cache_keeps_languages_apart(db):
    def notes(client: Client) -> str:
        response = client.get("/signs/TX.pdf", {"venue_type": "bus_station"})
        reader = PdfReader(io.BytesIO(response.content))
        return " ".join(" ".join(page.extract_text() for page in reader.pages[1:]).split())

    english_first = notes(Client())
    in_spanish = notes(spanish())
    assert "Texas law requires this sign for “Bus station”." in english_first
    assert "La ley de Texas exige este letrero en “Estación de autobuses”." in in_spanish
    assert notes(Client()) == english_first  # not the Spanish copy from the cache


# --- documents for Attorney General offices stay English ---


def test_letter_written_from_a_spanish_browser_is_english(advocate):
    statuses = ["posted"] * 9 + ["deficient"] * 2 + ["missing"]
    for n, status in enumerate(statuses):
        approved_venue("TX", "bus_station", status, AUSTIN[0] + 0.01 * n, AUSTIN[1])
    scoreboard.invalidate()
    api = api_as(advocate)
    api.credentials(HTTP_ACCEPT_LANGUAGE="es")
    response = api.post("/api/letters/", {"jurisdiction": "TX", "kind": "enforcement"}, format="json")
    assert response.status_code == 201
    letter = Letter.objects.get(public_id=response.json()["id"])
    assert "The sign was posted at 9 of the 12: 75% (95% confidence interval 47–91%; n = 12)" in letter.body
    assert "• Bus station: posted at 9 of 12" in letter.body
    months = "enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|octubre|noviembre|diciembre"
    assert not re.search(rf"\b(de|del|Estación|letrero|{months})\b", letter.body + letter.subject, re.IGNORECASE)
    assert re.search(r"the figures in this letter are those of [A-Z][a-z]+ \d{1,2}, \d{4}\.", letter.body)
    client = Client(headers={"accept-language": "es"})
    client.force_login(advocate)
    pdf = PdfReader(io.BytesIO(client.get(f"/letters/{letter.public_id}.pdf").content))
    assert "Sincerely," in " ".join(page.extract_text() for page in pdf.pages)


def test_compliance_report_is_english_for_a_spanish_browser(db):
    page = spanish().get("/reports/TX/").content.decode()
    assert '<html lang="en">' in page
    assert "Are the signs on the wall?" in page and "¿Están los letreros en la pared?" not in page


@pytest.mark.parametrize(
    ("language", "next_url"),
    [("zz", "/j/TX/"), ("es", "https://evil.example/phish"), ("es", "//evil.example/"), ("es\x00", "/"), ("", "")],
)
def test_language_switch_refuses_unknown_languages_and_outside_addresses(db, language, next_url):
    client = Client()
    response = client.post("/i18n/setlang/", {"language": language, "next": next_url})
    assert response.status_code in (302, 204), response.status_code
    if response.status_code == 302:
        assert not response["Location"].startswith(("http", "//")), response["Location"]
    if language == "es":
        assert client.cookies["django_language"].value == "es"
    else:
        assert "django_language" not in client.cookies
