"""A letter that went out suggests a re-survey of its state's venues (issue 15.2): the tracker page and the API."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from compliance import missions, roles
from compliance.models import Jurisdiction, Letter, Sample
from tests import images
from tests.factories import frame_venue

AUSTIN = images.AUSTIN


@pytest.fixture
def texas_frame(db) -> list:
    """Texas bus stations (covered without condition) imported from OpenStreetMap: a frame to sample."""
    return [frame_venue("TX", "bus_station", AUSTIN[0] + 0.01 * n, AUSTIN[1]) for n in range(12)]


@pytest.fixture
def staff_advocate(db) -> User:
    """An advocate who is also staff: may draw samples (the draw page's rule)."""
    user = User.objects.create_user("staff-advocate", is_staff=True, password="pw-for-tests-only")
    user.groups.add(roles.advocates_group())
    return user


def letter_to(code: str, author: User, **fields) -> Letter:
    return Letter.objects.create(
        jurisdiction=Jurisdiction.objects.get(code=code),
        kind=Letter.Kind.ENFORCEMENT,
        author=author,
        subject=f"Hotline signs in {code}",
        body="text",
        **fields,
    )


def mark_sent(client: Client, letter: Letter):
    """The tracker's quick form: status sent, back to the tracker."""
    response = client.post(
        f"/letters/{letter.public_id}/", {"action": "outreach", "next": "tracker", "outreach_status": "sent"}
    )
    assert response.status_code == 302
    return client.get(response["Location"])


def row_of(page: str, letter: Letter) -> str:
    start = page.index(f'id="letter-{letter.public_id}"')
    return page[start : page.index("</tr>", start)]


def test_marking_a_letter_sent_offers_staff_a_re_survey_sample_of_the_state(texas_frame, staff_advocate):
    letter = letter_to("TX", staff_advocate)
    client = Client()
    client.force_login(staff_advocate)
    assert "re-survey" not in row_of(client.get("/letters/").content.decode(), letter)  # a draft suggests nothing

    row = row_of(mark_sent(client, letter).content.decode(), letter)

    assert "Re-survey the state&#x27;s venues" in row or "Re-survey the state's venues" in row
    assert 'href="/missions/draw/?jurisdiction=TX"' in row
    draw_page = client.get("/missions/draw/?jurisdiction=TX").content.decode()
    texas = Jurisdiction.objects.get(code="TX")
    assert f'<option value="{texas.pk}" selected>' in draw_page  # the form opens with the state chosen

    # Drawn from that page: the tracker now says the re-survey is under way, with the day it was drawn.
    drawn = client.post("/missions/draw/", {"jurisdiction": texas.pk, "seed": 4, "margin_of_error": 0.3})
    assert drawn.status_code == 302
    row = row_of(client.get("/letters/").content.decode(), letter)
    today = timezone.localdate().isoformat()
    assert f"Re-survey: a sample drawn on {today}, since the letter went out, is under way." in row
    assert "/missions/draw/" not in row


def test_an_advocate_who_is_not_staff_is_told_to_ask_staff(texas_frame, advocate):
    letter = letter_to("TX", advocate)
    client = Client()
    client.force_login(advocate)

    row = row_of(mark_sent(client, letter).content.decode(), letter)

    assert "Ask staff to draw a re-survey sample." in row and "/missions/draw/" not in row
    assert client.get("/missions/draw/?jurisdiction=TX").status_code == 302  # the draw page stays staff-only


def test_a_sample_drawn_before_the_letter_does_not_count_as_the_re_survey(texas_frame, staff_advocate):
    texas = Jurisdiction.objects.get(code="TX")
    sample = missions.draw_sample(jurisdiction=texas, seed=1, margin_of_error=0.3)
    Sample.objects.filter(pk=sample.pk).update(drawn_at=timezone.now() - datetime.timedelta(days=60))
    sample.refresh_from_db()
    sent_on = timezone.localdate() - datetime.timedelta(days=10)

    assert missions.resurvey_after(texas, sent_on, current=sample) == missions.Resurvey("draw")
    on_the_day = missions.resurvey_after(texas, sent_on - datetime.timedelta(days=50), current=sample)
    assert on_the_day == missions.Resurvey("under_way", str(sample.public_id), timezone.localdate(sample.drawn_at))


def test_a_state_without_a_frame_or_a_mandate_cannot_be_re_surveyed(db, staff_advocate):
    client = Client()
    client.force_login(staff_advocate)
    for code in ("TX", "WA"):  # Texas has a mandate but no frame imported here; Washington has no mandate
        letter = letter_to(code, staff_advocate)
        row = row_of(mark_sent(client, letter).content.decode(), letter)
        assert "No re-survey sample can be drawn" in row and "/missions/draw/" not in row


def test_the_letters_api_answer_carries_the_re_survey_suggestion(texas_frame, staff_advocate, advocate):
    letter = letter_to("TX", advocate)
    staff = APIClient()
    staff.force_authenticate(staff_advocate)
    plain = APIClient()
    plain.force_authenticate(advocate)
    assert plain.get(f"/api/letters/{letter.public_id}/").json()["resurvey"] is None  # not sent yet

    sent = plain.patch(f"/api/letters/{letter.public_id}/", {"outreach_status": "sent"}, format="json")

    assert sent.status_code == 200, sent.json()
    assert sent.json()["resurvey"] == {
        "action": "draw",
        "sample_id": None,
        "sample_drawn_on": None,
        "sample_url": None,
        "draw_url": None,  # this advocate may not draw
    }
    as_staff = staff.get(f"/api/letters/{letter.public_id}/").json()["resurvey"]
    assert as_staff["draw_url"] == "http://testserver/missions/draw/?jurisdiction=TX"

    sample = missions.draw_sample(jurisdiction=Jurisdiction.objects.get(code="TX"), seed=2, margin_of_error=0.3)
    under_way = staff.get(f"/api/letters/{letter.public_id}/").json()["resurvey"]
    assert under_way == {
        "action": "under_way",
        "sample_id": str(sample.public_id),
        "sample_drawn_on": timezone.localdate().isoformat(),
        "sample_url": "http://testserver/api/missions/TX/",
        "draw_url": None,
    }
    assert staff.get(under_way["sample_url"]).status_code == 200
