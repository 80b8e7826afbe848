"""The staff admin: searchable, filterable law registry with covered venue types inline and an audit history."""

import json

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from compliance.models import PostingLaw


@pytest.fixture
def staff_client(client, db):
    admin = get_user_model().objects.create_superuser("admin", "admin@example.org", "pw-for-tests-only")
    client.force_login(admin)
    client.user = admin
    return client


def test_law_list_searches_and_filters(staff_client):
    response = staff_client.get("/admin/compliance/postinglaw/", {"q": "52.6"})
    assert response.status_code == 200
    assert "Cal. Civ. Code § 52.6" in response.content.decode()
    filtered = staff_client.get("/admin/compliance/postinglaw/", {"confidence__exact": "low"})
    assert filtered.status_code == 200
    assert f"{PostingLaw.objects.filter(confidence='low').count()} posting laws" in filtered.content.decode()


def test_law_change_page_has_covered_venue_types_inline(staff_client):
    law = PostingLaw.objects.get(jurisdiction__code="CA")
    html = staff_client.get(f"/admin/compliance/postinglaw/{law.pk}/change/").content.decode()
    assert "coverage-TOTAL_FORMS" in html
    assert "sources-TOTAL_FORMS" in html


def test_edit_through_the_admin_is_in_the_history_with_who_and_what(staff_client):
    law = PostingLaw.objects.get(jurisdiction__code="TX")
    change_url = f"/admin/compliance/postinglaw/{law.pk}/change/"
    form = staff_client.get(change_url).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None}
    data.update(
        {
            "jurisdiction": law.jurisdiction_id,
            "required_languages": '["English", "Spanish"]',
            "citations": "\n".join(law.citations),
            "session_law_citations": "\n".join(law.session_law_citations),
            "penalty_amounts": "[]",
            "penalty": "Class C misdemeanor (corrected)",
            "sign_requirements-TOTAL_FORMS": "0",
            "sign_requirements-INITIAL_FORMS": "0",
            "coverage-TOTAL_FORMS": "0",
            "coverage-INITIAL_FORMS": "0",
            "sources-TOTAL_FORMS": "0",
            "sources-INITIAL_FORMS": "0",
        }
    )
    data.pop("reference_key", None)
    response = staff_client.post(change_url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    law.refresh_from_db()
    assert law.penalty == "Class C misdemeanor (corrected)"
    history = staff_client.get(f"/admin/compliance/postinglaw/{law.pk}/history/").content.decode()
    assert "admin" in history
    assert "Class C misdemeanor (corrected)" in history
    assert law.citations == [
        "Tex. Gov't Code § 402.0351",
        "1 Tex. Admin. Code ch. 54",
        "Tex. Bus. & Com. Code §§ 102.101-102.102",
    ]


def test_observation_admin_lists_and_shows_reports(staff_client, api):
    from tests.test_observations import AUSTIN, at, plain_jpeg, post

    body = post(api, plain_jpeg(), **at(AUSTIN)).json()
    listing = staff_client.get("/admin/compliance/observation/", {"review_status__exact": "pending"})
    assert body["id"] in listing.content.decode()
    from compliance.models import Observation

    observation = Observation.objects.get(public_id=body["id"])
    page = staff_client.get(f"/admin/compliance/observation/{observation.pk}/change/")
    assert page.status_code == 200
    assert staff_client.get("/admin/compliance/venue/").status_code == 200
    assert staff_client.get("/admin/compliance/review/").status_code == 200


def _observation_change(staff_client, observation, **changes) -> None:
    """Post the observation's admin change form as staff would, with these fields changed."""
    change_url = f"/admin/compliance/observation/{observation.pk}/change/"
    page = staff_client.get(change_url)
    form = page.context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None}
    data.update(
        {
            "deficiencies": json.dumps(form.initial["deficiencies"]),
            "languages_seen": json.dumps(form.initial["languages_seen"]),
            **changes,
        }
    )
    for inline in page.context["inline_admin_formsets"]:
        data |= {f"{inline.formset.prefix}-TOTAL_FORMS": "0", f"{inline.formset.prefix}-INITIAL_FORMS": "0"}
    response = staff_client.post(change_url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""


def test_an_approved_report_corrected_in_the_admin_moves_its_venue_the_figures_and_the_kept_pages(
    staff_client, django_capture_on_commit_callbacks
):
    from compliance import scoreboard
    from compliance.models import Observation
    from tests.test_compliance_api import approved_venue
    from tests.test_tallies import recounted

    texas = approved_venue("TX", "truck_stop", "posted", 30.27, -97.74, days_ago=5)
    vermont = approved_venue("VT", "truck_stop", "posted", 44.26, -72.58, days_ago=10)
    report = texas.observations.get()
    pages = {path: Client().get(path) for path in ("/j/TX/", "/j/VT/", f"/v/{texas.public_id}/")}

    # The sign was misread: it is missing, not posted.
    with django_capture_on_commit_callbacks(execute=True):
        _observation_change(staff_client, report, sign_status="missing")
    texas.refresh_from_db()
    assert texas.current_status == "missing"
    today = timezone.localdate()
    assert scoreboard.build(today)["jurisdictions"] == recounted(today)["jurisdictions"]
    after = {path: Client().get(path) for path in pages}
    assert after["/j/TX/"]["ETag"] != pages["/j/TX/"]["ETag"]
    assert after[f"/v/{texas.public_id}/"]["ETag"] != pages[f"/v/{texas.public_id}/"]["ETag"]
    assert after["/j/VT/"]["ETag"] == pages["/j/VT/"]["ETag"]  # another state, untouched

    # It was filed at the wrong venue: the one it left shows no report now, the one it joined shows it.
    with django_capture_on_commit_callbacks(execute=True):
        _observation_change(staff_client, report, venue=str(vermont.pk))
    texas.refresh_from_db()
    vermont.refresh_from_db()
    assert (texas.current_status, vermont.current_status) == ("", "missing")
    assert scoreboard.build(today)["jurisdictions"] == recounted(today)["jurisdictions"]
    assert Client().get("/j/VT/")["ETag"] != after["/j/VT/"]["ETag"]

    # Deleted: the venue shows its own report again.
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(f"/admin/compliance/observation/{report.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Observation.objects.filter(pk=report.pk).exists()
    vermont.refresh_from_db()
    assert vermont.current_status == "posted"
    assert scoreboard.build(today)["jurisdictions"] == recounted(today)["jurisdictions"]


def test_deleting_a_report_that_skipped_the_queue_changes_the_national_audit_rates(
    staff_client, django_capture_on_commit_callbacks
):
    from tests.test_compliance_api import add_observation, approved_venue

    approved_venue("TX", "truck_stop", "posted", 30.27, -97.74)
    trusted = add_observation(approved_venue("VT", "truck_stop", "posted", 44.26, -72.58), "posted", 1)
    trusted.review_route = "trusted"
    trusted.save(update_fields=["review_route"])
    before = Client().get("/reports/TX/")  # quotes the national audit rates, counting the trusted report
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(f"/admin/compliance/observation/{trusted.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    after = Client().get("/reports/TX/")
    assert after["ETag"] != before["ETag"] and after.content != before.content
