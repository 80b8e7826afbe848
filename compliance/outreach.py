"""What happened to a letter once written: outreach tracking, the office's answer, and what changed afterwards.

The tracker page and the letters API both call these functions (and both validate with `check_dates` and
`check_answer_attachment`), so neither path can record what the other would refuse. The public record of a
jurisdiction's outreach (`public_letters`) is what the state page, the report, the feeds and anonymous callers of
`GET /api/letters/` see: kinds, dates, answers and the figures before and after, never drafts, notes or authors.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.core.files import File
from django.db import transaction
from django.db.models import Count, F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from compliance import laws, outcomes, roles, scoreboard
from compliance.models import Jurisdiction, Letter, LetterQuerySet, Observation

# Letters sent, whether or not an answer came: the outreach the public may count (drafts are not outreach yet).
SENT_STATUSES = (Letter.Outreach.SENT, Letter.Outreach.ANSWERED, Letter.Outreach.NO_ANSWER)
MAX_ANSWER_BYTES = 10 * 1024 * 1024


class InvalidChange(Exception):
    """An outreach change that cannot be recorded as asked, with the field to point at (400)."""

    def __init__(self, *, code: str, detail: str, field: str) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail
        self.field = field


def check_dates(
    *, sent_on: datetime.date | None, answered_on: datetime.date | None, today: datetime.date | None = None
) -> None:
    """Dates of outreach: none in the future, and no answer before the letter was sent (raises InvalidChange)."""
    today = today or timezone.localdate()
    for field, value in (("sent_on", sent_on), ("answered_on", answered_on)):
        if value and value > today:
            raise InvalidChange(code="future_date", field=field, detail=_("The date cannot be in the future."))
    if sent_on and answered_on and answered_on < sent_on:
        raise InvalidChange(
            code="invalid", field="answered_on", detail=_("A letter cannot be answered before it was sent.")
        )


def check_answer_attachment(upload: File) -> None:
    """An answer's attachment is a PDF of at most 10 MiB, judged by its content (raises InvalidChange)."""
    if upload.size is not None and upload.size > MAX_ANSWER_BYTES:
        raise InvalidChange(
            code="file_too_large", field="answer_attachment", detail=_("The answer's PDF may be at most 10 MiB.")
        )
    upload.seek(0)
    head = upload.read(5)
    upload.seek(0)
    if head != b"%PDF-":
        raise InvalidChange(
            code="unsupported_media_type", field="answer_attachment", detail=_("Attach the answer as a PDF.")
        )


OUTREACH_FIELDS = ("outreach_status", "sent_on", "answered_on", "notes")


def may_track(user: Any) -> bool:
    """Advocates (and superusers) track a letter's outreach: status, dates, notes."""
    return roles.is_advocate(user)


def may_respond(user: Any, letter: Letter) -> bool:
    """The AG office of the letter's jurisdiction, or staff on its behalf, records its official answer."""
    return bool(getattr(user, "is_staff", False)) or roles.ag_office_jurisdiction(user) == letter.jurisdiction.code


@transaction.atomic
def update_outreach(*, letter: Letter, by: Any, changes: dict[str, Any], today: datetime.date | None = None) -> Letter:
    """Change a letter's outreach fields; a letter marked sent or answered without a date is dated today."""
    today = today or timezone.localdate()
    for field, value in changes.items():
        if field not in OUTREACH_FIELDS:
            raise ValueError(f"{field} is not an outreach field")
        setattr(letter, field, value)
    if letter.outreach_status in SENT_STATUSES and letter.sent_on is None:
        letter.sent_on = today
    if letter.outreach_status == Letter.Outreach.ANSWERED and letter.answered_on is None:
        letter.answered_on = today
    letter._history_user = by  # type: ignore[attr-defined]
    letter.save(update_fields=[*OUTREACH_FIELDS, "updated_at"])
    return letter


@transaction.atomic
def record_response(
    *,
    letter: Letter,
    by: Any,
    text: str,
    answered_on: datetime.date | None = None,
    attachment: File | None = None,
    today: datetime.date | None = None,
) -> Letter:
    """The office's answer, as the office or staff on its behalf records it: public once recorded."""
    answered_on = answered_on or today or timezone.localdate()
    check_dates(sent_on=letter.sent_on, answered_on=answered_on, today=today)
    letter.official_response = text
    letter.outreach_status = Letter.Outreach.ANSWERED
    letter.answered_on = answered_on
    if letter.sent_on is None:  # an answer proves the letter went out
        letter.sent_on = answered_on
    letter.responded_by = by
    fields = ["official_response", "outreach_status", "answered_on", "sent_on", "responded_by", "updated_at"]
    if attachment is not None:
        check_answer_attachment(attachment)
        letter.answer_attachment.save("answer.pdf", attachment, save=False)
        fields.append("answer_attachment")
    letter._history_user = by  # type: ignore[attr-defined]
    letter.save(update_fields=fields)
    return letter


class NotAllowed(Exception):
    """A change the user's role does not allow on a letter they may see (403, not 404)."""

    def __init__(self, *, detail: str, field: str) -> None:
        super().__init__(detail)
        self.detail = detail
        self.field = field


@transaction.atomic
def change(*, letter: Letter, by: Any, changes: dict[str, Any]) -> Letter:
    """Apply validated changes as the user's role allows: outreach fields for advocates, the response for its office."""
    responding = "official_response" in changes
    # With an answer, answered_on is the answer's date (the office's to give), not an outreach change.
    outreach = {
        field: changes[field]
        for field in OUTREACH_FIELDS
        if field in changes and not (responding and field == "answered_on")
    }
    if outreach and not may_track(by):
        raise NotAllowed(
            detail=_("Only advocates track a letter's outreach; an AG office records its response."),
            field=next(iter(outreach)),
        )
    if {"official_response", "answer_attachment"} & set(changes) and not may_respond(by, letter):
        raise NotAllowed(
            detail=_("Only the Attorney General office this letter is addressed to records its response."),
            field="official_response",
        )
    was_answered = letter.answered_on is not None
    if outreach:
        check_dates(
            sent_on=outreach.get("sent_on", letter.sent_on), answered_on=outreach.get("answered_on", letter.answered_on)
        )
        letter = update_outreach(letter=letter, by=by, changes=outreach)
    if responding:
        letter = record_response(
            letter=letter,
            by=by,
            text=changes["official_response"],
            answered_on=changes.get("answered_on"),
            attachment=changes.get("answer_attachment"),
        )
    if letter.answered_on is not None and not was_answered:
        from compliance import notifications, webhooks

        webhooks.letter_answered(letter)
        notifications.letter_answered(letter)
    return letter


@dataclass(frozen=True)
class StatusChange:
    """A step in a letter's outreach: when it happened, the new status and who recorded it."""

    when: datetime.datetime
    status: str
    label: str
    by: str


def status_history(letter: Letter) -> list[StatusChange]:
    """Each change of outreach status, oldest first, from the letter's audit history."""
    labels = dict(Letter.Outreach.choices)
    changes: list[StatusChange] = []
    previous = None
    for record in letter.history.select_related("history_user").order_by("history_date", "history_id"):
        if record.outreach_status == previous:
            continue
        previous = record.outreach_status
        user = record.history_user
        by = (user.get_full_name() or user.get_username()) if user else ""
        changes.append(StatusChange(record.history_date, previous, str(labels.get(previous, previous)), by))
    return changes


@dataclass(frozen=True)
class OutreachSummary:
    """What the public may know of a jurisdiction's letters: how many went out and what became of them."""

    sent: int
    answered: int
    no_answer: int
    awaiting: int


def outreach_summary(letters: LetterQuerySet) -> OutreachSummary:
    """Counts of sent letters by outcome (drafts are not counted: they are not outreach yet)."""
    counts = dict(letters.order_by().values_list("outreach_status").annotate(letters=Count("pk")))
    return OutreachSummary(
        sent=sum(counts.get(status, 0) for status in SENT_STATUSES),
        answered=counts.get(Letter.Outreach.ANSWERED, 0),
        no_answer=counts.get(Letter.Outreach.NO_ANSWER, 0),
        awaiting=counts.get(Letter.Outreach.SENT, 0),
    )


# --- the public record ---


@dataclass(frozen=True)
class PublicLetter:
    """What anyone may know of a letter that went out: its kind, its dates, the office's answer, and what followed."""

    public_id: str
    jurisdiction: str
    jurisdiction_name: str
    kind: str
    kind_label: str
    sent_on: datetime.date
    answered_on: datetime.date | None
    answer: str
    answer_attachment_url: str | None
    days_without_answer: int | None
    before_after: outcomes.BeforeAfter

    @property
    def figures(self) -> dict[str, Any]:
        """The before-and-after figures as the API gives them (what templates read)."""
        return outcomes.as_dict(self.before_after)


def public_letters(
    letters: LetterQuerySet | Jurisdiction | None = None, *, today: datetime.date | None = None
) -> list[PublicLetter]:
    """Letters sent (those given, those to a jurisdiction, or all), newest first, with their before and after."""
    today = today or timezone.localdate()
    if isinstance(letters, Jurisdiction):
        sent = Letter.objects.sent().filter(jurisdiction=letters)
    else:
        sent = (letters if letters is not None else Letter.objects.all()).sent()
    sent = sent.select_related("jurisdiction").order_by("-sent_on", "-pk")
    chosen = [letter for letter in sent if letter.sent_on is not None]
    if not chosen:
        return []
    codes = {letter.jurisdiction.code for letter in chosen}
    earliest = min(letter.sent_on for letter in chosen if letter.sent_on) - datetime.timedelta(
        days=outcomes.BEFORE_DAYS
    )
    rows_by_code: dict[str, list[dict[str, Any]]] = {code: [] for code in codes}
    for row in (
        Observation.objects.approved()
        .filter(venue__jurisdiction__code__in=codes, observed_on__gte=earliest, observed_on__lte=today)
        .values("venue_id", "sign_status", "observed_on", "created_at")
        .annotate(venue_type=F("venue__venue_type__slug"), code=F("venue__jurisdiction__code"))
    ):
        rows_by_code[row["code"]].append(dict(row))
    periods = {
        item.code: scoreboard.law_periods(list(item.laws.all()))
        for item in Jurisdiction.objects.with_current_law().filter(code__in=codes)
    }
    answer: list[PublicLetter] = []
    for letter in chosen:
        assert letter.sent_on is not None  # narrowed above, for the type checker
        code = letter.jurisdiction.code
        law = laws.law_in_force(periods.get(code, []), letter.sent_on)
        covered = (
            {item.venue_type for item in law.coverage if not item.condition}
            if law is not None and law.status == "mandatory"
            else None
        )
        answer.append(
            PublicLetter(
                public_id=str(letter.public_id),
                jurisdiction=code,
                jurisdiction_name=letter.jurisdiction.name,
                kind=letter.kind,
                kind_label=str(letter.get_kind_display()),
                sent_on=letter.sent_on,
                answered_on=letter.answered_on,
                answer=letter.official_response,
                answer_attachment_url=(
                    reverse("letter-answer", args=[letter.public_id]) if letter.answer_attachment else None
                ),
                days_without_answer=letter.days_without_answer(today),
                before_after=outcomes.compare(rows_by_code[code], sent_on=letter.sent_on, covered=covered, today=today),
            )
        )
    return answer
