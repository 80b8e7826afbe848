"""Public campaigns: sign-ups confirmed by email (Django's locmem outbox), abuse refused, the list kept private, and
the campaign's letter written and tracked like any letter."""

from __future__ import annotations

import csv
import datetime
import io
import re
import time

import pypdf
import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from compliance import campaigns, letters, outreach, scoreboard
from compliance.models import (
    AGOfficeAccount,
    AGPublicityRecord,
    Campaign,
    CampaignLetter,
    Jurisdiction,
    Letter,
    Supporter,
)
from tests.test_compliance_api import approved_venue
from tests.test_observations import AUSTIN

SUPPORTERS = "/api/campaigns/TX/supporters/"


def flat(text: str) -> str:
    return " ".join(text.split())


def pdf_text(content: bytes) -> str:
    return flat("\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(content)).pages))


def api_as(user: User | None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def office_user(username: str, code: str) -> User:
    user = User.objects.create_user(username, password="pw-for-tests-only")
    AGOfficeAccount.objects.create(user=user, jurisdiction=Jurisdiction.objects.get(code=code))
    return user


@pytest.fixture(autouse=True)
def site(settings):
    settings.SITE_URL = "http://testserver"


@pytest.fixture
def campaign(advocate) -> Campaign:
    today = timezone.localdate()
    return campaigns.open_campaign(
        jurisdiction=Jurisdiction.objects.get(code="TX"),
        ask="Share the hotline on your website and in your offices.",
        opened_by=advocate,
        ends_on=today + datetime.timedelta(days=30),
        milestones=[3],
    )


def sign_up(client: APIClient, email: str, **fields) -> object:
    body = {"name": "Ana Ruiz", "email": email, "zip_code": "78701", **fields}
    return client.post(SUPPORTERS, body, format="json")


def confirm_path(message) -> str:
    return re.search(r"http://testserver(/campaigns/confirm/[^/\s]+/)", message.body).group(1)


def supporters() -> int:
    return APIClient().get("/api/campaigns/TX/").json()["supporters"]


# --- opening ---


def test_an_advocate_opens_a_campaign_on_the_states_ag_office(advocate):
    ends = (timezone.localdate() + datetime.timedelta(days=60)).isoformat()
    answer = api_as(advocate).post(
        "/api/campaigns/", {"jurisdiction": "tx", "ask": "Post the hotline.", "ends_on": ends}, format="json"
    )
    assert answer.status_code == 201, answer.json()
    body = answer.json()
    assert body["jurisdiction"] == "TX"
    assert body["target"] == Jurisdiction.objects.get(code="TX").ag_office.office_name
    assert body["supporters"] == 0
    assert body["milestones"] == [100, 500, 1000, 5000]
    again = api_as(advocate).post(
        "/api/campaigns/", {"jurisdiction": "TX", "ask": "Again.", "ends_on": ends}, format="json"
    )
    assert again.status_code == 409
    assert again.json()["code"] == "campaign_exists"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"jurisdiction": "ZZ", "ask": "x", "ends_on": "2099-01-01"}, "jurisdiction"),
        ({"jurisdiction": "TX", "ask": "", "ends_on": "2099-01-01"}, "ask"),
        ({"jurisdiction": "TX", "ask": "x", "ends_on": "not a date"}, "ends_on"),
        ({"jurisdiction": "TX", "ask": "x", "ends_on": "2001-01-01"}, "ends_on"),
        ({"jurisdiction": "TX", "ask": "x", "ends_on": "2099-01-01", "milestones": [0]}, "milestones.0"),
        ({"jurisdiction": "TX", "ask": "x", "ends_on": "2099-01-01", "milestones": "many"}, "milestones"),
    ],
)
def test_bad_campaign_fields_get_a_clear_error(advocate, body, field):
    answer = api_as(advocate).post("/api/campaigns/", body, format="json")
    assert answer.status_code == 400
    assert answer.json()["field"] == field


def test_only_advocates_open_campaigns(db, moderator):
    body = {"jurisdiction": "TX", "ask": "x", "ends_on": "2099-01-01"}
    assert api_as(None).post("/api/campaigns/", body, format="json").status_code == 403
    assert api_as(moderator).post("/api/campaigns/", body, format="json").status_code == 403
    assert not Campaign.objects.exists()


def test_no_campaign_is_a_json_404(db):
    answer = APIClient().get("/api/campaigns/TX/")
    assert answer.status_code == 404
    assert answer.json()["code"] == "not_found"


# --- supporting and confirming ---


def test_a_supporter_counts_only_after_confirming(campaign, mailoutbox, django_capture_on_commit_callbacks):
    client = APIClient()
    with django_capture_on_commit_callbacks(execute=True):
        answer = sign_up(client, "ana@example.org", public_name=True)
    assert answer.status_code == 202
    assert supporters() == 0
    [message] = mailoutbox
    assert message.to == ["ana@example.org"]
    assert "ana@example.org" not in confirm_path(message)  # links end up in logs
    page = Client()
    path = confirm_path(message)
    assert page.get(path).status_code == 200  # a mail scanner opening the link confirms nothing
    assert supporters() == 0
    confirmed = page.post(path)
    assert confirmed.status_code == 200
    assert supporters() == 1
    assert APIClient().get("/api/campaigns/TX/").json()["public_names"] == ["Ana Ruiz"]


def test_names_stay_private_without_the_opt_in(campaign, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        sign_up(APIClient(), "ben@example.org", name="Ben Private")
    Client().post(confirm_path(mailoutbox[0]))
    body = APIClient().get("/api/campaigns/TX/").json()
    assert body["supporters"] == 1
    assert "Ben Private" not in str(body)
    assert "Ben Private" not in Client().get("/campaigns/TX/").content.decode()


def test_a_second_confirmation_or_another_spelling_does_not_count_twice(
    campaign, mailoutbox, django_capture_on_commit_callbacks
):
    client = APIClient()
    with django_capture_on_commit_callbacks(execute=True):
        sign_up(client, "Ana.Ruiz@Example.org")
    path = confirm_path(mailoutbox[0])
    assert Client().post(path).status_code == 200
    reused = Client().post(path)
    assert reused.status_code == 410
    assert 'data-code="used"' in reused.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        again = sign_up(client, "ana.ruiz@EXAMPLE.ORG")
    assert again.status_code == 202  # the same answer: it must not reveal who already supports
    assert len(mailoutbox) == 1  # and no new link for an address already counted
    assert supporters() == 1
    assert Supporter.objects.count() == 1


def test_a_newer_link_replaces_the_older_one(campaign, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        sign_up(APIClient(), "ana@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        sign_up(APIClient(), "ANA@example.org", zip_code="78702")
    first, second = (confirm_path(message) for message in mailoutbox)
    assert Client().post(first).status_code == 400
    assert Client().post(second).status_code == 200
    assert Supporter.objects.get().zip_code == "78702"
    assert supporters() == 1


def test_an_expired_link_is_refused(campaign, mailoutbox, django_capture_on_commit_callbacks, settings, monkeypatch):
    with django_capture_on_commit_callbacks(execute=True):
        sign_up(APIClient(), "ana@example.org")
    path = confirm_path(mailoutbox[0])
    later = time.time() + settings.CAMPAIGN_CONFIRMATION_MAX_AGE + 60
    monkeypatch.setattr("django.core.signing.time.time", lambda: later)  # the clock the signer reads
    answer = Client().post(path)
    assert answer.status_code == 410
    assert 'data-code="expired"' in answer.content.decode()
    assert supporters() == 0


def test_a_forged_or_cut_link_is_refused(campaign):
    forged = Client().post("/campaigns/confirm/eyJzIjoxLCJuIjoiIn0:1abc:forged/")
    assert forged.status_code == 400
    with pytest.raises(campaigns.ConfirmationRefused) as refused:
        campaigns.confirm("nonsense")
    assert refused.value.code == "invalid"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"email": "not-an-address"}, "email"),
        ({"zip_code": "7870"}, "zip_code"),
        ({"zip_code": "ABCDE"}, "zip_code"),
        ({"name": "   "}, "name"),
        ({"name": "x" * 121}, "name"),
        ({"personal_line": "x" * 501}, "personal_line"),
        ({"consent_to_contact": "perhaps"}, "consent_to_contact"),
    ],
)
def test_bad_supporter_fields_get_a_clear_error(campaign, mailoutbox, fields, field):
    answer = sign_up(APIClient(), **{"email": "ana@example.org", **fields})
    assert answer.status_code == 400
    assert answer.json()["field"] == field
    assert not Supporter.objects.exists()
    assert mailoutbox == []


def test_hostile_bodies_never_get_a_5xx(campaign):
    client = APIClient()
    for body in (b"", b"{", b"[]", b'"x"', b'{"email": 5, "zip_code": null, "name": {"a": 1}}', b"\xff\xfe"):
        answer = client.post(SUPPORTERS, body, content_type="application/json")
        assert 400 <= answer.status_code < 500, body
    assert client.post("/api/campaigns/", b"{", content_type="application/json").status_code in (400, 403)


def test_the_honeypot_stores_and_sends_nothing(campaign, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        answer = sign_up(APIClient(), "bot@example.org", website="http://spam.example")
        page = Client().post(
            "/campaigns/TX/", {"name": "Bot", "email": "bot2@example.org", "zip_code": "78701", "website": "x"}
        )
    assert answer.status_code == 202
    assert page.status_code == 202
    assert not Supporter.objects.exists()
    assert mailoutbox == []


def throttle_rates(monkeypatch, **rates: str) -> None:
    """Lower rates for a test (DRF reads them into the class once, at import; monkeypatch puts them back)."""
    from rest_framework.throttling import SimpleRateThrottle

    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {**SimpleRateThrottle.THROTTLE_RATES, **rates})


def test_bulk_sign_ups_from_one_address_are_throttled_without_a_5xx(campaign, monkeypatch):
    throttle_rates(monkeypatch, campaign_signups="3/hour")
    client = APIClient()
    answers = [sign_up(client, f"person{n}@domain{n}.example").status_code for n in range(6)]
    assert answers == [202, 202, 202, 429, 429, 429]
    assert Supporter.objects.count() == 3
    refused = sign_up(client, "late@example.org")
    assert refused.json()["code"] == "throttled"
    page = Client().post("/campaigns/TX/", {"name": "P", "email": "p@page.example", "zip_code": "78701"})
    assert page.status_code == 429  # the page's form shares the same counter


def test_bulk_sign_ups_at_one_email_domain_are_throttled(campaign, monkeypatch):
    throttle_rates(monkeypatch, campaign_signup_domains="2/hour")
    answers = [sign_up(APIClient(REMOTE_ADDR=f"10.0.0.{n}"), f"p{n}@Bulk.example").status_code for n in range(1, 5)]
    assert answers == [202, 202, 429, 429]
    assert sign_up(APIClient(REMOTE_ADDR="10.0.0.9"), "p@other.example").status_code == 202


def test_a_closed_campaign_takes_no_supporters(campaign, mailoutbox):
    Campaign.objects.filter(pk=campaign.pk).update(ends_on=timezone.localdate() - datetime.timedelta(days=1))
    answer = sign_up(APIClient(), "ana@example.org")
    assert answer.status_code == 409
    assert answer.json()["code"] == "campaign_closed"
    page = Client().post("/campaigns/TX/", {"name": "Ana", "email": "ana@example.org", "zip_code": "78701"})
    assert page.status_code == 409
    assert "This campaign closed on" in page.content.decode()
    assert 'name="email"' not in page.content.decode()
    assert not Supporter.objects.exists()
    assert mailoutbox == []


@pytest.mark.parametrize("door", ["api", "page"])
def test_the_page_and_the_api_store_a_sign_up_alike(campaign, door):
    fields = {"name": "  Ana \t Ruiz\x07 ", "email": "ana@example.org", "zip_code": " 78701-1234 ", "public_name": True}
    if door == "api":
        answer = APIClient().post(SUPPORTERS, fields, format="json")
    else:
        answer = Client().post("/campaigns/TX/", fields)
    assert answer.status_code == 202
    supporter = Supporter.objects.get()
    assert (supporter.name, supporter.zip_code, supporter.public_name) == ("Ana Ruiz", "78701", True)


@pytest.mark.parametrize("zip_code", ["7870", "ABCDE", "78701-12", "787012"])
def test_the_page_refuses_a_zip_code_as_the_api_does(campaign, zip_code):
    page = Client().post("/campaigns/TX/", {"name": "Ana", "email": "ana@example.org", "zip_code": zip_code})
    assert page.status_code == 400
    assert sign_up(APIClient(), "ana@example.org", zip_code=zip_code).json()["field"] == "zip_code"
    assert not Supporter.objects.exists()


def test_a_supporters_name_and_zip_code_are_read_by_the_domain():
    assert campaigns.supporter_name(" Ana\x00  Ruiz\n") == "Ana Ruiz"
    assert campaigns.supporter_name(" \x1b ") == ""
    assert campaigns.five_digit_zip("78701-1234") == "78701"
    assert campaigns.five_digit_zip(" 78701 ") == "78701"
    assert campaigns.five_digit_zip("78701 1234") is None


# --- the supporter list ---


def confirmed(campaign: Campaign, email: str, **fields) -> Supporter:
    supporter = campaigns.sign_up(
        campaign=campaign, name=fields.pop("name", "Ana Ruiz"), email=email, zip_code="78701", **fields
    )
    return campaigns.confirm(campaigns.confirmation_token(supporter))


def test_the_supporter_list_is_for_advocates_and_the_target_office_only(campaign, advocate, moderator):
    confirmed(campaign, "ana@example.org", consent_to_contact=True)
    texas_office, ohio_office = office_user("tx-office", "TX"), office_user("oh-office", "OH")
    for user in (advocate, texas_office):
        answer = api_as(user).get(SUPPORTERS)
        assert answer.status_code == 200
        assert answer.json()[0]["email"] == "ana@example.org"
        client = Client()
        client.force_login(user)
        assert client.get("/campaigns/TX/supporters.csv").status_code == 200
    for user in (None, ohio_office, moderator):
        assert api_as(user).get(SUPPORTERS).status_code == 404
        client = Client()
        if user is not None:
            client.force_login(user)
        assert client.get("/campaigns/TX/supporters.csv").status_code == 404


def test_the_csv_is_formula_safe_and_shares_addresses_only_with_consent(campaign, advocate):
    confirmed(
        campaign, "ana@example.org", name='=HYPERLINK("http://evil")', personal_line="+1 cmd", consent_to_contact=True
    )
    confirmed(campaign, "ben@example.org", name="Ben")
    client = Client()
    client.force_login(advocate)
    answer = client.get("/campaigns/TX/supporters.csv")
    rows = list(csv.reader(io.StringIO(answer.content.decode())))
    assert rows[0] == campaigns.SUPPORTER_COLUMNS
    assert rows[1][0].startswith("'=")
    assert rows[1][3] == "'+1 cmd"
    assert rows[1][1] == "ana@example.org"
    assert rows[2][1] == ""  # no consent: no address
    assert "ben@example.org" not in answer.content.decode()


# --- the letter ---


@pytest.fixture
def texas_figures(db):
    """12 Texas bus stations: 9 posted, 2 deficient, 1 missing → 75% (47–91%)."""
    statuses = ["posted"] * 9 + ["deficient"] * 2 + ["missing"]
    for n, status in enumerate(statuses):
        approved_venue("TX", "bus_station", status, AUSTIN[0] + 0.01 * n, AUSTIN[1])
    scoreboard.invalidate()


def test_the_milestone_letter_carries_supporters_figures_and_is_tracked(campaign, texas_figures, advocate):
    AGPublicityRecord.objects.create(
        jurisdiction=campaign.jurisdiction,
        on_website="yes",
        on_social_media="no",
        in_own_buildings="unknown",
        source_url="https://www.texasattorneygeneral.gov/",
        checked_on=datetime.date(2026, 11, 1),
    )
    confirmed(campaign, "ana@example.org", name="Ana Ruiz", public_name=True)
    confirmed(campaign, "ben@example.org", name="Ben Hidden")
    assert not CampaignLetter.objects.exists()
    supporter = campaigns.sign_up(campaign=campaign, name="Cy", email="cy@example.org", zip_code="75001")
    campaigns.confirm(campaigns.confirmation_token(supporter))
    campaigns.deliver_due_milestone(campaign)  # what the confirmation's on-commit hook does
    [item] = CampaignLetter.objects.all()
    assert (item.milestone, item.supporters) == (3, 3)
    letter = item.letter
    assert letter.kind == Letter.Kind.CAMPAIGN
    assert letter.recipient == campaign.ag_office.mailing_address
    text = pdf_text(letters.to_pdf(letter))
    assert "3 Texas residents" in text
    assert "75% (95% confidence interval 47–91%; n = 12)" in text
    assert "http://testserver/reports/TX/" in text
    assert "787xx: 2" in text and "750xx: 1" in text
    assert "Ana Ruiz" in text and "Ben Hidden" not in text
    assert "78701" not in text  # ZIP areas, never full codes
    assert "shown on its website" in text
    # tracked like any letter: the office answers it and the public record follows
    letter = outreach.update_outreach(letter=letter, by=advocate, changes={"outreach_status": "sent"})
    public = outreach.public_letters(campaign.jurisdiction)
    assert [entry.public_id for entry in public] == [str(letter.public_id)]
    assert public[0].kind == "campaign"
    # a milestone is written once
    assert campaigns.deliver_due_milestone(campaign) is None
    assert APIClient().get("/api/campaigns/TX/").json()["letters"][0]["letter"] == str(letter.public_id)


def test_the_final_letter_is_written_once_when_the_campaign_ends(campaign, texas_figures):
    confirmed(campaign, "ana@example.org")
    assert campaigns.deliver_ended() == []  # still open
    later = campaign.ends_on + datetime.timedelta(days=1)
    [item] = campaigns.deliver_ended(today=later)
    assert item.milestone is None and item.supporters == 1
    assert item.letter.subject.startswith("1 Texas resident asks your office")
    assert campaigns.deliver_ended(today=later) == []


def test_campaign_letters_cannot_be_written_by_hand(advocate):
    answer = api_as(advocate).post("/api/letters/", {"jurisdiction": "TX", "kind": "campaign"}, format="json")
    assert answer.status_code == 400
    assert answer.json()["field"] == "kind"


# --- pages ---


def test_the_state_page_and_the_campaign_page_show_the_campaign(campaign):
    confirmed(campaign, "ana@example.org")
    state = Client().get("/j/TX/").content.decode()
    assert "/campaigns/TX/" in state
    page = Client().get("/campaigns/TX/")
    assert page.status_code == 200
    html = page.content.decode()
    assert campaign.ask in html
    assert 'name="website"' in html and 'tabindex="-1"' in html


def test_the_page_form_signs_up_and_reports_field_errors(campaign, mailoutbox, django_capture_on_commit_callbacks):
    client = Client()
    bad = client.post("/campaigns/TX/", {"name": "Ana", "email": "ana@example.org", "zip_code": "12"})
    assert bad.status_code == 400
    assert "five digits" in bad.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        good = client.post("/campaigns/TX/", {"name": "Ana", "email": "ana@example.org", "zip_code": "78701-1234"})
    assert good.status_code == 202
    assert Supporter.objects.get().zip_code == "78701"
    assert len(mailoutbox) == 1


def test_the_daily_command_writes_final_letters(campaign):
    from django.core.management import call_command

    confirmed(campaign, "ana@example.org")
    Campaign.objects.filter(pk=campaign.pk).update(
        starts_on=timezone.localdate() - datetime.timedelta(days=10),
        ends_on=timezone.localdate() - datetime.timedelta(days=1),
    )
    out = io.StringIO()
    call_command("deliver_campaigns", stdout=out)
    assert out.getvalue().strip() == "1 campaign letter(s) written"
    assert CampaignLetter.objects.get().letter.kind == "campaign"


# --- the AG office's own record ---


def test_the_ag_offices_own_record_is_kept_with_history_and_shown_on_the_state_page(db, admin_client):
    texas = Jurisdiction.objects.get(code="TX")
    record = AGPublicityRecord.objects.create(
        jurisdiction=texas,
        on_website="no",
        source_url="https://www.texasattorneygeneral.gov/",
        checked_on=datetime.date(2026, 10, 1),
    )
    assert not record.publicises
    record.on_website = "yes"
    record.checked_on = datetime.date(2026, 11, 1)
    record.save()
    assert record.publicises
    assert [entry.on_website for entry in record.history.order_by("history_date")] == ["no", "yes"]
    page = Client().get("/j/TX/").content.decode()
    assert "share the hotline itself?" in page
    assert "https://www.texasattorneygeneral.gov/" in page
    assert admin_client.get(f"/admin/compliance/agpublicityrecord/{record.pk}/history/").status_code == 200


def test_the_campaign_letter_opens_in_the_tracker_as_any_letter(campaign, texas_figures, advocate):
    confirmed(campaign, "ana@example.org")
    letter = campaigns.write_letter(campaign, milestone=None).letter
    client = Client()
    client.force_login(advocate)
    for suffix in ("/", ".pdf", ".docx"):
        assert client.get(f"/letters/{letter.public_id}{suffix}").status_code == 200
    assert client.get("/letters/").status_code == 200


def test_a_recognition_letter_quotes_the_offices_own_record(advocate):
    for n in range(12):
        approved_venue("TX", "bus_station", "posted", AUSTIN[0] + 0.01 * n, AUSTIN[1])
    scoreboard.invalidate()
    AGPublicityRecord.objects.create(
        jurisdiction=Jurisdiction.objects.get(code="TX"),
        on_website="yes",
        on_social_media="yes",
        in_own_buildings="no",
        source_url="https://www.texasattorneygeneral.gov/",
        checked_on=datetime.date(2026, 11, 1),
    )
    letter = letters.compose(
        jurisdiction=Jurisdiction.objects.get(code="TX"),
        kind="recognition",
        author=advocate,
        report_url="http://testserver/reports/TX/",
    )
    assert "the hotline was shown on its website, shared on its social media, and not posted in its own buildings" in (
        letter.body
    )
    assert letter.figures["ag_record"]["checked_on"] == "2026-11-01"


def test_an_advocate_opens_a_campaign_from_the_state_page(advocate, moderator):
    client = Client()
    client.force_login(advocate)
    assert "/campaigns/TX/open/" in client.get("/j/TX/").content.decode()
    ends = (timezone.localdate() + datetime.timedelta(days=30)).isoformat()
    bad = client.post("/campaigns/TX/open/", {"ask": "Post it.", "ends_on": "2001-01-01"})
    assert bad.status_code == 400 and not Campaign.objects.exists()
    made = client.post("/campaigns/TX/open/", {"ask": "Post it.", "ends_on": ends, "milestones": "50, 10"})
    assert made.status_code == 302 and made["Location"] == "/campaigns/TX/"
    assert Campaign.objects.get().milestones == [10, 50]
    other = Client()
    other.force_login(moderator)
    assert other.get("/campaigns/TX/open/").status_code == 404
    assert Client().post("/campaigns/TX/open/", {"ask": "x", "ends_on": ends}).status_code == 404
