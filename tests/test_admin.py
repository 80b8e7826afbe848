"""The staff admin: searchable, filterable law registry with covered venue types inline and an audit history."""

import pytest
from django.contrib.auth import get_user_model

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
