"""Load the reference data shipped in compliance/data/ into the database, idempotently.

Rows a person has edited in the admin (their audit history names a user) are kept as they are: the shipped data
is research to start from, and staff corrections with a source win over it.
"""

from __future__ import annotations

import csv
import datetime
import json
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import models, transaction

from compliance import registry  # the fields a published law row carries, listed once
from compliance.models import (
    AGOffice,
    CoveredVenueType,
    Jurisdiction,
    LawSource,
    PostingLaw,
    SignRequirement,
    VenueType,
)

DATA_DIR = Path(__file__).resolve().parent / "data"
CHANGE_REASON = "load_reference_data"


@dataclass
class LoadSummary:
    """What a load did, counted by kind of row."""

    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    kept_staff_edits: list[str] = field(default_factory=list)

    def count(self, outcome: str, kind: str) -> None:
        bucket = self.created if outcome == "created" else self.updated
        bucket[kind] = bucket.get(kind, 0) + 1

    def __str__(self) -> str:
        def describe(counts: dict[str, int]) -> str:
            return ", ".join(f"{n} {kind}" for kind, n in sorted(counts.items())) or "nothing"

        kept = f"; kept staff edits of {', '.join(self.kept_staff_edits)}" if self.kept_staff_edits else ""
        return f"Reference data: created {describe(self.created)}; updated {describe(self.updated)}{kept}."


def _sync(instance: models.Model, values: dict[str, Any]) -> bool:
    """Set the values on the instance; true when anything differed."""
    changed = False
    for name, value in values.items():
        if getattr(instance, name) != value:
            setattr(instance, name, value)
            changed = True
    return changed


def _upsert(
    model: type[models.Model],
    lookup: dict[str, Any],
    values: dict[str, Any],
    summary: LoadSummary,
    reason: str = CHANGE_REASON,
) -> Any:
    """Create the row, or update it when its values differ; saving only on a change keeps the history quiet."""
    instance = model.objects.filter(**lookup).first()
    if instance is None:
        instance = model(**lookup, **values)
        instance._change_reason = reason  # type: ignore[attr-defined]
        instance.save()
        summary.count("created", model._meta.verbose_name_plural)
    elif _sync(instance, values):
        instance._change_reason = reason  # type: ignore[attr-defined]
        instance.save()
        summary.count("updated", model._meta.verbose_name_plural)
    return instance


def _edited_by_staff(instance: models.Model) -> bool:
    """Whether a person (not this loader) has ever saved the row, judged by its audit history."""
    return instance.history.exclude(history_user=None).exists()  # type: ignore[attr-defined]


def _law_edited_by_staff(law: PostingLaw) -> bool:
    return (
        _edited_by_staff(law)
        or CoveredVenueType.history.filter(law_id=law.pk).exclude(history_user=None).exists()
        or LawSource.history.filter(law_id=law.pk).exclude(history_user=None).exists()
        or SignRequirement.history.filter(law_id=law.pk).exclude(history_user=None).exists()
    )


def _corrected(row: dict[str, Any], corrections: list[dict[str, Any]]) -> tuple[dict[str, Any], list[str]]:
    """The shipped row with the shipped corrections that name it applied, and the ids of those corrections.

    A correction is a sourced edit: it sets fields, adds or changes coverage and signs, and adds its sources, so
    the row's history records it (with the correction's id as the reason) the first time a load applies it.
    """
    row = {**row, "sources": list(row["sources"]), "covered_venue_types": list(row["covered_venue_types"])}
    applied = []
    for correction in corrections:
        if row["key"] not in correction.get("jurisdictions", [correction.get("jurisdiction")]):
            continue
        applied.append(correction["id"])
        row.update(correction.get("set", {}))
        changed = {item["slug"]: item for item in correction.get("set_coverage", [])}
        row["covered_venue_types"] = [changed.pop(item["slug"], item) for item in row["covered_venue_types"]]
        row["covered_venue_types"] += [*changed.values(), *correction.get("add_coverage", [])]
        row["sign_requirements"] = [*row.get("sign_requirements", []), *correction.get("add_sign_requirements", [])]
        known = {source["url"] for source in row["sources"]}
        row["sources"] += [source for source in correction.get("sources", []) if source["url"] not in known]
        if correction.get("append_notes"):
            row["notes"] = f"{row['notes']}\n{correction['append_notes']}".strip()
    return row, applied


def _sync_sign_requirements(
    law: PostingLaw, rows: list[dict[str, Any]], venue_types: dict[str, VenueType], summary: LoadSummary, reason: str
) -> None:
    """Make the law's venue-specific signs exactly the given ones, keyed by the section that prescribes each."""
    keep = []
    for row in rows:
        values = {name: value for name, value in row.items() if name not in ("citation", "venue_types")}
        values["min_width_in"] = Decimal(values["min_width_in"]) if values.get("min_width_in") else None
        values["min_height_in"] = Decimal(values["min_height_in"]) if values.get("min_height_in") else None
        values["required_from"] = _date(values.get("required_from"))
        requirement = _upsert(SignRequirement, {"law": law, "citation": row["citation"]}, values, summary, reason)
        requirement.venue_types.set([venue_types[slug] for slug in row["venue_types"]])
        keep.append(requirement.pk)
    for stale in SignRequirement.objects.filter(law=law).exclude(pk__in=keep):
        stale._change_reason = reason  # type: ignore[attr-defined]
        stale.delete()
        summary.count("updated", SignRequirement._meta.verbose_name_plural)


def _date(value: str | None) -> datetime.date | None:
    return datetime.date.fromisoformat(value) if value else None


def _read_json(name: str, data_dir: Path) -> list[dict[str, Any]]:
    return json.loads((data_dir / name).read_text(encoding="utf-8"))


def _load_jurisdictions(data_dir: Path, summary: LoadSummary) -> dict[str, Jurisdiction]:
    with (data_dir / "jurisdictions.csv").open(encoding="utf-8", newline="") as rows:
        for row in csv.DictReader(rows):
            _upsert(Jurisdiction, {"code": row["code"]}, {k: row[k] for k in ("name", "fips", "kind")}, summary)
    return {j.code: j for j in Jurisdiction.objects.all()}


def _load_venue_types(data_dir: Path, summary: LoadSummary) -> dict[str, VenueType]:
    for row in _read_json("venue_types.json", data_dir):
        values = {"name": row["name"], "name_es": row["name_es"], "description": row["description"]}
        _upsert(VenueType, {"slug": row["slug"]}, values, summary)
    return {v.slug: v for v in VenueType.objects.all()}


def _sync_children(
    model: type[models.Model],
    parent: dict[str, Any],
    key: str,
    rows: list[dict[str, Any]],
    summary: LoadSummary,
    reason: str = CHANGE_REASON,
) -> None:
    """Make a law's child rows (coverage, sources) exactly the given ones: upsert each, delete the rest."""
    keep = []
    for row in rows:
        values = {name: value for name, value in row.items() if name != key}
        keep.append(_upsert(model, {**parent, key: row[key]}, values, summary, reason).pk)
    for stale in model.objects.filter(**parent).exclude(pk__in=keep):
        stale._change_reason = reason  # type: ignore[attr-defined]
        stale.delete()
        summary.count("updated", model._meta.verbose_name_plural)


def _load_laws(
    data_dir: Path, jurisdictions: dict[str, Jurisdiction], venue_types: dict[str, VenueType], summary: LoadSummary
) -> None:
    corrections = _read_json("law_corrections.json", data_dir) if (data_dir / "law_corrections.json").exists() else []
    for shipped in _read_json("posting_laws.json", data_dir):
        row, applied = _corrected(shipped, corrections)
        reason = f"{CHANGE_REASON}; corrections {', '.join(applied)}" if applied else CHANGE_REASON
        existing = PostingLaw.objects.filter(reference_key=row["key"]).first()
        if existing and _law_edited_by_staff(existing):
            summary.kept_staff_edits.append(f"the {row['jurisdiction']} law")
            continue
        values = {
            "jurisdiction": jurisdictions[row["jurisdiction"]],
            "effective_from": _date(row["effective_from"]),
            "effective_to": _date(row["effective_to"]),
            "last_verified": _date(row["last_verified"]),
            **{name: row[name] for name in registry.LAW_FIELDS},
        }
        law = _upsert(PostingLaw, {"reference_key": row["key"]}, values, summary, reason)
        coverage = [
            {
                "venue_type": venue_types[covered["slug"]],
                "condition": covered["condition"],
                "confirmed": covered.get("confirmed", True),
            }
            for covered in row["covered_venue_types"]
        ]
        _sync_children(CoveredVenueType, {"law": law}, "venue_type", coverage, summary, reason)
        _sync_children(LawSource, {"law": law}, "url", row["sources"], summary, reason)
        _sync_sign_requirements(law, row.get("sign_requirements", []), venue_types, summary, reason)


def _load_ag_offices(data_dir: Path, jurisdictions: dict[str, Jurisdiction], summary: LoadSummary) -> None:
    for row in _read_json("ag_offices.json", data_dir):
        jurisdiction = jurisdictions[row["jurisdiction"]]
        existing = AGOffice.objects.filter(jurisdiction=jurisdiction).first()
        if existing and _edited_by_staff(existing):
            summary.kept_staff_edits.append(f"the {jurisdiction.code} AG office")
            continue
        values = {name: value for name, value in row.items() if name != "jurisdiction"}
        _upsert(AGOffice, {"jurisdiction": jurisdiction}, values, summary)


@transaction.atomic
def load(*, data_dir: Path = DATA_DIR) -> LoadSummary:
    """Bring jurisdictions, venue types, posting laws and AG offices in line with the shipped files."""
    summary = LoadSummary()
    jurisdictions = _load_jurisdictions(data_dir, summary)
    venue_types = _load_venue_types(data_dir, summary)
    _load_laws(data_dir, jurisdictions, venue_types, summary)
    _load_ag_offices(data_dir, jurisdictions, summary)
    return summary
