"""Atom feeds for the nation and per jurisdiction: approved reports at venue level, letters and answers, law changes.

What a feed says is what the public pages say, no more: a report is named by its venue (type, state, the sign's
status) and dated to the day it was published, never by who sent it, where they stood or when they were there. A
letter is named by its kind and its dates; its text stays with the advocates and the AG office.
"""

from __future__ import annotations

import dataclasses
import datetime
from typing import Any

from django.contrib.syndication.views import Feed
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from compliance import laws
from compliance.models import Jurisdiction, Letter, Observation, PostingLaw, SignStatus

ENTRIES_PER_KIND = 50  # the newest of each kind (so a burst of one kind hides no other); readers poll, not page
CACHE_SECONDS = 300


@dataclasses.dataclass(frozen=True)
class Entry:
    """One thing that happened, as a feed shows it."""

    guid: str
    title: str
    description: str
    link: str
    day: datetime.date
    category: str

    @property
    def published(self) -> datetime.datetime:
        # The day only, on purpose: a report's time of publication follows the volunteer's visit closely.
        return datetime.datetime.combine(self.day, datetime.time.min, tzinfo=datetime.UTC)


def _report_entries(jurisdiction: Jurisdiction | None) -> list[Entry]:
    reports = Observation.objects.approved().filter(is_demo=False, venue__is_demo=False, published_at__isnull=False)
    if jurisdiction is not None:
        reports = reports.filter(venue__jurisdiction=jurisdiction)
    titles = {
        SignStatus.POSTED: _("Hotline sign posted at a %(venue_type)s in %(state)s"),
        SignStatus.DEFICIENT: _("Hotline sign deficient at a %(venue_type)s in %(state)s"),
        SignStatus.MISSING: _("No hotline sign at a %(venue_type)s in %(state)s"),
    }
    entries = []
    rows = reports.order_by("-published_at", "-pk").values(
        "public_id",
        "sign_status",
        "observed_on",
        "published_at",
        "venue__public_id",
        "venue__venue_type__name",
        "venue__jurisdiction__name",
    )[:ENTRIES_PER_KIND]
    for row in rows:
        place = {"venue_type": row["venue__venue_type__name"].lower(), "state": row["venue__jurisdiction__name"]}
        entries.append(
            Entry(
                guid=f"signwatch:report:{row['public_id']}",
                title=titles[row["sign_status"]] % place,
                description=_("Seen on %(day)s, checked by a moderator.") % {"day": row["observed_on"].isoformat()},
                link=reverse("venue", args=[row["venue__public_id"]]),
                day=timezone.localdate(row["published_at"]),
                category="report",
            )
        )
    return entries


def _letter_entries(jurisdiction: Jurisdiction | None) -> list[Entry]:
    letters = Letter.objects.filter(sent_on__isnull=False).select_related("jurisdiction")
    if jurisdiction is not None:
        letters = letters.filter(jurisdiction=jurisdiction)
    entries = []
    for letter in letters.order_by("-sent_on", "-pk")[:ENTRIES_PER_KIND]:
        assert letter.sent_on is not None  # filtered above; narrows the type
        state = letter.jurisdiction.name
        link = reverse("jurisdiction", args=[letter.jurisdiction.code])
        entries.append(
            Entry(
                guid=f"signwatch:letter:{letter.public_id}:sent",
                title=_("Letter sent to the %(state)s Attorney General: %(kind)s")
                % {"state": state, "kind": letter.get_kind_display().lower()},
                description=_("Sent on %(day)s.") % {"day": letter.sent_on.isoformat()},
                link=link,
                day=letter.sent_on,
                category="letter",
            )
        )
        if letter.answered_on:
            entries.append(
                Entry(
                    guid=f"signwatch:letter:{letter.public_id}:answered",
                    title=_("The %(state)s Attorney General answered a letter") % {"state": state},
                    description=_("Letter sent on %(sent)s, answered on %(answered)s.")
                    % {"sent": letter.sent_on.isoformat(), "answered": letter.answered_on.isoformat()},
                    link=link,
                    day=letter.answered_on,
                    category="answer",
                )
            )
    return entries


def _law_entries(jurisdiction: Jurisdiction | None) -> list[Entry]:
    changes = PostingLaw.history.select_related("jurisdiction").order_by("-history_date", "-history_id")
    if jurisdiction is not None:
        changes = changes.filter(jurisdiction_id=jurisdiction.pk)
    status_labels = dict(PostingLaw.Status.choices)
    entries = []
    for change in changes[:ENTRIES_PER_KIND]:
        state = change.jurisdiction.name
        verb = {"+": _("added"), "~": _("updated"), "-": _("removed")}.get(change.history_type, _("updated"))
        details = [_("Status: %(status)s.") % {"status": status_labels.get(change.status, change.status)}]
        if laws.may_cite_as_fact(change):  # the row's citable strings only, never a research note
            details.append(_("Citation: %(citation)s.") % {"citation": laws.citation_to_print(change)})
        if change.history_change_reason:
            details.append(str(change.history_change_reason))
        entries.append(
            Entry(
                guid=f"signwatch:law:{change.history_id}",
                title=_("Posting law record %(verb)s for %(state)s") % {"verb": verb, "state": state},
                description=" ".join(details),
                link=reverse("jurisdiction", args=[change.jurisdiction.code]),
                day=timezone.localdate(change.history_date),
                category="law",
            )
        )
    return entries


class ActivityFeed(Feed):
    """Newest reports, letters, answers and law changes, for the nation or for one jurisdiction."""

    feed_type = Atom1Feed

    def get_object(self, request: HttpRequest, code: str | None = None) -> Jurisdiction | None:  # type: ignore[override]
        return get_object_or_404(Jurisdiction, code=code.upper()) if code else None

    def title(self, jurisdiction: Jurisdiction | None) -> str:
        if jurisdiction is None:
            return _("SignWatch: hotline sign reports, letters and law changes")
        return _("SignWatch: %(state)s") % {"state": jurisdiction.name}

    def subtitle(self, jurisdiction: Jurisdiction | None) -> str:
        return _(
            "Reports checked by moderators, letters to Attorneys General and their answers, and changes to the "
            "posting-law registry."
        )

    def link(self, jurisdiction: Jurisdiction | None) -> str:
        return reverse("jurisdiction", args=[jurisdiction.code]) if jurisdiction else reverse("map")

    def feed_url(self, jurisdiction: Jurisdiction | None) -> str:
        return reverse("feed-jurisdiction", args=[jurisdiction.code]) if jurisdiction else reverse("feed-all")

    def items(self, jurisdiction: Jurisdiction | None) -> list[Entry]:
        entries = [
            *_report_entries(jurisdiction),
            *_letter_entries(jurisdiction),
            *_law_entries(jurisdiction),
        ]
        entries.sort(key=lambda entry: (entry.day, entry.guid), reverse=True)
        return entries

    def item_title(self, entry: Entry) -> str:
        return entry.title

    def item_description(self, entry: Entry) -> str:
        return entry.description

    def item_link(self, entry: Entry) -> str:
        return entry.link

    def item_guid(self, entry: Entry) -> str:
        return entry.guid

    item_guid_is_permalink = False

    def item_pubdate(self, entry: Entry) -> datetime.datetime:
        return entry.published

    def item_updateddate(self, entry: Entry) -> datetime.datetime:
        return entry.published

    def item_categories(self, entry: Entry) -> list[str]:
        return [entry.category]

    def __call__(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = super().__call__(request, *args, **kwargs)
        response["Cache-Control"] = f"public, max-age={CACHE_SECONDS}"
        return response


activity_feed = ActivityFeed()
