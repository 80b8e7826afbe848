"""Letters to AG offices: composed from the law and the figures, frozen, rendered as real DOCX and PDF, and guarded."""

from __future__ import annotations

import datetime
import io
import re

import docx
import pypdf
import pytest
from django.contrib.auth.models import User
from django.utils import timezone
from rest_framework.test import APIClient

from compliance import letters, outreach, scoreboard
from compliance.models import AGOffice, AGOfficeAccount, Jurisdiction, Letter, PostingLaw, Venue
from tests.test_compliance_api import approved_venue
from tests.test_observations import AUSTIN

REPORT_URL = "http://testserver/reports/{code}/"
HOTLINE_FACTS = (
    "call volume rose by up to 200% in states whose Attorneys General publicised the hotline (Polaris",
    "requiring the hotline number to be posted in public places was the provision most associated with more "
    "trafficking arrests",
    "Northeastern University",
)


def flat(text: str) -> str:
    """Text with every run of whitespace made one space (PDF extraction breaks lines anywhere)."""
    return " ".join(text.split())


def docx_text(content: bytes) -> str:
    return flat("\n".join(paragraph.text for paragraph in docx.Document(io.BytesIO(content)).paragraphs))


def pdf_text(content: bytes) -> str:
    return flat("\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(content)).pages))


def compose(code: str, kind: str, author: User, **kwargs) -> Letter:
    return letters.compose(
        jurisdiction=Jurisdiction.objects.get(code=code),
        kind=kind,
        author=author,
        report_url=REPORT_URL.format(code=code),
        **kwargs,
    )


def user_in_office(username: str, code: str) -> User:
    user = User.objects.create_user(username, password="pw-for-tests-only")
    AGOfficeAccount.objects.create(user=user, jurisdiction=Jurisdiction.objects.get(code=code))
    return user


def api_as(user: User | None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


@pytest.fixture
def texas_bus_stations(db):
    """12 Texas bus stations (covered without condition): 9 posted, 2 deficient, 1 missing → 75%, 47–91%."""
    statuses = ["posted"] * 9 + ["deficient"] * 2 + ["missing"]
    for n, status in enumerate(statuses):
        approved_venue("TX", "bus_station", status, AUSTIN[0] + 0.01 * n, AUSTIN[1])
    scoreboard.invalidate()


@pytest.fixture
def texas_letter(advocate, texas_bus_stations) -> Letter:
    return compose("TX", "enforcement", advocate)


# --- what a letter says ---


def test_texas_enforcement_letter_cites_the_verified_statute_with_figures_n_and_interval(texas_letter):
    law = PostingLaw.objects.get(jurisdiction__code="TX")
    body = texas_letter.body
    assert texas_letter.citation_verified
    assert "Texas law requires a human trafficking hotline sign to be posted in these places: bus station" in body
    assert f"The requirement is set out in {law.short_citation}." in body
    assert "The sign was posted at 9 of the 12: 75% (95% confidence interval 47–91%; n = 12)" in body
    assert "posted but deficient at 2 and missing at 1" in body
    assert "• Bus station: posted at 9 of 12 (75%; 95% confidence interval 47–91%; n = 12)" in body
    for fact in HOTLINE_FACTS:
        assert fact in body
    assert "http://testserver/reports/TX/" in body
    assert texas_letter.recipient == AGOffice.objects.get(jurisdiction__code="TX").mailing_address
    assert texas_letter.subject == "Enforcing Texas's human trafficking hotline posting law"
    assert texas_letter.figures["overall"]["n"] == 12
    assert texas_letter.figures["signature"] == ["Ada Vocate", "SignWatch"]
    assert letters.suggested_kind(texas_letter.figures) == "enforcement"


def test_docx_carries_address_citation_figures_and_report_link(texas_letter):
    text = docx_text(letters.to_docx(texas_letter))
    law = PostingLaw.objects.get(jurisdiction__code="TX")
    for line in texas_letter.recipient:
        assert line in text
    assert law.short_citation in text
    assert "75% (95% confidence interval 47–91%; n = 12)" in text
    assert "http://testserver/reports/TX/" in text
    assert f"Re: {texas_letter.subject}" in text
    assert "Sincerely, Ada Vocate SignWatch" in text
    assert timezone.localdate().strftime("%B") in text  # dated


def test_pdf_carries_address_citation_figures_and_report_link(texas_letter):
    content = letters.to_pdf(texas_letter)
    assert content.startswith(b"%PDF-")
    text = pdf_text(content)
    law = PostingLaw.objects.get(jurisdiction__code="TX")
    for line in texas_letter.recipient:
        assert flat(line) in text
    assert flat(law.short_citation) in text
    assert "75% (95% confidence interval 47–91%; n = 12)" in text
    assert "http://testserver/reports/TX/" in text
    for fact in HOTLINE_FACTS:
        assert flat(fact) in text


def test_california_with_too_few_reports_says_so_instead_of_a_rate(advocate):
    for n, status in enumerate(["posted", "posted", "missing"]):
        approved_venue("CA", "bus_station", status, 34.05 + 0.01 * n, -118.25)
    scoreboard.invalidate()
    letter = compose("CA", "enforcement", advocate)
    assert "Cal. Civ. Code § 52.6" in letter.body
    assert "documented 3 places of the types the law covers in California" in letter.body
    assert "fewer than the 10 places we need before we state a compliance rate, so we give none" in letter.body
    assert "confidence interval" not in letter.body
    assert "67%" not in letter.body
    assert letter.figures["overall"]["sufficient"] is False


def test_california_letter_names_only_confirmed_coverage(advocate):
    letter = compose("CA", "enforcement", advocate)
    assert "have not yet documented any place" in letter.body
    # The research marks nail and beauty salons "Unconfirmed": a letter does not state them as covered.
    assert "nail salon" not in letter.body
    assert "hair or beauty salon" not in letter.body


def test_florida_letter_says_its_law_requires_a_state_hotline_not_the_national_one(advocate):
    law = PostingLaw.objects.get(jurisdiction__code="FL")
    assert law.national_hotline_required is False and law.is_verified
    letter = compose("FL", "enforcement", advocate)
    assert "Florida law requires a human trafficking hotline sign to be posted" in letter.body
    assert "The requirement is set out in Fla. Stat. § 787.29; Fla. Stat. § 509.096(1)(c)." in letter.body
    assert "the statute does not require the sign to carry the National Human Trafficking Hotline" in letter.body
    assert letter.citation_verified


def test_adoption_request_cites_other_states_verified_statutes(advocate):
    washington = PostingLaw.objects.get(jurisdiction__code="WA")
    assert washington.status == "voluntary"
    letter = compose("WA", "adoption", advocate)
    cited = letter.figures["cited_laws"]
    assert 3 <= len(cited) <= 5
    for entry in cited:
        law = PostingLaw.objects.get(jurisdiction__code=entry["code"])
        assert law.status == "mandatory" and law.confidence == "high" and law.national_hotline_required is not False
        assert f"• {entry['name']}: {law.short_citation}" in letter.body
    assert "WA" not in {entry["code"] for entry in cited}
    assert "FL" not in {entry["code"] for entry in cited}
    assert "Washington law permits or encourages posting the hotline, but does not require it." in letter.body
    assert f"The relevant provisions are {washington.short_citation}." in letter.body
    assert "support legislation requiring the National Human Trafficking Hotline" in letter.body
    assert "SignWatch has no approved reports from Washington yet" in letter.body
    assert letters.suggested_kind(letter.figures) == "adoption"


def test_unverified_law_is_never_cited_as_fact(advocate, texas_bus_stations):
    law = PostingLaw.objects.get(jurisdiction__code="TX")
    law.confidence = "low"
    law.save()
    letter = compose("TX", "enforcement", advocate)
    assert not letter.citation_verified
    assert "Our research suggests that Texas law requires a human trafficking hotline sign" in letter.body
    assert "but we could not verify the statute" in letter.body
    assert "We ask your office to confirm whether this requirement is in force and under which statute" in letter.body
    assert letter.subject == "The human trafficking hotline posting requirement in Texas"
    for fragment in (law.short_citation, "402.0351", "Tex. Gov't Code"):
        assert fragment not in letter.body
        assert fragment not in docx_text(letters.to_docx(letter))
        assert fragment not in pdf_text(letters.to_pdf(letter))
    assert letter.figures["law"] == {**letter.figures["law"], "verified": False, "citation": ""}


def test_unverified_row_without_a_mandate_is_not_cited_either(advocate):
    iowa = PostingLaw.objects.get(jurisdiction__code="IA")
    assert iowa.confidence == "low" and "80.45A" in iowa.notes
    letter = compose("IA", "adoption", advocate)
    assert "80.45A" not in letter.body
    assert (
        "Our research found no Iowa statute requiring the hotline to be posted, but we could not verify" in letter.body
    )
    assert not letter.citation_verified


def test_recognition_for_high_compliance_only(advocate):
    for n in range(12):
        approved_venue("TX", "bus_station", "posted", AUSTIN[0] + 0.01 * n, AUSTIN[1])
    scoreboard.invalidate()
    texas = scoreboard.current().data["jurisdictions"]["TX"]
    assert letters.suggested_kind(texas) == "recognition"
    letter = compose("TX", "recognition", advocate)
    assert letter.subject == "Thank you: the human trafficking hotline sign is on the wall in Texas"
    assert "100% (95% confidence interval 76–100%; n = 12)" in letter.body


def test_a_kind_that_does_not_fit_is_refused(advocate, texas_bus_stations):
    with pytest.raises(letters.LetterRefused) as refused:
        compose("TX", "recognition", advocate)  # 75% is no record to thank an office for
    assert refused.value.field == "kind"
    with pytest.raises(letters.LetterRefused):
        compose("WA", "enforcement", advocate)  # nothing to enforce
    with pytest.raises(letters.LetterRefused) as no_office:
        compose("GU", "custom", advocate)
    assert no_office.value.code == "no_ag_office"
    assert not Letter.objects.exists()


def test_custom_letter_frames_the_advocates_message(advocate):
    letter = compose("CA", "custom", advocate, message="Please meet us.\n\nWe have photos from Fresno.")
    paragraphs = letter.body.split("\n\n")
    assert paragraphs[:3] == ["Dear Attorney General:", "Please meet us.", "We have photos from Fresno."]
    assert "http://testserver/reports/CA/" in letter.body
    with pytest.raises(letters.LetterRefused):
        compose("CA", "enforcement", advocate, message="Only custom letters take one.")


def test_control_characters_in_a_message_do_not_break_the_docx(advocate):
    letter = compose("CA", "custom", advocate, message="Bell\x07 and\x0b form feed\x0c here.")
    assert "Bell and form feed here." in docx_text(letters.to_docx(letter))


def test_demo_data_is_announced_in_the_letter(advocate, texas_bus_stations):
    demo = approved_venue("TX", "airport", "posted", AUSTIN[0], AUSTIN[1] + 0.2)
    Venue.objects.filter(pk=demo.pk).update(is_demo=True)
    scoreboard.invalidate()
    letter = compose("TX", "enforcement", advocate)
    assert letter.body.startswith("Dear Attorney General:")
    assert "WARNING: this SignWatch instance holds synthetic demonstration data" in letter.body


def test_letter_is_frozen_when_data_changes_afterwards(texas_letter):
    before = Letter.objects.get(pk=texas_letter.pk)
    docx_before = docx_text(letters.to_docx(before))
    for n in range(5):
        approved_venue("TX", "bus_station", "missing", AUSTIN[0] - 0.01 * (n + 1), AUSTIN[1])
    scoreboard.invalidate()
    assert scoreboard.current().data["jurisdictions"]["TX"]["overall"]["n"] == 17
    PostingLaw.objects.filter(jurisdiction__code="TX").update(citations=["Tex. Gov't Code § 999.999"], confidence="low")
    AGOffice.objects.filter(jurisdiction__code="TX").update(address_line1="1 Moved Street")

    after = Letter.objects.get(pk=texas_letter.pk)
    assert (after.subject, after.body, after.figures, after.recipient, after.citation_verified) == (
        before.subject,
        before.body,
        before.figures,
        before.recipient,
        before.citation_verified,
    )
    assert docx_text(letters.to_docx(after)) == docx_before
    assert "999.999" not in pdf_text(letters.to_pdf(after))
    assert "1 Moved Street" not in pdf_text(letters.to_pdf(after))


# --- who may do what ---


@pytest.mark.parametrize("path", ["/letters/{id}.pdf", "/letters/{id}.docx", "/letters/{id}/", "/api/letters/{id}/"])
def test_anonymous_and_another_states_office_get_404(client, texas_letter, path):
    url = path.format(id=texas_letter.public_id)
    assert client.get(url).status_code == 404
    client.force_login(user_in_office("ca-office", "CA"))
    assert client.get(url).status_code == 404


def test_another_states_office_cannot_patch_or_list(texas_letter):
    california = api_as(user_in_office("ca-office", "CA"))
    response = california.patch(
        f"/api/letters/{texas_letter.public_id}/", {"official_response": "Noted."}, format="json"
    )
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert california.get("/api/letters/?jurisdiction=TX").json() == []
    assert api_as(None).get("/api/letters/").json() == []


def test_the_states_own_office_downloads_and_records_a_response_but_changes_nothing_else(texas_letter):
    office_user = user_in_office("tx-office", "TX")
    office = api_as(office_user)
    url = f"/api/letters/{texas_letter.public_id}/"

    seen = office.get(url).json()
    assert seen["body"] == texas_letter.body
    assert "notes" not in seen  # advocates' working notes stay theirs

    frozen = office.patch(url, {"body": "We did everything."}, format="json")
    assert frozen.status_code == 400
    assert frozen.json()["field"] == "body" and frozen.json()["code"] == "read_only"
    refused = office.patch(url, {"outreach_status": "no_answer"}, format="json")
    assert refused.status_code == 403 and refused.json()["field"] == "outreach_status"

    answered = office.patch(url, {"official_response": "We will inspect the stations."}, format="json")
    assert answered.status_code == 200
    letter = Letter.objects.get(pk=texas_letter.pk)
    assert letter.official_response == "We will inspect the stations."
    assert letter.outreach_status == "answered"
    assert letter.answered_on == timezone.localdate()
    assert letter.responded_by == office_user
    assert letter.body == texas_letter.body

    client = APIClient()
    client.force_login(office_user)
    assert client.get(f"/letters/{texas_letter.public_id}.pdf").status_code == 200


def test_advocate_creates_a_letter_and_tracks_it(advocate):
    api = api_as(advocate)
    response = api.post("/api/letters/", {"jurisdiction": "tx", "kind": "enforcement"}, format="json")
    assert response.status_code == 201
    body = response.json()
    letter = Letter.objects.get(public_id=body["id"])
    assert body["jurisdiction"] == "TX" and body["kind"] == "enforcement"
    assert body["subject"] == letter.subject and body["body"] == letter.body
    assert body["recipient"] == AGOffice.objects.get(jurisdiction__code="TX").mailing_address
    assert body["citation_verified"] is True and body["outreach_status"] == "draft"
    assert body["figures"]["overall"]["n"] == 0
    assert body["urls"]["pdf"] == f"http://testserver/letters/{letter.public_id}.pdf"
    assert body["urls"]["docx"] == f"http://testserver/letters/{letter.public_id}.docx"
    assert "http://testserver/reports/TX/" in letter.body

    sent = api.patch(
        f"/api/letters/{letter.public_id}/", {"outreach_status": "sent", "notes": "Mailed."}, format="json"
    )
    assert sent.status_code == 200
    assert sent.json()["sent_on"] == timezone.localdate().isoformat() and sent.json()["notes"] == "Mailed."
    future = (timezone.localdate() + datetime.timedelta(days=3)).isoformat()
    wrong = api.patch(f"/api/letters/{letter.public_id}/", {"sent_on": future}, format="json")
    assert wrong.status_code == 400 and wrong.json()["field"] == "sent_on"
    not_theirs = api.patch(f"/api/letters/{letter.public_id}/", {"official_response": "Fake."}, format="json")
    assert not_theirs.status_code == 403
    assert [change.status for change in outreach.status_history(Letter.objects.get(pk=letter.pk))] == ["draft", "sent"]


def test_only_advocates_create_letters(db):
    plain = User.objects.create_user("plain", password="pw-for-tests-only")
    payload = {"jurisdiction": "TX", "kind": "enforcement"}
    assert api_as(plain).post("/api/letters/", payload, format="json").status_code == 403
    assert api_as(user_in_office("tx-office", "TX")).post("/api/letters/", payload, format="json").status_code == 403
    assert api_as(None).post("/api/letters/", payload, format="json").status_code in (401, 403)
    assert not Letter.objects.exists()


@pytest.mark.parametrize(
    ("payload", "field", "code"),
    [
        ({"jurisdiction": "ZZ", "kind": "enforcement"}, "jurisdiction", "unknown_jurisdiction"),
        ({"jurisdiction": "TX", "kind": "threat"}, "kind", "invalid_choice"),
        ({"kind": "custom"}, "jurisdiction", "required"),
        ({"jurisdiction": "WA", "kind": "enforcement"}, "kind", "kind_not_applicable"),
        ({"jurisdiction": "GU", "kind": "custom"}, "jurisdiction", "no_ag_office"),
        ({"jurisdiction": "TX", "kind": "enforcement", "message": "Hi"}, "message", "invalid"),
    ],
)
def test_invalid_letter_requests_answer_400_with_the_field(advocate, payload, field, code):
    response = api_as(advocate).post("/api/letters/", payload, format="json")
    assert response.status_code == 400
    assert (response.json()["field"], response.json()["code"]) == (field, code)


# --- pages ---


def test_tracker_writes_a_letter_from_a_plain_form_and_updates_its_status(client, advocate):
    client.force_login(advocate)
    page = client.get("/letters/?jurisdiction=WA")
    assert page.status_code == 200
    assert '<option value="WA" selected>Washington (WA) — suggested: adoption</option>' in page.content.decode()
    created = client.post("/letters/", {"jurisdiction": "WA", "kind": "suggested", "message": ""})
    letter = Letter.objects.get()
    assert created.status_code == 302 and created["Location"] == f"/letters/{letter.public_id}/"
    assert letter.kind == "adoption"

    updated = client.post(
        f"/letters/{letter.public_id}/", {"action": "outreach", "outreach_status": "sent", "next": "tracker"}
    )
    assert updated.status_code == 302 and updated["Location"].startswith("/letters/#letter-")
    tracker = client.get("/letters/").content.decode()
    assert "Washington" in tracker and "Sent" in tracker and "Adoption request" in tracker

    refused = client.post("/letters/", {"jurisdiction": "WA", "kind": "enforcement"})
    assert refused.status_code == 400 and "does not fit Washington" in refused.content.decode()


def test_tracker_is_for_advocates_and_ag_offices(client, texas_letter):
    client.force_login(User.objects.create_user("plain", password="pw-for-tests-only"))
    assert client.get("/letters/").status_code == 403
    client.force_login(user_in_office("ca-office", "CA"))
    page = client.get("/letters/")
    assert page.status_code == 200 and "Texas" not in page.content.decode()
    assert client.post("/letters/", {"jurisdiction": "CA", "kind": "custom"}).status_code == 403
    client.force_login(user_in_office("tx-office", "TX"))
    html = client.get("/letters/").content.decode()
    assert "Texas" in html and "Write a letter" not in html


def test_letter_page_shows_text_downloads_history_and_the_offices_response_form(client, texas_letter):
    client.force_login(user_in_office("tx-office", "TX"))
    html = client.get(f"/letters/{texas_letter.public_id}/").content.decode()
    assert f"/letters/{texas_letter.public_id}.docx" in html and f"/letters/{texas_letter.public_id}.pdf" in html
    assert "75% (95% confidence interval 47–91%; n = 12)" in html
    assert 'name="official_response"' in html and 'name="outreach_status"' not in html
    response = client.post(
        f"/letters/{texas_letter.public_id}/", {"action": "response", "official_response": "Inspections planned."}
    )
    assert response.status_code == 302
    html = client.get(f"/letters/{texas_letter.public_id}/").content.decode()
    assert "Inspections planned." in html
    assert re.search(r"Draft.*Answered \(tx-office\)", html, re.S)
    forged = client.post(f"/letters/{texas_letter.public_id}/", {"action": "outreach", "outreach_status": "draft"})
    assert forged.status_code == 403


def test_downloads_are_attachments_that_no_shared_cache_keeps(client, advocate, texas_letter):
    client.force_login(advocate)
    pdf = client.get(f"/letters/{texas_letter.public_id}.pdf")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF-")
    assert pdf["Cache-Control"] == "private, no-store"
    word = client.get(f"/letters/{texas_letter.public_id}.docx")
    assert 'filename="signwatch-letter-TX-enforcement-' in word["Content-Disposition"]
    assert texas_letter.subject in docx_text(word.content)


def test_state_page_shows_letters_sent_publicly_and_drafts_to_their_readers(client, advocate, texas_letter):
    outreach.update_outreach(letter=texas_letter, by=advocate, changes={"outreach_status": "sent"})
    answered = compose("TX", "custom", advocate)
    outreach.record_response(letter=answered, by=user_in_office("tx-office", "TX"), text="Thanks.")
    compose("TX", "custom", advocate)  # a draft: not outreach yet

    public = client.get("/j/TX/").content.decode()
    assert "2 letters sent to the Attorney General office through SignWatch:" in public
    assert "1 answered, 0 without an answer, 1 awaiting an answer." in public
    # Public: each letter sent, its kind, date and the office's answer; never a link to the letter or a draft.
    assert str(texas_letter.public_id) not in public and "/letters/" not in public
    assert "Enforcement request" in public and '<q class="letter-answer">Thanks.</q>' in public
    assert "No answer yet: 0 days since it was sent." in public
    assert public.count('<th scope="row">Custom') == 1  # the answered one; the draft is not listed

    client.force_login(advocate)
    html = client.get("/j/TX/").content.decode()
    assert f"/letters/{texas_letter.public_id}/" in html and "Enforcement request" in html
    assert "/letters/?jurisdiction=TX" in html
