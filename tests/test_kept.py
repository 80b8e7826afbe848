"""Public answers kept whole (compliance/kept.py): served from the kept copy, never stale, never someone else's."""

from __future__ import annotations

import datetime
import re

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from compliance import campaigns, kept, moderation, observations, scoreboard
from compliance.models import Jurisdiction, Observation, Supporter
from tests.test_compliance_api import add_observation, approved_venue
from tests.test_observations import at, plain_jpeg, post

PAGES = ("/", "/j/TX/", "/reports/TX/")


@pytest.fixture
def venue(db):
    return approved_venue("TX", "truck_stop", "posted", 30.27, -97.74)


def queries(client: Client, path: str, **headers: str) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as captured:
        answer = client.get(path, headers=headers)
    assert answer.status_code == 200, (path, answer.status_code)
    return len(captured), answer


@pytest.mark.parametrize("path", [*PAGES, "venue"])
def test_a_signed_out_visitor_gets_the_kept_page(venue, path):
    path = f"/v/{venue.public_id}/" if path == "venue" else path
    first_queries, first = queries(Client(), path)
    again_queries, again = queries(Client(), path)
    assert again.content == first.content
    # The stamp and the edits' generation (and, for a venue, which state it is in): no page query.
    assert again_queries <= 3 < first_queries
    assert not again.cookies  # nothing about this visitor in it
    vary = {value.strip() for value in again["Vary"].split(",")}
    assert {"Cookie", "Accept-Language"} <= vary
    assert again["ETag"] == first["ETag"]
    assert Client().get(path, headers={"if-none-match": first["ETag"]}).status_code == 304


def test_each_language_has_its_own_kept_page(venue):
    english = Client().get("/j/TX/").content.decode()
    spanish = Client(headers={"accept-language": "es"}).get("/j/TX/").content.decode()
    assert '<html lang="en">' in english and '<html lang="es">' in spanish
    assert Client().get("/j/TX/").content.decode() == english


def test_an_approval_shows_at_once(venue, moderator, django_capture_on_commit_callbacks):
    page = f"/v/{venue.public_id}/"

    def reports_shown() -> int:
        return Client().get(page).content.decode().split('<ol class="history">')[1].count('<span class="status-chip')

    assert reports_shown() == 1
    pending = add_observation(venue, "missing", days_ago=1, review_status="pending")
    with django_capture_on_commit_callbacks(execute=True):
        observations.moderate(observation=pending, moderator=moderator, action="approve")
    assert reports_shown() == 2


def test_a_venue_renamed_shows_at_once_on_its_page_and_in_the_api(venue, django_capture_on_commit_callbacks):
    page, api = f"/v/{venue.public_id}/", f"/api/venues/{venue.public_id}/"
    assert "Old Name" not in Client().get(page).content.decode()
    assert APIClient().get(api).json()["name"] != "Old Name"
    with django_capture_on_commit_callbacks(execute=True):
        venue.name = "Old Name"
        venue.save(update_fields=["name"])
    assert "Old Name" in Client().get(page).content.decode()
    assert APIClient().get(api).json()["name"] == "Old Name"


def test_a_confirmed_supporter_shows_at_once(venue, advocate, django_capture_on_commit_callbacks):
    campaigns.open_campaign(
        jurisdiction=Jurisdiction.objects.get(code="TX"),
        ask="Share the hotline.",
        opened_by=advocate,
        ends_on=timezone.localdate() + datetime.timedelta(days=30),
        milestones=[3],
    )

    def supporters_shown() -> tuple[str, str]:
        state = re.search(r"<strong>(\d+)</strong> confirmed supporter", Client().get("/j/TX/").content.decode())
        on_map = re.search(r'"TX": \{[^{}]*"supporters": (\d+)', Client().get("/").content.decode())
        return state.group(1), on_map.group(1) if on_map else ""

    assert supporters_shown()[0] == "0"
    with django_capture_on_commit_callbacks(execute=True):
        supporter = campaigns.sign_up(
            campaign=campaigns.Campaign.objects.get(),
            name="Ana Ruiz",
            email="ana@example.org",
            zip_code="78701",
        )
        supporter.confirmed_at = timezone.now()
        supporter.save(update_fields=["confirmed_at"])
    assert Supporter.objects.filter(confirmed_at__isnull=False).count() == 1
    assert supporters_shown()[0] == "1"


def test_a_signed_in_person_gets_their_own_page_and_it_is_never_kept(venue, moderator):
    venue.disputed = True
    venue.save(update_fields=["disputed"])
    scoreboard.invalidate()
    page = f"/v/{venue.public_id}/"
    signed_in = Client()
    signed_in.force_login(moderator)
    mine = signed_in.get(page)
    assert 'id="settle-form"' in mine.content.decode() and "csrfmiddlewaretoken" in mine.content.decode()
    anyone = Client().get(page).content.decode()
    assert 'id="settle-form"' not in anyone and "csrfmiddlewaretoken" not in anyone
    assert "Moderate" not in anyone.split("</nav>")[0]  # the moderator's menu stays theirs
    assert 'id="settle-form"' in signed_in.get(page).content.decode()


def test_an_answer_that_drew_a_csrf_token_or_set_a_cookie_is_not_kept(rf, db):
    from django.http import HttpResponse
    from django.middleware.csrf import get_token

    built = []

    def with_token(request):
        built.append("token")
        return HttpResponse(get_token(request))

    def with_cookie():
        built.append("cookie")
        response = HttpResponse("hello")
        response.set_cookie("seen", "1")
        return response

    for _ in range(2):
        request = rf.get("/")
        kept.answer(request, "token", lambda request=request: with_token(request))
        kept.answer(rf.get("/"), "cookie", with_cookie)
    assert built == ["token", "cookie", "token", "cookie"]


def test_the_api_keeps_json_and_the_browsable_page_apart(venue):
    api = f"/api/venues/{venue.public_id}/"
    html = APIClient().get(api, headers={"accept": "text/html"})
    json_answer = APIClient().get(api, headers={"accept": "application/json"})
    assert html["Content-Type"].startswith("text/html")
    assert json_answer["Content-Type"] == "application/json"
    assert json_answer.json()["id"] == str(venue.public_id)


def test_a_pending_venue_is_still_a_404_and_nothing_is_kept(db):
    venue = approved_venue("TX", "truck_stop", "posted", 30.27, -97.74)
    Observation.objects.filter(venue=venue).update(review_status="pending")
    venue.refresh_current_status()
    assert Client().get(f"/v/{venue.public_id}/").status_code == 404
    assert APIClient().get(f"/api/venues/{venue.public_id}/").status_code == 404


def test_remembered_values_are_copies(db):
    first = scoreboard.remembered("copies", lambda: [1, 2])
    first.append(3)
    assert scoreboard.remembered("copies", lambda: [9]) == [1, 2]


def test_the_process_copy_is_an_lru_bounded_in_bytes():
    entry = 1000 + len("k00") + 200  # the value, its key and the bookkeeping
    recent = scoreboard._Recent(max_bytes=24 * entry)
    for index in range(30):
        recent.put(f"k{index:02d}", bytes(1000))
    kept_keys = [index for index in range(31) if recent.get(f"k{index:02d}") is not scoreboard.MISSING]
    assert kept_keys == list(range(6, 30))  # the 24 newest
    recent.get("k06")  # used: now the newest
    recent.put("k30", bytes(1000))
    assert recent.get("k06") is not scoreboard.MISSING and recent.get("k07") is scoreboard.MISSING
    recent.put("huge", bytes(4 * entry))  # over an eighth of the budget: not kept, and nothing pushed out for it
    assert recent.get("huge") is scoreboard.MISSING and recent.get("k08") is not scoreboard.MISSING
    assert recent._bytes == 24 * entry


# --- what a change makes be counted again, and by whom ---


def test_a_change_in_one_state_keeps_what_is_remembered_of_the_others(db):
    texas, vermont = (Jurisdiction.objects.get(code=code).pk for code in ("TX", "VT"))
    counted: list[str] = []

    def remembered(code: str, jurisdiction: int) -> None:
        scoreboard.remembered(f"test:{code}", lambda: counted.append(code), jurisdiction=jurisdiction)

    def count_both() -> list[str]:
        counted.clear()
        remembered("TX", texas)
        remembered("VT", vermont)
        return sorted(counted)

    assert count_both() == ["TX", "VT"]
    assert count_both() == []
    scoreboard.invalidate([vermont])  # a moderation in Vermont
    assert count_both() == ["VT"]
    scoreboard.invalidate()  # a law edit, an import, a restore: any state may have changed
    assert count_both() == ["TX", "VT"]
    before = scoreboard.stamp()
    scoreboard.invalidate([texas])
    assert scoreboard.stamp() != before  # the figures and every kept answer are named anew either way
    assert count_both() == ["TX"]


def test_an_approval_counts_again_only_its_own_states_trend(moderator, django_capture_on_commit_callbacks):
    texas = approved_venue("TX", "truck_stop", "posted", 30.27, -97.74)
    vermont = approved_venue("VT", "truck_stop", "posted", 44.26, -72.58)
    for venue in (texas, vermont):
        Client().get(f"/j/{venue.jurisdiction.code}/")  # both trends counted and remembered
    pending = add_observation(vermont, "missing", days_ago=1, review_status="pending")
    with django_capture_on_commit_callbacks(execute=True):
        observations.moderate(observation=pending, moderator=moderator, action="approve")
    counted: list[str] = []
    real_trend = scoreboard._trend

    def spy(jurisdiction, quarters, today):
        counted.append(jurisdiction.code)
        return real_trend(jurisdiction, quarters, today)

    scoreboard._trend = spy
    try:
        for code in ("TX", "VT"):
            assert Client().get(f"/j/{code}/").status_code == 200
    finally:
        scoreboard._trend = real_trend
    assert counted == ["VT"]


def building_elsewhere(monkeypatch) -> None:
    """As if another process held every build lock (the shared cache's add() of a ":building" key fails)."""
    real_add = cache.add
    monkeypatch.setattr(
        cache,
        "add",
        lambda key, *args, **kwargs: False if key.endswith(":building") else real_add(key, *args, **kwargs),
    )


def test_while_another_process_builds_a_page_the_one_before_is_served(venue, monkeypatch):
    page = f"/v/{venue.public_id}/"
    before = Client().get(page)
    venue.name = "Renamed Stop"
    venue.save(update_fields=["name"])
    scoreboard.invalidate([venue.jurisdiction_id])
    building_elsewhere(monkeypatch)
    meanwhile = Client().get(page)
    assert meanwhile.content == before.content and meanwhile["ETag"] == before["ETag"]
    monkeypatch.undo()
    after = Client().get(page)
    assert "Renamed Stop" in after.content.decode() and after["ETag"] != before["ETag"]


def test_while_another_process_builds_the_figures_the_last_ones_are_served(venue, monkeypatch):
    before = APIClient().get("/api/compliance/").json()
    add_observation(venue, "missing", days_ago=1)
    scoreboard.invalidate([venue.jurisdiction_id])
    building_elsewhere(monkeypatch)
    assert APIClient().get("/api/compliance/").json() == before
    monkeypatch.undo()
    assert APIClient().get("/api/compliance/").json() != before


def test_a_worker_drawing_a_document_gets_todays_figures_while_another_process_builds_them(venue, monkeypatch):
    before = scoreboard.current()
    add_observation(venue, "missing", days_ago=1)
    scoreboard.invalidate([venue.jurisdiction_id])
    building_elsewhere(monkeypatch)
    with scoreboard.noticing_last_good() as watch:
        assert scoreboard.current().etag == before.etag and watch.saw_last_good
    with scoreboard.noticing_last_good() as outer:
        with scoreboard.noticing_last_good():
            scoreboard.current()
        assert outer.saw_last_good  # an answer built within another: the outer one is not kept either
    with scoreboard.todays_figures_only(), scoreboard.noticing_last_good() as watch:
        assert scoreboard.current().etag != before.etag and not watch.saw_last_good


def test_a_page_drawn_from_the_last_figures_is_served_but_not_kept(venue, monkeypatch):
    Client().get("/j/TX/")
    add_observation(venue, "missing", days_ago=1)
    scoreboard.invalidate([venue.jurisdiction_id])
    real_add = cache.add

    def figures_building_elsewhere(key: str, *args: object, **kwargs: object) -> bool:
        return False if key.startswith("scoreboard:") and key.endswith(":building") else real_add(key, *args, **kwargs)

    monkeypatch.setattr(cache, "add", figures_building_elsewhere)  # the page's own build is free to go
    meanwhile = Client().get("/j/TX/")
    assert meanwhile.status_code == 200 and not meanwhile.has_header("ETag")  # served, not kept
    monkeypatch.undo()
    after = Client().get("/j/TX/")
    # Drawn from the same reports but today's figures: kept under the stamp, it would have stayed the old page.
    assert after.content != meanwhile.content and after.has_header("ETag")


def test_a_venue_and_its_state_are_kept_through_an_approval_in_another_state(
    venue, moderator, django_capture_on_commit_callbacks
):
    report = Observation.objects.get(venue=venue)
    answers = (
        f"/v/{venue.public_id}/",
        f"/api/venues/{venue.public_id}/",
        f"/open311/v2/requests/{report.public_id}.json",
        "/j/TX/",
        "/reports/TX/",
        "/open311/v2/requests.xml?jurisdiction_id=TX",
    )
    before = {path: Client().get(path)["ETag"] for path in answers}
    elsewhere = approved_venue("VT", "truck_stop", "posted", 44.26, -72.58)
    pending = add_observation(elsewhere, "missing", days_ago=1, review_status="pending")
    with django_capture_on_commit_callbacks(execute=True):
        observations.moderate(observation=pending, moderator=moderator, action="approve")
    assert {path: Client().get(path)["ETag"] for path in answers} == before
    pending = add_observation(venue, "missing", days_ago=1, review_status="pending")
    with django_capture_on_commit_callbacks(execute=True):
        observations.moderate(observation=pending, moderator=moderator, action="approve")
    after = {path: Client().get(path)["ETag"] for path in answers}
    assert all(after[path] != before[path] for path in answers)


@pytest.mark.parametrize("zone", ["UTC", "Pacific/Kiritimati", "Pacific/Pago_Pago", "America/Chicago"])
def test_the_day_worked_out_once_is_the_projects_local_date(settings, zone):
    settings.TIME_ZONE = zone  # +14 h and -11 h: on most hours of the day one of them is on another date than UTC
    assert scoreboard.local_today() == timezone.localdate()
    assert scoreboard.local_today() == timezone.localdate()  # the second one from what the first worked out


def test_the_day_worked_out_once_moves_on_at_midnight(monkeypatch):
    day = scoreboard.local_today()
    zone, known, until = scoreboard._today
    assert known == day
    midnight = datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time(), tzinfo=zone)
    assert until == midnight.timestamp()
    # As though the day before was worked out and its midnight has passed: the date is worked out again.
    monkeypatch.setattr(scoreboard, "_today", (zone, day - datetime.timedelta(days=1), until - 86_400))
    assert scoreboard.local_today() == timezone.localdate()


@pytest.mark.parametrize("route", ["audit", "trusted"])
def test_a_report_that_skipped_the_queue_elsewhere_changes_the_national_audit_rates_each_report_quotes(
    venue, moderator, django_capture_on_commit_callbacks, route, api, settings
):
    before = {path: Client().get(path) for path in ("/j/TX/", "/reports/TX/")}
    elsewhere = approved_venue("VT", "truck_stop", "posted", 44.26, -72.58)
    if route == "audit":  # drawn for audit, then decided
        pending = add_observation(elsewhere, "missing", days_ago=1, review_status="pending", review_route=route)
        with django_capture_on_commit_callbacks(execute=True):
            observations.moderate(observation=pending, moderator=moderator, action="reject", reason="Not this stop")
    else:  # a trusted volunteer's report, approved at once through the API
        settings.SIGNWATCH = {**settings.SIGNWATCH, "TRUST_AUDIT_PERCENT": 0}
        volunteer = User.objects.create_user("trusted-volunteer", password="pw-for-tests-only")
        moderation.set_trust(user=volunteer, trusted=True, by=User.objects.create_superuser("staff"))
        api.force_authenticate(volunteer)
        with django_capture_on_commit_callbacks(execute=True):
            answer = post(api, plain_jpeg(7), **at((elsewhere.latitude, elsewhere.longitude)))
        assert answer.status_code == 201 and answer.json()["review_status"] == "approved", answer.content
    state, report = (Client().get(path) for path in ("/j/TX/", "/reports/TX/"))
    assert state["ETag"] == before["/j/TX/"]["ETag"]  # it quotes no national figure
    assert report["ETag"] != before["/reports/TX/"]["ETag"] and report.content != before["/reports/TX/"].content
