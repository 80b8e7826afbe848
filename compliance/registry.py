"""The law registry as a published dataset: its rows, version and changelog (from the audit history), CSV and
JSON, loading it back, and corrections suggested from outside.

What a row says is read through `laws` (the printed citation, coverage, signs); this module only lays the rows out
and moves them in and out of the database.
"""

from __future__ import annotations

import csv
import datetime
import io
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from compliance import laws
from compliance.models import (
    CoveredVenueType,
    Jurisdiction,
    LawCorrection,
    LawSource,
    PostingLaw,
    SignRequirement,
    VenueType,
)

DATASET_NAME = "SignWatch posting-law registry"
# The fields of a law row published as they are stored (the rest are laid out below).
LAW_FIELDS = (
    "status",
    "confidence",
    "scope",
    "title",
    "citations",
    "session_law_citations",
    "enacted_year",
    "required_languages",
    "national_hotline_required",
    "text_line_required",
    "required_content",
    "size_and_font",
    "placement",
    "penalty",
    "penalty_amounts",
    "enforcing_agency",
    "notes",
)
DATE_FIELDS = ("effective_from", "effective_to", "last_verified")
SIGN_FIELDS = ("citation", "languages", "hotline_name", "hotline_number", "wording", "placement", "audience")


class DatasetRefused(Exception):
    """A dataset that cannot be loaded as given (not empty, malformed, or naming an unknown row)."""


def _iso(value: datetime.date | None) -> str | None:
    return value.isoformat() if value else None


def _decimal_text(value: Decimal | None) -> str | None:
    return f"{value:.2f}" if value is not None else None


def _laws() -> list[PostingLaw]:
    return list(
        PostingLaw.objects.select_related("jurisdiction")
        .prefetch_related(
            "sources", "coverage__venue_type", "sign_requirements__venue_types", "sign_requirements__law__jurisdiction"
        )
        .order_by("jurisdiction__code", "effective_from", "pk")
    )


def law_row(law: PostingLaw) -> dict[str, Any]:
    """One law as the dataset publishes it."""
    return {
        "jurisdiction": law.jurisdiction.code,
        "jurisdiction_name": law.jurisdiction.name,
        "kind": law.jurisdiction.kind,
        "verified": laws.is_verified(law),
        "citation": laws.citation_to_print(law),
        **{name: getattr(law, name) for name in LAW_FIELDS},
        **{name: _iso(getattr(law, name)) for name in DATE_FIELDS},
        "covered_venue_types": [
            {"slug": item.slug, "condition": item.condition, "confirmed": item.confirmed}
            for item in laws.covered_venue_types(law)
        ],
        "sign_requirements": [
            {
                **{name: getattr(requirement, name) for name in SIGN_FIELDS},
                "venue_types": sorted(venue_type.slug for venue_type in requirement.venue_types.all()),
                "min_width_in": _decimal_text(requirement.min_width_in),
                "min_height_in": _decimal_text(requirement.min_height_in),
                "min_font_pt": requirement.min_font_pt,
                "required_from": _iso(requirement.required_from),
            }
            for requirement in law.sign_requirements.all()
        ],
        "sources": [{"url": source.url, "title": source.title} for source in law.sources.all()],
    }


# --- version and changelog, from the audit history ---


def _history_records() -> list[Any]:
    """Every audited change to a law row or to what hangs off it, oldest first."""
    records: list[Any] = []
    for model in (PostingLaw, CoveredVenueType, LawSource, SignRequirement):
        records += list(model.history.all())  # type: ignore[attr-defined]
    return sorted(records, key=lambda record: (record.history_date, record.history_id))


def _law_codes() -> dict[int, str]:
    return dict(PostingLaw.objects.values_list("pk", "jurisdiction__code"))


def changelog() -> list[dict[str, Any]]:
    """The registry's versions, newest first: one per day on which a row changed, with what changed and why."""
    codes = _law_codes()
    days: dict[str, dict[tuple[str, str], set[str]]] = defaultdict(lambda: defaultdict(set))
    for record in _history_records():
        day = timezone.localdate(record.history_date).isoformat()
        law_id = record.id if isinstance(record.instance, PostingLaw) else record.law_id
        code = codes.get(law_id, "?")
        reason = record.history_change_reason or ("edited by staff" if record.history_user_id else "")
        what = {"+": "created", "-": "removed"}.get(record.history_type, "")
        if record.history_type == "~" and record.prev_record is not None:
            changed = record.diff_against(record.prev_record).changed_fields
            what = ", ".join(sorted(changed)) if changed else ""
        if not what:
            continue
        part = record.instance._meta.verbose_name
        days[day][(code, reason)].add(what if part == "posting law" else f"{part}: {what}")
    return [
        {
            "version": day,
            "changes": [
                {"jurisdiction": code, "reason": reason, "changed": sorted(changed)}
                for (code, reason), changed in sorted(entries.items())
            ],
        }
        for day, entries in sorted(days.items(), reverse=True)
    ]


def dataset(*, today: datetime.date | None = None) -> dict[str, Any]:
    """The whole registry: every jurisdiction's law rows, the venue types they name, the version and changelog."""
    log = changelog()
    return {
        "dataset": DATASET_NAME,
        "version": log[0]["version"] if log else "",
        "as_of": (today or timezone.localdate()).isoformat(),
        "jurisdictions": [
            {"code": code, "name": name, "fips": fips, "kind": kind}
            for code, name, fips, kind in Jurisdiction.objects.order_by("code").values_list(
                "code", "name", "fips", "kind"
            )
        ],
        "venue_types": list(VenueType.objects.order_by("slug").values("slug", "name", "name_es", "description")),
        "laws": [law_row(law) for law in _laws()],
        "changelog": log,
    }


CSV_COLUMNS = (
    "jurisdiction",
    "jurisdiction_name",
    "status",
    "confidence",
    "verified",
    "citation",
    "session_law_citations",
    "covered_venue_types",
    "effective_from",
    "last_verified",
    "penalty",
    "sources",
    "dataset_version",
    "as_of",
)


def as_csv(data: dict[str, Any]) -> str:
    """The dataset's law rows as CSV, one line per law; lists are joined with " | "."""
    output = io.StringIO()
    writer = csv.DictWriter(output, fieldnames=CSV_COLUMNS)
    writer.writeheader()
    for row in data["laws"]:
        coverage = [
            item["slug"]
            + (f" ({item['condition']})" if item["condition"] else "")
            + ("" if item["confirmed"] else " [secondary source only]")
            for item in row["covered_venue_types"]
        ]
        writer.writerow(
            {
                **{name: row[name] for name in CSV_COLUMNS if name in row},
                "session_law_citations": " | ".join(row["session_law_citations"]),
                "covered_venue_types": " | ".join(coverage),
                "sources": " | ".join(source["url"] for source in row["sources"]),
                "dataset_version": data["version"],
                "as_of": data["as_of"],
            }
        )
    return output.getvalue()


@transaction.atomic
def load_dataset(data: dict[str, Any]) -> int:
    """Load a published dataset into a database with no law rows; the number of law rows loaded."""
    if PostingLaw.objects.exists():
        raise DatasetRefused("the database already holds law rows")
    try:
        for row in data["jurisdictions"]:
            Jurisdiction.objects.update_or_create(code=row["code"], defaults=row)
        for row in data["venue_types"]:
            VenueType.objects.update_or_create(slug=row["slug"], defaults=row)
        jurisdictions = {j.code: j for j in Jurisdiction.objects.all()}
        venue_types = {v.slug: v for v in VenueType.objects.all()}
        for row in data["laws"]:
            law = PostingLaw(
                jurisdiction=jurisdictions[row["jurisdiction"]],
                **{name: row[name] for name in LAW_FIELDS},
                **{name: datetime.date.fromisoformat(row[name]) if row[name] else None for name in DATE_FIELDS},
            )
            law._change_reason = f"loaded from {DATASET_NAME} version {data['version']}"  # type: ignore[attr-defined]
            law.save()
            for item in row["covered_venue_types"]:
                CoveredVenueType.objects.create(
                    law=law,
                    venue_type=venue_types[item["slug"]],
                    condition=item["condition"],
                    confirmed=item["confirmed"],
                )
            for source in row["sources"]:
                LawSource.objects.create(law=law, url=source["url"], title=source["title"])
            for sign in row["sign_requirements"]:
                requirement = SignRequirement.objects.create(
                    law=law,
                    **{name: sign[name] for name in SIGN_FIELDS},
                    min_width_in=Decimal(sign["min_width_in"]) if sign["min_width_in"] else None,
                    min_height_in=Decimal(sign["min_height_in"]) if sign["min_height_in"] else None,
                    min_font_pt=sign["min_font_pt"],
                    required_from=datetime.date.fromisoformat(sign["required_from"]) if sign["required_from"] else None,
                )
                requirement.venue_types.set([venue_types[slug] for slug in sign["venue_types"]])
    except (KeyError, TypeError, ValueError) as error:
        raise DatasetRefused(f"not a {DATASET_NAME} file: {error}") from error
    return len(data["laws"])


# --- corrections suggested from outside ---


@transaction.atomic
def accept_correction(*, correction: LawCorrection, by: Any) -> PostingLaw | None:
    """Accept a suggested correction: its source joins the law row, which is saved with a change reason crediting
    the suggestion (so the row's history says who suggested what, and who accepted it). Staff then edit the facts."""
    law = correction.jurisdiction.current_law()
    if law is not None:
        credit = f" (credited to {correction.credit_as})" if correction.credit_as else ""
        reason = f"suggested correction #{correction.pk} accepted{credit}"
        if not law.sources.filter(url=correction.source_url).exists():
            source = LawSource(
                law=law, url=correction.source_url, title=f"Suggested correction #{correction.pk}{credit}"
            )
            source._change_reason = reason  # type: ignore[attr-defined]
            source._history_user = by  # type: ignore[attr-defined]
            source.save()
        law.notes = f"{law.notes}\nSuggested correction #{correction.pk}{credit}: {correction.correction}".strip()
        law.last_verified = timezone.localdate()
        law._change_reason = reason  # type: ignore[attr-defined]
        law._history_user = by  # type: ignore[attr-defined]
        law.save()
    correction.status = LawCorrection.Status.ACCEPTED
    correction.decided_by = by
    correction.decided_at = timezone.now()
    correction.save(update_fields=["status", "decided_by", "decided_at"])
    return law


@transaction.atomic
def decline_correction(*, correction: LawCorrection, by: Any, note: str = "") -> None:
    """Decline a suggested correction, keeping it in the queue's record."""
    correction.status = LawCorrection.Status.DECLINED
    correction.decided_by = by
    correction.decided_at = timezone.now()
    correction.staff_note = note or correction.staff_note
    correction.save(update_fields=["status", "decided_by", "decided_at", "staff_note"])
