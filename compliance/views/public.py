"""Public pages: the compliance map, a jurisdiction's law and figures, a venue's history."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.templatetags.static import static
from django.views.decorators.http import require_safe

from compliance import campaigns, kept, missions, outreach, owners, roles, scoreboard, scoring
from compliance.forms import SettleDisputeForm
from compliance.models import (
    ALL_VENUE_TYPES,
    CLUSTER_LEVELS,
    Jurisdiction,
    Letter,
    Observation,
    PostingLaw,
    SignStatus,
    Venue,
    VenueCluster,
    VenueType,
)


def base_map_config() -> dict[str, str]:
    """What every page's map needs: the offline state outlines, and the operator's basemap or tiles if any."""
    return {
        "boundariesUrl": static("geo/states-simplified.geojson"),
        "pmtilesUrl": settings.MAP_PMTILES_URL,
        "pmtilesAttribution": settings.MAP_PMTILES_ATTRIBUTION,
        "tileUrl": settings.MAP_TILE_URL,
        "tileAttribution": settings.MAP_TILE_ATTRIBUTION,
    }


@require_safe
@kept.page()
def map_page(request: HttpRequest) -> HttpResponse:
    """The public map: each jurisdiction coloured by compliance (or law status), venues, and a table of the same."""
    figures = scoreboard.current().data
    status_labels = dict(PostingLaw.Status.choices)
    rows = [
        {
            "code": code,
            "status_label": status_labels.get(entry["law_status"], entry["law_status"]),
            "figures": entry["overall"] or entry["voluntary"],
            **entry,
        }
        for code, entry in sorted(figures["jurisdictions"].items(), key=lambda item: item[1]["name"])
    ]
    map_config = {
        **base_map_config(),
        "jurisdictions": figures["jurisdictions"],
        "statusLabels": status_labels,
        "venueTypeNames": dict(VenueType.objects.values_list("slug", "name")),
        "campaigns": campaigns.open_campaigns_by_code(),
    }
    return render(
        request,
        "compliance/map.html",
        {
            "rows": rows,
            "map_config": map_config,
            "figures": figures,
            # The types with a public venue, read from the map's cluster counts (tens of rows) rather than the venues.
            "venue_types": VenueType.objects.filter(
                pk__in=VenueCluster.objects.filter(level=CLUSTER_LEVELS[0], venues__gt=0)
                .exclude(venue_type_key=ALL_VENUE_TYPES)
                .values("venue_type_key")
            ).in_local_order(),
            "sign_statuses": SignStatus.choices,
        },
    )


@require_safe
@kept.page(kept.jurisdiction_of_code)
def jurisdiction_page(request: HttpRequest, code: str) -> HttpResponse:
    """A jurisdiction's posting law in plain language, its compliance and trend, recent evidence, its AG office."""
    jurisdiction = get_object_or_404(Jurisdiction.objects.with_current_law(), code=code.upper())
    figures = scoreboard.current()
    newest_first = ("-observed_on", "-published_at")
    # Finding the newest reports among a state's reads an index of every approved one: remembered until data changes.
    recent_ids = scoreboard.remembered(
        f"recent-reports:{jurisdiction.pk}",
        lambda: list(
            Observation.objects.approved()
            .filter(venue__jurisdiction=jurisdiction)
            .order_by(*newest_first)
            .values_list("pk", flat=True)[:12]
        ),
        jurisdiction=jurisdiction.pk,
    )
    recent = (
        Observation.objects.filter(pk__in=recent_ids)
        .select_related("venue__venue_type")
        .prefetch_related("photos")
        .order_by(*newest_first)
    )
    return render(
        request,
        "compliance/jurisdiction.html",
        {
            "jurisdiction": jurisdiction,
            "law": jurisdiction.current_law(),
            "ag_office": getattr(jurisdiction, "ag_office", None),
            **campaigns.page_context(jurisdiction),
            "compliance": figures.data["jurisdictions"][jurisdiction.code],
            "venue_type_names": VenueType.objects.local_names(),
            "trend": scoreboard.trend(jurisdiction),
            "recent": recent,
            "method": scoring.METHOD,
            "map_config": {**base_map_config(), "jurisdiction": jurisdiction.code},
            # Outreach: everyone sees counts of letters sent and answered; only readers of the letters see them listed.
            "outreach": outreach.outreach_summary(jurisdiction.letters.all()),
            "public_letters": outreach.public_letters(jurisdiction),
            "letters": Letter.objects.visible_to(request.user).filter(jurisdiction=jurisdiction)[:50],
            "may_write_letters": outreach.may_track(request.user),
            **missions.page_context(jurisdiction),
        },
    )


@require_safe
@kept.page(kept.jurisdiction_of_venue)
def venue_page(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """A public venue and its approved history (no volunteer details, no capture points)."""
    venue = get_object_or_404(Venue.objects.public().select_related("venue_type", "jurisdiction"), public_id=public_id)
    history = venue.observations.approved().prefetch_related("photos").order_by("-observed_on", "-published_at")
    settle_form = SettleDisputeForm() if venue.disputed and roles.is_moderator(request.user) else None
    return render(
        request,
        "compliance/venue.html",
        {"venue": venue, "history": history, "settle_form": settle_form, "owner_claim": owners.public_claim(venue)},
    )
