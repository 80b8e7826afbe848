"""After a letter: the office's answer in public, and compliance before and after it with Newcombe's interval."""

from __future__ import annotations

import datetime
import io

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from compliance import letters, outcomes, outreach, scoring
from compliance.models import Jurisdiction, Letter
from tests.test_compliance_api import add_observation, approved_venue
from tests.test_observations import AUSTIN

TODAY = timezone.localdate


def rate(posted: int, n: int) -> scoring.Rate:
    low, high = scoring.wilson_interval(posted, n)
    return scoring.Rate(posted, 0, n - posted, n, posted / n if n else None, low, high, n >= 10)


# Newcombe (1998), "Interval estimation for the difference between independent proportions", Statistics in
# Medicine 17:873-890, Table II, method 10 (score interval, no continuity correction), examples (a) to (h).
NEWCOMBE_TABLE_II = [
    ((56, 70), (48, 80), 0.0524, 0.3339),
    ((9, 10), (3, 10), 0.1705, 0.8090),
    ((6, 7), (2, 7), 0.0582, 0.8062),
    ((5, 56), (0, 29), -0.0381, 0.1926),
    ((0, 10), (0, 20), -0.1611, 0.2775),
    ((0, 10), (0, 10), -0.2775, 0.2775),
    ((10, 10), (0, 20), 0.6791, 1.0000),
    ((10, 10), (0, 10), 0.6075, 1.0000),
]


@pytest.mark.parametrize(("after", "before", "low", "high"), NEWCOMBE_TABLE_II)
def test_difference_interval_matches_newcombes_published_examples(after, before, low, high):
    difference = outcomes.newcombe_difference(rate(*before), rate(*after))
    assert difference.estimate == pytest.approx(after[0] / after[1] - before[0] / before[1])
    assert (round(difference.low, 4), round(difference.high, 4)) == (low, high)


def test_no_difference_without_data_on_both_sides():
    assert outcomes.newcombe_difference(rate(0, 0), rate(3, 4)) == outcomes.Difference(None, None, None)


@pytest.fixture
def texas_before_and_after(db, advocate):
    """A letter sent 100 days ago, with Texas bus stations observed before and after it (worked out below)."""
    sent_on = TODAY() - datetime.timedelta(days=100)
    texas = Jurisdiction.objects.get(code="TX")
    # Before (the year up to the letter): 10 bus stations, 3 posted.
    before = [
        approved_venue("TX", "bus_station", "posted" if n < 3 else "missing", AUSTIN[0] + 0.01 * n, AUSTIN[1], 200)
        for n in range(10)
    ]
    # One of them was seen twice before the letter: only its latest report (posted, 150 days ago) counts; so before
    # is 4 posted of 10.
    add_observation(before[5], "posted", days_ago=150)
    # After: 12 bus stations, 9 posted; two of them were also seen before (missing then, posted now).
    add_observation(before[6], "posted", days_ago=30)
    add_observation(before[7], "posted", days_ago=20)
    for n in range(10):
        approved_venue("TX", "bus_station", "posted" if n < 7 else "deficient", AUSTIN[0] - 0.01 * n, AUSTIN[1], 10)
    # Left out: too old for "before", a pending report, and a bar (covered in Texas only under a condition).
    approved_venue("TX", "bus_station", "missing", AUSTIN[0], AUSTIN[1] + 0.05, days_ago=500)
    add_observation(before[8], "posted", days_ago=5, review_status="pending")
    approved_venue("TX", "bar_liquor_licensee", "missing", AUSTIN[0], AUSTIN[1] + 0.1, days_ago=10)
    letter = letters.compose(jurisdiction=texas, kind="enforcement", author=advocate, report_url="/reports/TX/")
    outreach.update_outreach(letter=letter, by=advocate, changes={"outreach_status": "sent", "sent_on": sent_on})
    return letter


def test_before_and_after_a_letter_on_a_worked_example(texas_before_and_after):
    (letter,) = outreach.public_letters(Jurisdiction.objects.get(code="TX"))
    figures = letter.before_after
    assert (figures.before.posted, figures.before.n) == (4, 10)
    assert (figures.after.posted, figures.after.n) == (9, 12)
    assert figures.difference.estimate == pytest.approx(0.75 - 0.4)
    # Wilson 4/10: 0.16818–0.68732; Wilson 9/12: 0.46769–0.91109 (by hand from the Wilson formula), so
    # low = 0.35 − sqrt((0.75 − 0.46769)² + (0.68732 − 0.4)²) = −0.05281
    # high = 0.35 + sqrt((0.91109 − 0.75)² + (0.4 − 0.16818)²) = 0.63228
    assert figures.difference.low == pytest.approx(-0.05281, abs=1e-4)
    assert figures.difference.high == pytest.approx(0.63228, abs=1e-4)
    assert letter.days_without_answer == 100


def test_state_page_report_and_api_show_the_figures(client, texas_before_and_after):
    page = client.get("/j/TX/").content.decode()
    assert "Letters sent to the Attorney General office, and what followed" in page
    assert "No answer yet: 100 days since it was sent." in page
    assert "+35 points" in page
    report = client.get("/reports/TX/").content.decode()
    assert "Letters and answers" in report and "+35 points" in report
    (row,) = APIClient().get("/api/letters/", {"jurisdiction": "tx"}).json()
    assert row["before_after"]["before"]["n"] == 10 and row["before_after"]["after"]["rate"] == 0.75
    assert row["before_after"]["difference"]["estimate"] == 0.35
    assert row["days_without_answer"] == 100 and row["answer"] == "" and row["answered_on"] is None
    assert set(row) == {
        "id", "jurisdiction", "kind", "kind_label", "sent_on", "answered_on", "answer", "answer_attachment_url",
        "days_without_answer", "before_after",
    }  # fmt: skip


def test_anonymous_callers_get_the_public_subset_only(texas_before_and_after, advocate):
    Letter.objects.create(
        jurisdiction=texas_before_and_after.jurisdiction, kind="custom", author=advocate, subject="draft", body="x"
    )
    texas_before_and_after.notes = "call back on Tuesday"
    texas_before_and_after.save()
    answer = APIClient().get("/api/letters/")
    assert answer.status_code == 200
    assert len(answer.json()) == 1  # the draft is not outreach
    text = answer.content.decode()
    for private in ("call back on Tuesday", texas_before_and_after.subject, "advocate", "Ada"):
        assert private not in text
    assert APIClient().get("/api/letters/", {"jurisdiction": "ZZ"}).json() == []
    assert APIClient().get("/api/letters/", {"kind": "custom"}).json() == []
    assert APIClient().get("/api/letters/", {"outreach_status": "AAA"}).status_code == 400


def pdf_bytes() -> bytes:
    return b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def office_client(code: str) -> tuple[APIClient, object]:
    from django.contrib.auth.models import User

    from compliance.models import AGOfficeAccount

    user = User.objects.create_user(f"office-{code}", password="pw-for-tests-only")
    AGOfficeAccount.objects.create(user=user, jurisdiction=Jurisdiction.objects.get(code=code))
    client = APIClient()
    client.force_authenticate(user)
    return client, user


def test_the_office_records_its_answer_with_a_date_and_a_pdf_and_it_is_public(texas_before_and_after):
    letter = texas_before_and_after
    office, _user = office_client("TX")
    day = (TODAY() - datetime.timedelta(days=3)).isoformat()
    upload = io.BytesIO(pdf_bytes())
    upload.name = "Reply from the AG - case 1234.pdf"
    answered = office.patch(
        f"/api/letters/{letter.public_id}/",
        {
            "official_response": "We wrote to every bus operator.",
            "answered_on": day,
            "answer_attachment": upload,
        },
        format="multipart",
    )
    assert answered.status_code == 200, answered.json()
    letter.refresh_from_db()
    assert letter.answered_on.isoformat() == day and letter.outreach_status == "answered"
    assert "case" not in letter.answer_attachment.name  # stored under a random name
    (row,) = APIClient().get("/api/letters/").json()
    assert row["answer"] == "We wrote to every bus operator." and row["days_without_answer"] is None
    attachment = Client().get(row["answer_attachment_url"])
    assert attachment.status_code == 200 and attachment.content == pdf_bytes()
    assert attachment["Content-Type"] == "application/pdf"
    assert "We wrote to every bus operator." in Client().get("/j/TX/").content.decode()


def test_answers_are_checked(texas_before_and_after):
    letter = texas_before_and_after
    office, _user = office_client("TX")
    not_pdf = io.BytesIO(b"<html>not a pdf</html>")
    not_pdf.name = "answer.pdf"
    refused = office.patch(
        f"/api/letters/{letter.public_id}/", {"official_response": "x", "answer_attachment": not_pdf}, "multipart"
    )
    assert refused.status_code == 400 and refused.json()["field"] == "answer_attachment"
    early = (letter.sent_on - datetime.timedelta(days=1)).isoformat()
    refused = office.patch(f"/api/letters/{letter.public_id}/", {"official_response": "x", "answered_on": early})
    assert refused.status_code == 400 and refused.json()["field"] == "answered_on"
    future = (TODAY() + datetime.timedelta(days=1)).isoformat()
    refused = office.patch(f"/api/letters/{letter.public_id}/", {"official_response": "x", "answered_on": future})
    assert refused.status_code == 400 and refused.json()["code"] == "future_date"
    alone = io.BytesIO(pdf_bytes())
    alone.name = "a.pdf"
    refused = office.patch(f"/api/letters/{letter.public_id}/", {"answer_attachment": alone}, "multipart")
    assert refused.status_code == 400 and refused.json()["field"] == "official_response"
    letter.refresh_from_db()
    assert letter.answered_on is None and not letter.answer_attachment  # nothing half-written
    other_office, _other = office_client("CA")
    assert other_office.patch(f"/api/letters/{letter.public_id}/", {"official_response": "x"}).status_code == 404


def test_staff_record_an_answer_on_the_offices_behalf_through_the_page(texas_before_and_after):
    from django.contrib.auth.models import User

    staff = User.objects.create_user("staff", password="pw-for-tests-only", is_staff=True)
    client = Client()
    client.force_login(staff)
    letter = texas_before_and_after
    assert "Record the answer" in client.get(f"/letters/{letter.public_id}/").content.decode()
    upload = io.BytesIO(pdf_bytes())
    upload.name = "reply.pdf"
    posted = client.post(
        f"/letters/{letter.public_id}/",
        {"action": "response", "official_response": "Answered by phone.", "answer_attachment": upload},
    )
    assert posted.status_code == 302
    letter.refresh_from_db()
    assert letter.official_response == "Answered by phone." and letter.answered_on == TODAY()
    assert letter.responded_by == staff and letter.answer_attachment
