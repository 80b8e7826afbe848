"""The jurisdiction tallies the figures are built from: kept exact by every change, and cheap after a moderation."""

from __future__ import annotations

import datetime
import random

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from compliance import merges, scoreboard, tallies
from compliance.models import Jurisdiction, JurisdictionTally, PostingLaw, Venue, VenueMerge
from tests.test_compliance_api import AUSTIN, add_observation, approved_venue
from tests.workers import run_db_worker

STATUSES = ("posted", "deficient", "missing")


def recounted(today: datetime.date) -> dict:
    """The figures as a recount from every venue makes them: what incremental upkeep must always equal."""
    saved = {tally.pk: (tally.day, tally.counts, tally.version) for tally in JurisdictionTally.objects.all()}
    tallies.forget()
    figures = scoreboard.build(today)
    for pk, (day, counts, version) in saved.items():  # put the incremental tallies back as they were
        JurisdictionTally.objects.filter(pk=pk).update(day=day, counts=counts, version=version)
    return figures


def test_every_kind_of_change_keeps_the_tallies_equal_to_a_recount(db, moderator):
    today = timezone.localdate()
    rng = random.Random(20261206)
    places = [("TX", "bus_station", AUSTIN), ("TX", "truck_stop", AUSTIN), ("CA", "hotel_motel", (34.05, -118.25))]
    venues = [
        approved_venue(code, kind, rng.choice(STATUSES), lat + 0.01 * n, lon + 0.01 * n, days_ago=rng.randrange(700))
        for n in range(30)
        for code, kind, (lat, lon) in [places[n % 3]]
    ]
    scoreboard.build(today)  # count every tally for today; from here on only upkeep changes them
    assert JurisdictionTally.objects.filter(day=today).count() == Jurisdiction.objects.count()

    for step in range(60):
        venue = rng.choice(venues)
        action = rng.choice(["report", "old report", "dispute", "pending", "stale report"])
        if action == "report":
            add_observation(venue, rng.choice(STATUSES), rng.randrange(0, 60))
        elif action == "old report":  # older than the venue's latest: its status stays
            add_observation(venue, rng.choice(STATUSES), 690)
        elif action == "dispute":  # a disagreeing report days after the latest marks the venue disputed
            venue.refresh_from_db()
            other = "missing" if venue.current_status == "posted" else "posted"
            add_observation(venue, other, max(0, (today - venue.status_observed_on).days - 3))
        elif action == "pending":
            add_observation(venue, rng.choice(STATUSES), 1, review_status="pending")
        else:  # outside the two-year window: counted nowhere
            add_observation(venue, rng.choice(STATUSES), 800)
        if step % 15 == 14:
            assert scoreboard.build(today)["jurisdictions"] == recounted(today)["jurisdictions"], action

    # A merge moves a volunteer venue's reports onto the frame venue: two venues change at once.
    texas_station = Venue.objects.create(
        venue_type=venues[0].venue_type,
        latitude=AUSTIN[0] + 0.5,
        longitude=AUSTIN[1],
        jurisdiction=venues[0].jurisdiction,
        tile_key=venues[0].tile_key,
        osm_type="n",
        osm_id=999_001,
        osm_version=1,
    )
    proposal = VenueMerge.objects.create(frame_venue=texas_station, volunteer_venue=venues[0], distance_m=40)
    merges.merge(proposal, by=moderator)
    assert scoreboard.build(today)["jurisdictions"] == recounted(today)["jurisdictions"]
    merges.undo(proposal, by=moderator)
    # A deleted public venue, and a law whose dates moved, are recounted rather than tracked.
    venues[3].observations.all().delete()
    venues[3].delete()
    law = PostingLaw.objects.filter(jurisdiction__code="TX").order_by("-effective_from").first()
    law.effective_from = today - datetime.timedelta(days=100)
    law.save()
    assert scoreboard.build(today)["jurisdictions"] == recounted(today)["jurisdictions"]
    texas = scoreboard.build(today)["jurisdictions"]["TX"]
    assert texas["overall"]["n"] + texas["excluded_before_law"] + texas["disputed_venues"] > 0


def test_after_one_moderation_the_figures_read_no_venue(db, moderator):
    today = timezone.localdate()
    venues = [approved_venue("TX", "bus_station", "posted", AUSTIN[0] + 0.01 * n, AUSTIN[1], 100) for n in range(12)]
    approved_venue("CA", "hotel_motel", "missing", 34.05, -118.25)
    before = scoreboard.build(today)
    versions = dict(JurisdictionTally.objects.values_list("jurisdiction__code", "version"))

    add_observation(venues[0], "missing", 0)

    changed = {
        code
        for code, version in JurisdictionTally.objects.values_list("jurisdiction__code", "version")
        if version != versions[code]
    }
    assert changed == {"TX"}
    with CaptureQueriesContext(connection) as queries:
        after = scoreboard.build(today)
    venue_reads = [query["sql"] for query in queries if '"compliance_venue"' in query["sql"]]
    # Only the "is any venue a demo?" probe touches the venue table; no venue is counted.
    assert len(venue_reads) == 1 and "is_demo" in venue_reads[0], venue_reads
    assert before["jurisdictions"]["TX"]["overall"]["posted"] == 12
    assert after["jurisdictions"]["TX"]["overall"]["posted"] == 11
    assert after["jurisdictions"]["TX"]["overall"]["missing"] == 1
    assert after["jurisdictions"]["CA"] == before["jurisdictions"]["CA"]


def test_a_tally_of_another_day_is_recounted(db):
    today = timezone.localdate()
    venue = approved_venue("TX", "bus_station", "posted", *AUSTIN, days_ago=729)
    assert scoreboard.build(today)["jurisdictions"]["TX"]["overall"]["n"] == 1
    versions = dict(JurisdictionTally.objects.values_list("pk", "version"))
    # Two days on, the report is 731 days old: out of the window. Another day's figures leave today's tallies be.
    in_two_days = today + datetime.timedelta(days=2)
    assert scoreboard.build(in_two_days)["jurisdictions"]["TX"]["overall"]["n"] == 0
    assert dict(JurisdictionTally.objects.values_list("pk", "version")) == versions
    assert not tallies.stale(today)
    # Once that day has come, its tallies are recounted (a stored tally of another day is never used).
    JurisdictionTally.objects.update(day=today - datetime.timedelta(days=1))
    assert tallies.stale(today)
    assert scoreboard.build(today)["jurisdictions"]["TX"]["overall"]["n"] == 1
    assert not tallies.stale(today)
    assert venue.observations.count() == 1


@pytest.mark.django_db(transaction=True)
def test_with_a_worker_the_recount_runs_there_and_requests_get_the_last_figures(
    committed_registry, settings, media_root
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    for n in range(12):
        approved_venue("TX", "bus_station", "posted", AUSTIN[0] + 0.01 * n, AUSTIN[1])
    first = scoreboard.current()  # nothing built before: built here, once
    assert first.data["jurisdictions"]["TX"]["overall"]["n"] == 12
    assert not DBTaskResult.objects.exists()

    # A bulk change leaves every tally to recount: requests keep the last figures and one recount is queued.
    tallies.forget()
    scoreboard.invalidate()
    for _ in range(3):
        served = scoreboard.current()
        assert served.etag == first.etag
    [queued] = DBTaskResult.objects.all()
    assert queued.task_path == "compliance.tasks.rebuild_scoreboard"
    assert tallies.stale(timezone.localdate())

    worker = run_db_worker(media_root)
    assert worker.returncode == 0, worker.stderr[-3000:]
    queued.refresh_from_db()
    assert queued.status == "SUCCESSFUL", worker.stderr[-3000:]
    assert not tallies.stale(timezone.localdate())
    rebuilt = scoreboard.current()
    assert rebuilt.data["jurisdictions"]["TX"]["overall"]["n"] == 12
