"""The law registry published: a sortable, filterable table of every jurisdiction's law, the same as CSV and JSON,
and a public form to suggest a correction."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_safe

from compliance import laws, registry, scoreboard, security
from compliance.models import Confidence, Jurisdiction, LawCorrection, PostingLaw, VenueType

SORTS = {
    "jurisdiction": lambda row: row["name"],
    "status": lambda row: (row["status_order"], row["name"]),
    "confidence": lambda row: (row["confidence_order"], row["name"]),
    "last_verified": lambda row: (row["last_verified"] or "", row["name"]),
    "venue_types": lambda row: (len(row["covered"]), row["name"]),
    "citation": lambda row: (row["citation"], row["name"]),
}


COLUMN_LABELS = {
    "jurisdiction": _("Jurisdiction"),
    "status": _("Status"),
    "venue_types": _("Covered venue types"),
    "citation": _("Citation"),
    "confidence": _("Confidence"),
    "last_verified": _("Last verified"),
}


class RegistryFilter(forms.Form):
    """The table's filters and order, from the query string (every field optional)."""

    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("any")), *list(PostingLaw.Status.choices)]
    )
    confidence = forms.ChoiceField(
        label=_("Confidence"), required=False, choices=[("", _("any")), *list(Confidence.choices)]
    )
    venue_type = forms.ChoiceField(label=_("Covers"), required=False)
    sort = forms.ChoiceField(required=False, choices=[(key, key) for key in SORTS])
    descending = forms.BooleanField(required=False)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        names = VenueType.objects.local_names()
        ordered = sorted(names.items(), key=lambda item: item[1])
        self.fields["venue_type"].choices = [("", _("any venue type")), *ordered]  # type: ignore[attr-defined]


def _rows() -> list[dict[str, object]]:
    statuses = [status for status, _label in PostingLaw.Status.choices]
    confidences = [confidence for confidence, _label in Confidence.choices]
    rows = []
    for jurisdiction in Jurisdiction.objects.with_current_law().order_by("name"):
        law = jurisdiction.current_law()
        rows.append(
            {
                "code": jurisdiction.code,
                "name": jurisdiction.name,
                "law": law,
                "status": law.status if law else PostingLaw.Status.UNKNOWN,
                "status_order": statuses.index(law.status if law else PostingLaw.Status.UNKNOWN),
                "confidence": law.confidence if law else Confidence.LOW,
                "confidence_order": confidences.index(law.confidence if law else Confidence.LOW),
                "verified": bool(law and laws.is_verified(law)),
                "citation": laws.citation_to_print(law) if law else "",
                "covered": laws.covered_venue_types(law),
                "last_verified": law.last_verified.isoformat() if law and law.last_verified else "",
            }
        )
    return rows


@require_safe
def registry_page(request: HttpRequest) -> HttpResponse:
    """/laws/: all 56 jurisdictions in one table, filtered and sorted by the query string (works without scripts)."""
    form = RegistryFilter(request.GET or None)
    chosen = form.cleaned_data if form.is_valid() else {}
    rows = _rows()
    if chosen.get("status"):
        rows = [row for row in rows if row["status"] == chosen["status"]]
    if chosen.get("confidence"):
        rows = [row for row in rows if row["confidence"] == chosen["confidence"]]
    if chosen.get("venue_type"):
        rows = [row for row in rows if any(item.slug == chosen["venue_type"] for item in row["covered"])]  # type: ignore[attr-defined]
    sort = chosen.get("sort") or "jurisdiction"
    descending = bool(chosen.get("descending"))
    rows.sort(key=SORTS[sort], reverse=descending)  # type: ignore[arg-type]
    filters = {name: chosen[name] for name in ("status", "confidence", "venue_type") if chosen.get(name)}
    columns = []
    for key, label in COLUMN_LABELS.items():
        # A column's link sorts by it; on the column already sorted, it turns the order round.
        flip = {"descending": "on"} if key == sort and not descending else {}
        columns.append(
            {
                "label": label,
                "url": "?" + urlencode({**filters, "sort": key, **flip}),
                "aria_sort": ("descending" if descending else "ascending") if key == sort else "",
            }
        )
    return render(request, "laws/registry.html", {"form": form, "rows": rows, "columns": columns})


def _dataset() -> dict[str, Any]:
    """The dataset, built once per state of the law data: the changelog reads the whole audit history."""
    # The stamp changes with the day and with every edit of the law data (a signal invalidates it).
    key = f"law-dataset:{scoreboard.stamp()}"
    data = cache.get(key)
    if data is None:
        data = registry.dataset()
        cache.set(key, data, timeout=24 * 3600)
    return data


@require_safe
def registry_json(request: HttpRequest) -> HttpResponse:
    """/laws.json: the registry with its version, as-of date and changelog; `load_law_dataset` loads it back."""
    response = JsonResponse(_dataset(), json_dumps_params={"ensure_ascii": False, "indent": 1})
    response["Content-Disposition"] = 'inline; filename="signwatch-laws.json"'
    return response


@require_safe
def registry_csv(request: HttpRequest) -> HttpResponse:
    """/laws.csv: one line per law row, with the dataset version and as-of date on each."""
    response = HttpResponse(registry.as_csv(_dataset()), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="signwatch-laws.csv"'
    return response


class CorrectionForm(forms.ModelForm):
    # Addresses are pasted from a browser's address bar; one typed without a scheme is taken as https.
    source_url = forms.URLField(
        label=_("Source address (the statute, bill or official page)"), max_length=500, assume_scheme="https"
    )

    class Meta:
        model = LawCorrection
        fields = ["correction", "source_url", "credit_as"]
        widgets = {"correction": forms.Textarea(attrs={"rows": 6, "maxlength": 4000})}
        labels = {
            "correction": _("What is wrong, and what does the source say?"),
            "credit_as": _("Credit the correction to (optional; leave empty to stay anonymous)"),
        }


def _throttled(request: HttpRequest) -> bool:
    """Suggestions per client address per hour, counted in the shared cache."""
    key = f"law-correction:{security.client_address(request)}"
    if cache.add(key, 1, 3600):
        return False
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, 3600)
        return False
    return count > settings.LAW_CORRECTIONS_PER_HOUR


@require_http_methods(["GET", "HEAD", "POST"])
def suggest_correction(request: HttpRequest, code: str) -> HttpResponse:
    """/laws/{code}/suggest/: anyone may suggest a correction with a source; staff review it in the admin."""
    jurisdiction = get_object_or_404(Jurisdiction, code=code.upper())
    form = CorrectionForm(request.POST or None)
    if request.method == "POST":
        if _throttled(request):
            return render(
                request,
                "laws/suggest.html",
                {"jurisdiction": jurisdiction, "form": form, "throttled": True},
                status=429,
            )
        if form.is_valid():
            correction = form.save(commit=False)
            correction.jurisdiction = jurisdiction
            correction.save()
            return render(request, "laws/suggest.html", {"jurisdiction": jurisdiction, "received": True}, status=201)
    return render(request, "laws/suggest.html", {"jurisdiction": jurisdiction, "form": form})
