"""Atom feeds: what a feed reader sees of new reports, letters, answers and law changes, nationally and per state."""

from __future__ import annotations

import datetime

import feedparser
from django.test import Client
from django.utils import timezone

from compliance.models import Letter, Observation, PostingLaw, Venue
from tests.test_compliance_api import add_observation, approved_venue
from tests.test_observations import AUSTIN

# Where a volunteer stood, made distinct from every venue point so that a leak is easy to find.
CAPTURED = (30.2721234567, -97.7456789012)


def read(client: Client, path: str) -> feedparser.FeedParserDict:
    response = client.get(path)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    parsed = feedparser.parse(response.content)
    assert not parsed.bozo, parsed.get("bozo_exception")
    return parsed


def texas_and_california(advocate) -> dict:
    truck_stop = approved_venue("TX", "truck_stop", "missing", *AUSTIN, days_ago=3)
    Observation.objects.filter(venue=truck_stop).update(
        captured_latitude=CAPTURED[0], captured_longitude=CAPTURED[1], notes="the clerk watched me"
    )
    add_observation(truck_stop, "posted", days_ago=1, review_status="pending")
    demo = approved_venue("TX", "bar_liquor_licensee", "missing", AUSTIN[0] + 0.02, AUSTIN[1])
    Venue.objects.filter(pk=demo.pk).update(is_demo=True)
    Observation.objects.filter(venue=demo).update(is_demo=True)
    approved_venue("CA", "truck_stop", "posted", 34.05, -118.24, days_ago=2)
    letter = Letter.objects.create(
        jurisdiction_id=truck_stop.jurisdiction_id,
        kind=Letter.Kind.ENFORCEMENT,
        author=advocate,
        subject="Hotline signs at Texas truck stops",
        body="Private working text of the letter",
        outreach_status=Letter.Outreach.ANSWERED,
        sent_on=timezone.localdate() - datetime.timedelta(days=20),
        answered_on=timezone.localdate() - datetime.timedelta(days=4),
        official_response="In confidence: we will look into it",
    )
    Letter.objects.create(
        jurisdiction_id=truck_stop.jurisdiction_id,
        kind=Letter.Kind.ADOPTION,
        author=advocate,
        subject="A draft",
        body="Never sent",
    )
    law = PostingLaw.objects.get(jurisdiction__code="TX")
    law.placement = law.placement + " (checked again)"
    law._change_reason = "Re-read the statute"
    law.save()
    return {"truck_stop": truck_stop, "letter": letter}


def test_national_feed_has_reports_letters_answers_and_law_changes(client, advocate):
    texas_and_california(advocate)
    feed = read(client, "/feeds/all.atom")
    assert feed.feed.title.startswith("SignWatch")
    titles = [entry.title for entry in feed.entries]
    assert "No hotline sign at a truck stop in Texas" in titles
    assert "Hotline sign posted at a truck stop in California" in titles
    assert "Letter sent to the Texas Attorney General: enforcement request" in titles
    assert "The Texas Attorney General answered a letter" in titles
    assert "Posting law record updated for Texas" in titles
    assert sum(title.startswith("Letter sent") for title in titles) == 1  # the draft was never sent
    assert {entry.tags[0].term for entry in feed.entries} >= {"report", "letter", "answer", "law"}
    law = next(entry for entry in feed.entries if entry.title == "Posting law record updated for Texas")
    assert "Re-read the statute" in law.summary
    # Newest first, each dated to its day.
    days = [entry.published_parsed[:3] for entry in feed.entries]
    assert days == sorted(days, reverse=True)
    assert all(entry.published_parsed[3:6] == (0, 0, 0) for entry in feed.entries)


def test_jurisdiction_feed_holds_that_state_only(client, advocate):
    texas_and_california(advocate)
    feed = read(client, "/feeds/tx.atom")
    assert feed.feed.title == "SignWatch: Texas"
    titles = [entry.title for entry in feed.entries]
    assert titles and not any("California" in title for title in titles)
    assert read(client, "/feeds/CA.atom").entries[0].title == "Hotline sign posted at a truck stop in California"
    assert client.get("/feeds/ZZ.atom").status_code == 404


def test_feeds_carry_nothing_about_the_volunteer_or_private_text(client, advocate):
    made = texas_and_california(advocate)
    raw = client.get("/feeds/all.atom").content.decode()
    for private in ("the clerk watched me", "Private working text", "In confidence", "A draft", "advocate"):
        assert private not in raw
    for digits in ("30.272", "97.745"):  # the capture point, at any precision finer than the venue's
        assert digits not in raw
    pending = Observation.objects.get(venue=made["truck_stop"], review_status="pending")
    assert str(pending.public_id) not in raw
    report = next(entry for entry in feedparser.parse(raw).entries if entry.title.startswith("No hotline sign"))
    assert report.link.endswith(f"/v/{made['truck_stop'].public_id}/")


def test_demo_data_and_pending_reports_stay_out(client, advocate):
    texas_and_california(advocate)
    titles = [entry.title for entry in read(client, "/feeds/TX.atom").entries]
    assert not any("bar" in title.lower() for title in titles)  # the demo bar
    assert not any(title.startswith("Hotline sign posted at a truck stop in Texas") for title in titles)  # pending


def test_pages_announce_their_feeds(client, db):
    assert b'type="application/atom+xml"' in client.get("/").content
    page = client.get("/j/TX/").content.decode()
    assert 'href="/feeds/TX.atom"' in page
