"""The law registry published: /laws/ table, /laws.csv and /laws.json (versioned, with a changelog from the audit
history, loading back unchanged), and corrections suggested from outside feeding the staff queue."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client

from compliance import registry
from compliance.models import CoveredVenueType, Jurisdiction, LawCorrection, LawSource, PostingLaw, SignRequirement


def test_registry_page_lists_all_56_jurisdictions_linking_to_each(client, db):
    html = client.get("/laws/").content.decode()
    assert "56 jurisdictions" in html
    for code in ("TX", "FL", "ND", "GU", "PR", "DC"):
        assert f'href="/j/{code}/"' in html
    assert "Fla. Stat. § 787.29; Fla. Stat. § 509.096(1)(c)" in html
    assert 'href="/laws.csv"' in html and 'href="/laws.json"' in html


def test_registry_page_filters_and_sorts_without_scripts(client, db):
    html = client.get("/laws/?status=voluntary").content.decode()
    voluntary = PostingLaw.objects.filter(status="voluntary").count()
    assert f"{voluntary} jurisdictions" in html
    assert 'href="/j/WA/"' in html and 'href="/j/TX/"' not in html
    hotels = client.get("/laws/?venue_type=hotel_motel").content.decode()
    assert 'href="/j/FL/"' in hotels and 'href="/j/WA/"' not in hotels
    by_confidence = client.get("/laws/?sort=confidence").content.decode()
    assert by_confidence.index('href="/j/AL/"') < by_confidence.index('href="/j/AK/"')  # high before low
    assert 'aria-sort="ascending"' in by_confidence
    assert 'href="?sort=confidence&amp;descending=on"' in by_confidence
    # A made-up filter value is ignored rather than an error.
    assert client.get("/laws/?status=<script>&sort=nonsense").status_code == 200


def test_json_has_version_as_of_and_a_changelog_from_history(client, db):
    data = client.get("/laws.json").json()
    assert data["dataset"] == registry.DATASET_NAME
    assert data["version"] == data["changelog"][0]["version"]
    assert data["as_of"]
    assert len(data["laws"]) == 56 and len(data["jurisdictions"]) == 56
    florida = next(row for row in data["laws"] if row["jurisdiction"] == "FL")
    assert florida["citations"] == ["Fla. Stat. § 787.29", "Fla. Stat. § 509.096(1)(c)"]
    assert florida["sign_requirements"][0]["min_font_pt"] == 32
    reasons = {change["reason"] for version in data["changelog"] for change in version["changes"]}
    assert any("2026-12-06-FL-509.096" in reason for reason in reasons)


def test_a_staff_edit_is_a_new_version_in_the_changelog(db):
    staff = User.objects.create_user("editor", is_staff=True)
    law = Jurisdiction.objects.get(code="NE").current_law()
    law.penalty = "fine up to $500"
    law._history_user = staff
    law._change_reason = "read the enrolled bill"
    law.save()
    latest = registry.changelog()[0]
    assert {"jurisdiction": "NE", "reason": "read the enrolled bill", "changed": ["penalty"]} in latest["changes"]


def test_csv_has_one_line_per_law_with_the_dataset_version(client, db):
    response = client.get("/laws.csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert len(rows) == 56
    texas = next(row for row in rows if row["jurisdiction"] == "TX")
    assert texas["citation"].startswith("Tex. Gov't Code § 402.0351")
    assert texas["dataset_version"] and texas["as_of"]
    alabama = next(row for row in rows if row["jurisdiction"] == "AL")
    assert "massage_establishment [secondary source only]" in alabama["covered_venue_types"]


@pytest.mark.django_db(transaction=True)
def test_json_loads_back_into_an_empty_database_unchanged(committed_registry, tmp_path):
    exported = registry.dataset()
    path = tmp_path / "laws.json"
    path.write_text(json.dumps(exported, ensure_ascii=False), encoding="utf-8")
    for model in (SignRequirement, CoveredVenueType, LawSource, PostingLaw):
        model.objects.all().delete()
    # An empty database: no laws, no jurisdictions, no venue types (they come from the file too).
    from compliance.models import AGOffice, VenueType

    AGOffice.objects.all().delete()
    Jurisdiction.objects.all().delete()
    VenueType.objects.all().delete()
    call_command("load_law_dataset", str(path))
    reloaded = registry.dataset()
    for part in ("jurisdictions", "venue_types", "laws"):
        assert reloaded[part] == exported[part], part
    with pytest.raises(registry.DatasetRefused):
        registry.load_dataset(exported)  # not into a database that already holds laws


def test_suggest_a_correction_requires_a_source_and_stores_plain_text(client, db):
    form = client.get("/laws/NE/suggest/")
    assert form.status_code == 200 and 'name="source_url"' in form.content.decode()
    missing = client.post("/laws/NE/suggest/", {"correction": "LB 461 passed."})
    assert missing.status_code == 200 and LawCorrection.objects.count() == 0
    sent = client.post(
        "/laws/NE/suggest/",
        {"correction": "<script>alert(1)</script> LB 461 passed.", "source_url": "nebraskalegislature.gov/laws"},
    )
    assert sent.status_code == 201
    correction = LawCorrection.objects.get()
    assert correction.source_url == "https://nebraskalegislature.gov/laws"
    assert correction.correction.startswith("<script>")  # kept as the text it is; templates escape it
    assert correction.status == "pending"
    assert client.get("/laws/ZZ/suggest/").status_code == 404


def test_suggestions_are_throttled_per_address(db, settings):
    settings.LAW_CORRECTIONS_PER_HOUR = 2
    client = Client()
    answers = [
        client.post("/laws/TX/suggest/", {"correction": f"note {n}", "source_url": "https://example.org/"}).status_code
        for n in range(3)
    ]
    assert answers == [201, 201, 429]
    assert LawCorrection.objects.count() == 2


def test_accepting_a_suggestion_edits_the_row_through_history_and_credits_it(db):
    staff = User.objects.create_superuser("lead", password="pw-for-tests-only")
    correction = LawCorrection.objects.create(
        jurisdiction=Jurisdiction.objects.get(code="NE"),
        source_url="https://nebraskalegislature.gov/bills/lb461",
        correction="LB 461 passed in 2021.",
        credit_as="A. Reader",
    )
    client = Client()
    client.force_login(staff)
    html = client.get("/admin/compliance/lawcorrection/").content.decode()
    assert "nebraskalegislature.gov" in html
    response = client.post(
        "/admin/compliance/lawcorrection/", {"action": "accept", "_selected_action": [correction.pk]}
    )
    assert response.status_code == 302
    correction.refresh_from_db()
    assert correction.status == "accepted" and correction.decided_by == staff
    law = Jurisdiction.objects.get(code="NE").current_law()
    assert law.sources.filter(url="https://nebraskalegislature.gov/bills/lb461").exists()
    latest = law.history.first()
    assert latest.history_user == staff
    assert latest.history_change_reason == f"suggested correction #{correction.pk} accepted (credited to A. Reader)"
    assert "A. Reader" in law.notes


def test_the_published_files_follow_an_edit_at_once(client, db):
    before = client.get("/laws.json").json()
    law = Jurisdiction.objects.get(code="NE").current_law()
    law.penalty = "fine up to $500"
    law._change_reason = "read the enrolled bill"
    law.save()
    after = client.get("/laws.json").json()
    nebraska = next(row for row in after["laws"] if row["jurisdiction"] == "NE")
    assert nebraska["penalty"] == "fine up to $500"
    assert after["changelog"] != before["changelog"]
    assert "fine up to $500" in client.get("/laws.csv").content.decode()
