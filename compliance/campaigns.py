"""Public campaigns ("tell your Attorney General"): supporters confirmed by email, and the letter they send.

A supporter counts once their address is confirmed, and once per campaign whatever the spelling of the address. The
confirmation link is signed, expires (CAMPAIGN_CONFIRMATION_MAX_AGE) and is good once: it carries a nonce stored on
the supporter, cleared when used and replaced when a new link is sent. A sign-up never tells the caller whether the
address already supports the campaign (that would reveal who supports it): the answer is the same either way.

At each milestone (a number of confirmed supporters) and at the end, the campaign's letter is written and recorded
as a `Letter` of kind "campaign", so the tracker, the office's answer and the before/after figures follow it as
for any letter. The letter counts supporters by ZIP area (three digits, never the full code) and names only those
who opted in; the AG office and advocates see the full list (`supporter_rows`).
"""

from __future__ import annotations

import datetime
import re
import secrets
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from compliance import letters, roles
from compliance.i18n import in_english
from compliance.models import AGPublicityRecord, Campaign, CampaignLetter, Jurisdiction, Letter, Supporter
from compliance.reports import safe_cell

CONFIRMATION_SALT = "signwatch.campaign-confirmation"
DEFAULT_MILESTONES = (100, 500, 1000, 5000)
MAX_DAYS = 366
# Control characters have no place in a name or a personal line (some break CSV readers, letters or mail).
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_ZIP_CODE = re.compile(r"^\s*(\d{5})(?:-\d{4})?\s*$")


def plain_text(value: str) -> str:
    """A supporter's text as stored: control characters removed, outer spaces trimmed."""
    return _CONTROL_CHARACTERS.sub("", value).strip()


def supporter_name(value: str) -> str:
    """A supporter's name as stored: plain text, each run of spaces made one (empty if nothing is left)."""
    return " ".join(plain_text(value).split())


def five_digit_zip(value: str) -> str | None:
    """The five digits of a ZIP or ZIP+4 code (the letter counts by their first three), None if it is neither."""
    match = _ZIP_CODE.match(value)
    return match.group(1) if match else None


class CampaignRefused(Exception):
    """A campaign that cannot be opened as asked, with the code and the field at fault."""

    def __init__(self, *, code: str, detail: str, field: str | None = None) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail
        self.field = field


class SupportRefused(Exception):
    """A sign-up the campaign does not take (`campaign_closed`)."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail


class ConfirmationRefused(Exception):
    """A confirmation link that does not confirm: `invalid`, `expired`, `used` or `closed`."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail


# --- who may do what ---


def may_open(user: Any) -> bool:
    """Advocates (and superusers) open campaigns."""
    return roles.is_advocate(user)


def may_see_supporters(user: Any, campaign: Campaign) -> bool:
    """The supporter list: advocates and the campaign's target AG office only (not moderators, not other offices)."""
    return roles.is_advocate(user) or roles.ag_office_jurisdiction(user) == campaign.jurisdiction.code


# --- opening ---


@transaction.atomic
def open_campaign(
    *,
    jurisdiction: Jurisdiction,
    ask: str,
    opened_by: Any,
    ends_on: datetime.date,
    starts_on: datetime.date | None = None,
    milestones: list[int] | None = None,
    today: datetime.date | None = None,
) -> Campaign:
    """Open a campaign on a jurisdiction's AG office; one campaign at a time per jurisdiction."""
    today = today or timezone.localdate()
    starts_on = starts_on or today
    office = getattr(jurisdiction, "ag_office", None)
    if office is None:
        raise CampaignRefused(
            code="no_ag_office",
            field="jurisdiction",
            detail=_("We have no Attorney General address for %(name)s yet.") % {"name": jurisdiction.name},
        )
    if starts_on < today:
        raise CampaignRefused(code="past_date", field="starts_on", detail=_("A campaign cannot start in the past."))
    if ends_on < starts_on:
        raise CampaignRefused(code="invalid", field="ends_on", detail=_("A campaign cannot end before it starts."))
    if (ends_on - starts_on).days > MAX_DAYS:
        raise CampaignRefused(code="invalid", field="ends_on", detail=_("A campaign may run for a year at most."))
    steps = sorted(set(DEFAULT_MILESTONES if milestones is None else milestones))
    if any(step < 1 for step in steps):
        raise CampaignRefused(
            code="invalid", field="milestones", detail=_("Milestones are numbers of supporters, 1 or more.")
        )
    # Locks the jurisdiction row, so two advocates opening at once cannot both pass the overlap check.
    Jurisdiction.objects.select_for_update().get(pk=jurisdiction.pk)
    if Campaign.objects.filter(jurisdiction=jurisdiction, starts_on__lte=ends_on, ends_on__gte=starts_on).exists():
        raise CampaignRefused(
            code="campaign_exists",
            field="jurisdiction",
            detail=_("%(name)s already has a campaign in these dates.") % {"name": jurisdiction.name},
        )
    return Campaign.objects.create(
        jurisdiction=jurisdiction,
        ag_office=office,
        ask=ask.strip(),
        starts_on=starts_on,
        ends_on=ends_on,
        milestones=steps,
        opened_by=opened_by,
    )


# --- supporters ---


def confirmation_token(supporter: Supporter) -> str:
    """The signed, timestamped token of the supporter's latest confirmation link (it names no address)."""
    return signing.dumps({"s": supporter.pk, "n": supporter.confirmation_nonce}, salt=CONFIRMATION_SALT)


@transaction.atomic
def sign_up(
    *,
    campaign: Campaign,
    name: str,
    email: str,
    zip_code: str,
    personal_line: str = "",
    consent_to_contact: bool = False,
    public_name: bool = False,
    language: str = "en",
) -> Supporter | None:
    """Record a sign-up and send it a confirmation link; None (and nothing sent) if the address already confirmed.

    A repeated sign-up before confirming replaces the details and sends a new link (the earlier one stops working).
    """
    from compliance import tasks

    key = Supporter.normalise_email(email)
    details = {
        "name": supporter_name(name),
        "email": email.strip(),
        "zip_code": zip_code,
        "personal_line": plain_text(personal_line),
        "consent_to_contact": consent_to_contact,
        "public_name": public_name,
        "language": language,
        "confirmation_nonce": secrets.token_hex(16),
    }
    supporter = Supporter.objects.select_for_update().filter(campaign=campaign, email_key=key).first()
    if supporter is not None and supporter.confirmed_at is not None:
        return None
    if supporter is None:
        try:
            with transaction.atomic():
                supporter = Supporter.objects.create(campaign=campaign, email_key=key, **details)
        except IntegrityError:  # the same address signed up at the same moment: the other request sends the link
            return None
    else:
        for field, value in details.items():
            setattr(supporter, field, value)
        supporter.save()
    supporter_id = supporter.pk
    transaction.on_commit(lambda: tasks.send_campaign_confirmation.enqueue(supporter_id))
    return supporter


def support(
    campaign: Campaign,
    *,
    name: str,
    email: str,
    zip_code: str,
    personal_line: str,
    consent_to_contact: bool,
    public_name: bool,
    honeypot: str,
) -> None:
    """Take a sign-up from the page or the API, in the active language; raises SupportRefused once it has closed.

    A filled-in honeypot (a field people never see) is a bot: it records and sends nothing, and its caller answers it
    exactly as any sign-up, as it answers an address that already supports the campaign.
    """
    if not campaign.is_open():
        raise SupportRefused("campaign_closed", _("This campaign has closed."))
    if honeypot:
        return
    sign_up(
        campaign=campaign,
        name=name,
        email=email,
        zip_code=zip_code,
        personal_line=personal_line,
        consent_to_contact=consent_to_contact,
        public_name=public_name,
        language=translation.get_language() or "en",
    )


@transaction.atomic
def confirm(token: str, *, today: datetime.date | None = None) -> Supporter:
    """Count the supporter a confirmation link names, once; raises ConfirmationRefused otherwise."""
    try:
        value = signing.loads(token, salt=CONFIRMATION_SALT, max_age=settings.CAMPAIGN_CONFIRMATION_MAX_AGE)
    except signing.SignatureExpired:
        raise ConfirmationRefused("expired", _("This link has expired: sign up again to get a new one.")) from None
    except signing.BadSignature:
        raise ConfirmationRefused("invalid", _("This link is not one we sent, or it was cut short.")) from None
    supporter_id = value.get("s") if isinstance(value, dict) else None
    supporter = (
        Supporter.objects.select_for_update().select_related("campaign__jurisdiction").filter(pk=supporter_id).first()
        if isinstance(supporter_id, int)
        else None
    )
    if supporter is None:
        raise ConfirmationRefused("invalid", _("This link is not one we sent, or it was cut short."))
    if supporter.confirmed_at is not None:
        raise ConfirmationRefused("used", _("This link was already used: your support is counted once."))
    if not supporter.confirmation_nonce or supporter.confirmation_nonce != value.get("n"):
        raise ConfirmationRefused("invalid", _("A newer link was sent to this address: use the latest one."))
    if not supporter.campaign.is_open(today):
        raise ConfirmationRefused("closed", _("This campaign has closed."))
    supporter.confirmed_at = timezone.now()
    supporter.confirmation_nonce = ""
    supporter.save(update_fields=["confirmed_at", "confirmation_nonce"])
    campaign = supporter.campaign
    transaction.on_commit(lambda: deliver_due_milestone(campaign))
    return supporter


# --- what the public sees ---


@dataclass(frozen=True)
class AreaCount:
    """Confirmed supporters in one ZIP area (the first three digits of their ZIP code)."""

    zip_area: str
    supporters: int


def supporters_by_area(campaign: Campaign) -> list[AreaCount]:
    """Confirmed supporters by ZIP area, the most first."""
    counts = Counter(code[:3] for code in campaign.confirmed_supporters().values_list("zip_code", flat=True))
    return [AreaCount(area, count) for area, count in sorted(counts.items(), key=lambda item: (-item[1], item[0]))]


def public_names(campaign: Campaign) -> list[str]:
    """Names of confirmed supporters who chose to be named, in the order they confirmed."""
    return list(
        campaign.confirmed_supporters()
        .filter(public_name=True)
        .order_by("confirmed_at", "pk")
        .values_list("name", flat=True)
    )


def next_milestone(campaign: Campaign, supporters: int) -> int | None:
    """The first milestone not reached yet, if any."""
    return next((step for step in campaign.milestones if step > supporters), None)


def public_figures(campaign: Campaign) -> dict[str, Any]:
    """What anyone may know of a campaign: its ask, dates, target, confirmed supporters and opted-in names."""
    supporters = campaign.confirmed_supporters().count()
    return {
        "jurisdiction": campaign.jurisdiction.code,
        "jurisdiction_name": campaign.jurisdiction.name,
        "target": campaign.ag_office.office_name,
        "ask": campaign.ask,
        "starts_on": campaign.starts_on,
        "ends_on": campaign.ends_on,
        "is_open": campaign.is_open(),
        "supporters": supporters,
        "milestones": campaign.milestones,
        "next_milestone": next_milestone(campaign, supporters),
        "public_names": public_names(campaign),
        "letters": [
            {"letter": str(item.letter.public_id), "milestone": item.milestone, "supporters": item.supporters}
            for item in campaign.campaign_letters.select_related("letter")
        ],
    }


def publicity_record(jurisdiction: Jurisdiction) -> AGPublicityRecord | None:
    """The AG office's own hotline record for a jurisdiction, if staff have checked it."""
    return AGPublicityRecord.objects.filter(jurisdiction=jurisdiction).first()


def open_campaigns_by_code(today: datetime.date | None = None) -> dict[str, dict[str, Any]]:
    """Each jurisdiction's open campaign as the map's state panel shows it: its page and confirmed supporters."""
    open_now = (
        Campaign.objects.open_on(today or timezone.localdate())
        .annotate(confirmed=Count("supporters", filter=Q(supporters__confirmed_at__isnull=False)))
        .values_list("jurisdiction__code", "confirmed")
        .order_by("starts_on")
    )
    return {code: {"supporters": confirmed, "url": reverse("campaign", args=[code])} for code, confirmed in open_now}


def page_context(jurisdiction: Jurisdiction) -> dict[str, Any]:
    """What a state page shows of campaigns: the current one with its figures, and the AG office's own record."""
    campaign = Campaign.objects.current_for(jurisdiction.code)
    return {
        "campaign": campaign,
        "campaign_figures": public_figures(campaign) if campaign else None,
        "ag_record": publicity_record(jurisdiction),
    }


# --- the supporter list (advocates and the target office) ---

SUPPORTER_COLUMNS = [
    "name",
    "email",
    "zip_code",
    "personal_line",
    "consent_to_contact",
    "public_name",
    "confirmed_at",
]


def supporter_rows(campaign: Campaign) -> Iterator[list[str]]:
    """The confirmed supporters as CSV rows, header first, every cell formula-safe."""
    yield SUPPORTER_COLUMNS
    for supporter in campaign.confirmed_supporters().order_by("confirmed_at", "pk"):
        yield [
            safe_cell(value)
            for value in (
                supporter.name,
                supporter.email if supporter.consent_to_contact else "",
                supporter.zip_code,
                supporter.personal_line,
                supporter.consent_to_contact,
                supporter.public_name,
                supporter.confirmed_at.isoformat() if supporter.confirmed_at else None,
            )
        ]


# --- delivery: the campaign's letter ---


def reached_milestone(campaign: Campaign, supporters: int) -> int | None:
    """The highest milestone reached that has no letter yet (a letter for it says all the earlier ones did not)."""
    delivered = set(campaign.campaign_letters.values_list("milestone", flat=True))
    reached = [step for step in campaign.milestones if step <= supporters and step not in delivered]
    if not reached or any(step is not None and step >= max(reached) for step in delivered):
        return None
    return max(reached)


@in_english
@transaction.atomic
def write_letter(campaign: Campaign, *, milestone: int | None, today: datetime.date | None = None) -> CampaignLetter:
    """Write the campaign's letter (at a milestone, or at the end with None) and record it in the letter tracker."""
    today = today or timezone.localdate()
    jurisdiction = Jurisdiction.objects.with_current_law().get(pk=campaign.jurisdiction_id)
    report_url = settings.SITE_URL + letters.report_path(jurisdiction.code)
    figures = letters.quoted_figures(
        jurisdiction, kind=Letter.Kind.CAMPAIGN, today=today, report_url=report_url, author=campaign.opened_by
    )
    supporters = campaign.confirmed_supporters().count()
    figures["campaign"] = {
        "public_id": str(campaign.public_id),
        "ask": campaign.ask,
        "starts_on": campaign.starts_on.isoformat(),
        "ends_on": campaign.ends_on.isoformat(),
        "milestone": milestone,
        "supporters": supporters,
        "by_area": [
            {"zip_area": item.zip_area, "supporters": item.supporters} for item in supporters_by_area(campaign)
        ],
        "names": public_names(campaign),
    }
    subject, body = letters.render_text(Letter.Kind.CAMPAIGN, jurisdiction_name=jurisdiction.name, figures=figures)
    law = figures["law"]
    letter = Letter(
        jurisdiction=jurisdiction,
        kind=Letter.Kind.CAMPAIGN,
        author=campaign.opened_by,
        recipient=campaign.ag_office.mailing_address,
        subject=subject,
        body=body,
        figures=figures,
        citation_verified=bool(law and law["verified"] and law["citation"]),
    )
    letter._history_user = campaign.opened_by  # type: ignore[attr-defined]
    letter.save()
    return CampaignLetter.objects.create(campaign=campaign, letter=letter, milestone=milestone, supporters=supporters)


def deliver_due_milestone(campaign: Campaign) -> CampaignLetter | None:
    """After a confirmation: write the letter of a milestone just reached, if any."""
    step = reached_milestone(campaign, campaign.confirmed_supporters().count())
    if step is None:
        return None
    try:
        return write_letter(campaign, milestone=step)
    except IntegrityError:  # another confirmation wrote this milestone's letter at the same moment
        return None


def deliver_ended(today: datetime.date | None = None) -> list[CampaignLetter]:
    """Write the final letter of every campaign that has ended without one (run daily: `deliver_campaigns`)."""
    today = today or timezone.localdate()
    finished = CampaignLetter.objects.filter(milestone__isnull=True).values("campaign")
    ended = Campaign.objects.filter(ends_on__lt=today).exclude(pk__in=finished)
    return [write_letter(campaign, milestone=None, today=today) for campaign in ended.select_related("ag_office")]
