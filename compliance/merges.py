"""Merging a volunteer-made venue into the frame venue it is: its observations move, the merge is kept and undoable.

A volunteer's report creates a venue where no venue of its type was within the match radius; once the frame is
imported, the same place may exist twice. `find_pairs` pairs each volunteer venue with the frame venues of its type
nearby: one frame venue within the match radius and no other within the doubt radius is a sure pair and is merged;
anything else within the doubt radius is proposed to staff (the admin's venue merge screen) to decide.
"""

from __future__ import annotations

import datetime
import functools
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from compliance import geo, scoreboard
from compliance.models import Observation, Venue, VenueMerge

DOUBT_FACTOR = 3  # frame venues within 3x the match radius make a pair uncertain


class MergeRefused(ValueError):
    """The merge cannot be made or undone as asked; args[0] says why."""


@dataclass
class MergeSummary:
    merged: int = 0
    proposed: int = 0
    unmatched: int = 0


def match_radius_m() -> float:
    return float(settings.SIGNWATCH["VENUE_MATCH_RADIUS_M"])


def find_pairs(*, auto_merge: bool = True, by: Any = None) -> MergeSummary:
    """Pair every unmerged volunteer venue with frame venues of its type nearby: merge sure pairs, propose the rest."""
    radius = match_radius_m()
    doubt = radius * DOUBT_FACTOR
    summary = MergeSummary()
    volunteer_venues = Venue.objects.filter(osm_id__isnull=True, merged_into__isnull=True).order_by("pk")
    for venue in volunteer_venues.iterator(chunk_size=500):
        nearby = [
            (geo.distance_m(venue.latitude, venue.longitude, frame.latitude, frame.longitude), frame.pk, frame)
            for frame in Venue.objects.in_frame()
            .near(venue.latitude, venue.longitude, doubt)
            .filter(venue_type_id=venue.venue_type_id)
        ]
        candidates = sorted(item for item in nearby if item[0] <= doubt)
        if not candidates:
            summary.unmatched += 1
            continue
        declined = set(
            VenueMerge.objects.filter(volunteer_venue=venue, status=VenueMerge.Status.DECLINED).values_list(
                "frame_venue_id", flat=True
            )
        )
        candidates = [item for item in candidates if item[1] not in declined]
        if not candidates:
            summary.unmatched += 1
            continue
        sure = auto_merge and len(candidates) == 1 and candidates[0][0] <= radius
        for distance, _, frame in candidates:
            proposal, _created = VenueMerge.objects.get_or_create(
                frame_venue=frame, volunteer_venue=venue, defaults={"distance_m": round(distance, 1)}
            )
            if sure and proposal.status == VenueMerge.Status.PROPOSED:
                merge(proposal, by=by)
                summary.merged += 1
            elif proposal.status == VenueMerge.Status.PROPOSED:
                summary.proposed += 1
    return summary


@transaction.atomic
def merge(proposal: VenueMerge, *, by: Any = None, now: datetime.datetime | None = None) -> VenueMerge:
    """Move the volunteer venue's observations to the frame venue and mark it merged; recorded for undoing."""
    proposal = VenueMerge.objects.select_for_update().get(pk=proposal.pk)
    if proposal.status == VenueMerge.Status.MERGED:
        raise MergeRefused("already merged")
    volunteer, frame = proposal.volunteer_venue, proposal.frame_venue
    if volunteer.merged_into_id is not None:
        raise MergeRefused("the volunteer venue is already merged into another venue")
    if volunteer.venue_type_id != frame.venue_type_id:
        raise MergeRefused("the two venues are of different types")
    moved = list(Observation.objects.filter(venue=volunteer).values_list("pk", flat=True))
    Observation.objects.filter(pk__in=moved).update(venue=frame)
    volunteer.merged_into = frame
    volunteer.save(update_fields=["merged_into"])
    volunteer.refresh_current_status()  # no observation left: out of the map's counts
    frame.refresh_current_status()
    proposal.status = VenueMerge.Status.MERGED
    proposal.moved_observations = moved
    proposal.decided_by = by if by is not None and getattr(by, "is_authenticated", False) else None
    proposal.decided_at = now or timezone.now()
    proposal.save()
    changed = {volunteer.jurisdiction_id, frame.jurisdiction_id}
    transaction.on_commit(functools.partial(scoreboard.invalidate, changed))
    return proposal


@transaction.atomic
def undo(proposal: VenueMerge, *, by: Any = None) -> VenueMerge:
    """Give the volunteer venue back the observations the merge moved, as before it."""
    proposal = VenueMerge.objects.select_for_update().get(pk=proposal.pk)
    if proposal.status != VenueMerge.Status.MERGED:
        raise MergeRefused("only a merged pair can be undone")
    volunteer, frame = proposal.volunteer_venue, proposal.frame_venue
    Observation.objects.filter(pk__in=proposal.moved_observations, venue=frame).update(venue=volunteer)
    volunteer.merged_into = None
    volunteer.save(update_fields=["merged_into"])
    volunteer.refresh_current_status()
    frame.refresh_current_status()
    proposal.status = VenueMerge.Status.UNDONE
    proposal.decided_by = by if by is not None and getattr(by, "is_authenticated", False) else None
    proposal.decided_at = timezone.now()
    proposal.save()
    changed = {volunteer.jurisdiction_id, frame.jurisdiction_id}
    transaction.on_commit(functools.partial(scoreboard.invalidate, changed))
    return proposal


@transaction.atomic
def decline(proposal: VenueMerge, *, by: Any = None) -> VenueMerge:
    """Staff judged the pair to be two places: it is not proposed again."""
    if proposal.status == VenueMerge.Status.MERGED:
        raise MergeRefused("undo the merge first")
    proposal.status = VenueMerge.Status.DECLINED
    proposal.decided_by = by if by is not None and getattr(by, "is_authenticated", False) else None
    proposal.decided_at = timezone.now()
    proposal.save()
    return proposal
