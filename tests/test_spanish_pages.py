"""Every page a Spanish reader can open speaks Spanish: the moderation queue's filters, the mission pages, a
campaign's pages, the method and state pages. Key strings are checked in Spanish, and the English they replaced is
checked gone (compliance reports and letters stay English by design: tests/test_i18n.py)."""

from __future__ import annotations

import datetime
import io
import json
import re
from html.parser import HTMLParser

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from compliance import campaigns
from compliance.models import Jurisdiction
from tests.factories import frame_venue, report
from tests.osm_extracts import AUSTIN


class VisibleText(HTMLParser):
    """The text a reader sees (and hears: labels, button names, placeholders), without scripts and styles."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "template"):
            self._hidden += 1
        for name, value in attrs:
            if name in ("aria-label", "placeholder", "title", "alt") and value:
                self.parts.append(value)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "template"):
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden and data.strip():
            self.parts.append(data.strip())


def visible_text(html: str) -> str:
    parser = VisibleText()
    parser.feed(html)
    return re.sub(r"\s+", " ", " ".join(parser.parts))


def spanish(user=None) -> Client:
    client = Client(headers={"accept-language": "es-US,es;q=0.9"})
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def texas(db, advocate):
    """Texas with a venue frame, a drawn sample, a visited venue and an open campaign."""
    venues = [frame_venue("TX", "bus_station", AUSTIN[0] + 0.01 * n, AUSTIN[1]) for n in range(12)]
    call_command("draw_sample", "TX", "--seed", "7", stdout=io.StringIO())
    report(venues[0], "posted", days_ago=5)
    campaigns.open_campaign(
        jurisdiction=Jurisdiction.objects.get(code="TX"),
        ask="Share the hotline on your website.",
        opened_by=advocate,
        ends_on=timezone.localdate() + datetime.timedelta(days=30),
    )
    return venues


def page_text(client: Client, path: str) -> str:
    answer = client.get(path)
    assert answer.status_code == 200, path
    assert answer["Content-Language"] == "es"
    return visible_text(answer.content.decode())


def test_the_moderation_queue_and_its_filters_speak_spanish(texas, moderator):
    text = page_text(spanish(moderator), "/moderate/")
    for spanish_text in ("Filtrar la cola", "Sin alertas", "Cualquier alerta", "En espera desde hace al menos (días)"):
        assert spanish_text in text
    assert "Lejos del lugar elegido" in text  # a flag's name, from the model's choices
    assert "Consultar a otro moderador (O)" in text and "Lectura automática del letrero" in text
    for english in (
        "Filter the queue",
        "No flag",
        "Any flag",
        "Waiting at least",
        "Far from the chosen venue",
        "Keys:",
    ):
        assert english not in text


def test_the_mission_pages_speak_spanish(texas, django_user_model):
    survey = page_text(spanish(), "/survey/")
    assert "Visitas cerca de mí" in survey and "Buscar lugares cerca de mí" in survey
    assert '"No es seguro entrar"' in survey
    state = page_text(spanish(), "/j/TX/")
    assert "Misión de muestreo" in state and "Cuánto del estado hemos visto" in state
    assert "Por visitar" in state and "Marco de lugares" in state
    staff = django_user_model.objects.create_superuser("staff", password="pw-for-tests-only")
    draw = page_text(spanish(staff), "/missions/draw/")
    assert "Sacar una muestra" in draw and "Vacío: una semilla aleatoria nueva." in draw
    for english in ("Survey near me", "Find places near me", "Not safe to go in", "Sampling mission", "To visit"):
        assert english not in survey + state
    assert "Draw a sample" not in draw and "Empty: a fresh random seed." not in draw


def test_the_survey_and_moderation_scripts_speak_spanish(db):
    catalogue = spanish().get("/jsi18n/").content.decode()
    for spanish_text in (
        "Ningún lugar de la muestra necesita una visita cerca de aquí.",
        "Escriba un motivo para todos y luego presione Shift+Enter.",
        "en disputa: los reportes recientes no coinciden",
    ):
        assert json.dumps(spanish_text) in catalogue  # the catalogue is JSON, non-ASCII escaped


def test_opening_a_campaign_speaks_spanish(texas, advocate):
    text = page_text(spanish(advocate), "/campaigns/TX/open/")
    assert "Abrir una campaña pública: dígale al Fiscal General de Texas" in text
    assert "Lo que los simpatizantes le piden al Fiscal General" in text and "Termina el" in text
    assert "Abrir la campaña" in text
    for english in ("Open a public campaign", "Ends on", "Milestones", "What supporters ask"):
        assert english not in text


def test_a_refused_campaign_says_why_in_spanish(texas, advocate):
    ends = (timezone.localdate() + datetime.timedelta(days=10)).isoformat()
    answer = spanish(advocate).post("/campaigns/TX/open/", {"ask": "Otra.", "ends_on": ends})
    assert answer.status_code == 400
    assert "Texas ya tiene una campaña en estas fechas." in visible_text(answer.content.decode())


def test_the_method_and_venue_pages_speak_spanish(texas):
    method = page_text(spanish(), "/method/")
    assert "Cómo calcula SignWatch sus cifras" in method and "¿Están de acuerdo los moderadores?" in method
    assert "intervalo de confianza de Wilson" in method and "Lugares en disputa" in method
    for english in ("How SignWatch works out its figures", "Do moderators agree?", "For a state or territory"):
        assert english not in method
    venue = page_text(spanish(), f"/v/{texas[0].public_id}/")
    assert "Reportes aprobados" in venue and "Approved reports" not in venue


def test_the_server_error_page_speaks_the_readers_language(db, rf):
    from django.utils import translation

    from compliance.views.errors import server_error

    with translation.override("es"):
        page = server_error(rf.get("/j/TX/"))
    assert page.status_code == 500
    html = page.content.decode()
    assert '<html lang="es">' in html and "Algo salió mal de nuestro lado" in html and "Volver al mapa" in html
    assert "Something went wrong" not in html
    with translation.override("en"):
        assert "Something went wrong on our side" in server_error(rf.get("/")).content.decode()
