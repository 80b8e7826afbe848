"""Receiving and moderating volunteers' observations: the writes that span venues, observations, photos, reviews.

Photos reach this module already cleaned (compliance.photos); here they are placed, checked for duplicates,
stored, and recorded, so that a failure at any step leaves neither a file without its row nor a row without its file.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import logging
import random
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from django.core.files.storage import Storage, default_storage
from django.db import IntegrityError, connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from compliance import documents, geo, moderation, notifications, photos, scoreboard, tasks, trust, webhooks
from compliance.models import (
    Jurisdiction,
    Observation,
    Photo,
    ReportContact,
    Review,
    SignStatus,
    Venue,
    VenueType,
)

logger = logging.getLogger(__name__)

# PostgreSQL advisory lock held while a submission checks for duplicates and records itself.
SUBMISSION_LOCK = 0x5167_4E57  # "SgNW"

# Two photos whose perceptual hashes differ in at most this many of 64 bits show the same scene.
NEAR_DUPLICATE_BITS = 6


class Refused(Exception):
    """Something this module will not do. .code names the reason, .detail is for the person, .field is the input at
    fault (if any); which HTTP status that is, is the API's business (compliance.api.errors)."""

    code = "refused"

    def __init__(self, detail: str, *, field: str | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.field = field


class SubmissionRefused(Refused):
    """A submission that cannot be accepted."""


class LocationRequired(SubmissionRefused):
    """Neither the phone, the pin nor the photos said where the sign is."""

    code = "location_required"


class OutsideSupportedArea(SubmissionRefused):
    """The point is not in (or just off the shore of) a jurisdiction SignWatch covers."""

    code = "outside_supported_area"


class StorageUnavailable(SubmissionRefused):
    """The photo storage refused the write; nothing was recorded, so the same request can be sent again."""

    code = "storage_unavailable"


class IdempotencyKeyReused(SubmissionRefused):
    """The Idempotency-Key was already used with a different request: its first answer is not this client's to read."""

    code = "idempotency_key_reused"


class OwnerClaimOpen(SubmissionRefused):
    """The venue's owner already said the sign is posted, and no volunteer has been back since."""

    code = "owner_claim_open"

    def __init__(self) -> None:
        super().__init__(_("The owner's report for this venue is already waiting for a volunteer's visit."))


class ModerationRefused(Refused):
    """A moderator's decision that cannot apply."""


class ReasonRequired(ModerationRefused):
    """A rejection must say why, for the volunteer."""

    code = "reason_required"


class OwnReport(ModerationRefused):
    """Nobody decides on their own report: another moderator must."""

    code = "own_report"


class ModerationConflict(ModerationRefused):
    """The observation was no longer pending: another moderator acted first."""

    code = "already_reviewed"


@dataclass(frozen=True)
class ReportedPoint:
    """A location with where it came from and how precise the device said it was."""

    latitude: float
    longitude: float
    source: str
    accuracy_m: float | None = None


@dataclass(frozen=True)
class Submission:
    """What a volunteer sent, validated in shape but not yet placed or checked against stored data."""

    photos: Sequence[photos.CleanPhoto]
    venue_type: VenueType
    sign_status: str
    point: ReportedPoint | None = None
    venue: Venue | None = None
    venue_name: str = ""
    deficiencies: Sequence[str] = ()
    languages_seen: Sequence[str] = ()
    notes: str = ""
    observed_on: datetime.date | None = None
    submitter: User | None = None
    idempotency_key: str | None = None
    # An address to hear what became of the report (review, and answers to letters about its state): private.
    email: str = ""
    language: str = "en"
    # A digest of everything the client sent (fields and photo bytes): a resend with the key must match it.
    request_digest: str = ""  # of the request body, the multipart boundary left out (compliance/resends.py)
    # The venue's owner reporting the sign posted (venue given, its own point): moderated, never counted.
    by_owner: bool = False


@dataclass
class _Placement:
    point: ReportedPoint
    jurisdiction_code: str
    flags: list[str] = field(default_factory=list)


def _limits() -> dict[str, int]:
    return settings.SIGNWATCH


def intake_limits() -> photos.IntakeLimits:
    """The photo caps this site is set to (settings.SIGNWATCH), for every form of intake."""
    return photos.IntakeLimits(
        max_bytes=settings.SIGNWATCH["PHOTO_MAX_BYTES"], max_pixels=settings.SIGNWATCH["PHOTO_MAX_PIXELS"]
    )


def _exif_point(cleaned: Sequence[photos.CleanPhoto]) -> ReportedPoint | None:
    for photo in cleaned:
        if photo.exif.latitude is not None and photo.exif.longitude is not None:
            return ReportedPoint(photo.exif.latitude, photo.exif.longitude, Observation.LocationSource.EXIF)
    return None


def place(reported: ReportedPoint | None, cleaned: Sequence[photos.CleanPhoto]) -> _Placement:
    """Choose the observation's point (the phone's or the pin's over the photo's) and its jurisdiction."""
    exif = _exif_point(cleaned)
    point = reported or exif
    if point is None:
        raise LocationRequired(
            _("We need to know where the sign is: allow location, or drag the pin to the venue."), field="lat"
        )
    flags: list[str] = []
    if reported and exif:
        apart = geo.distance_m(reported.latitude, reported.longitude, exif.latitude, exif.longitude)
        if apart > _limits()["LOCATION_CONFLICT_M"]:
            flags.append(Observation.Flag.LOCATION_CONFLICT)
    try:
        placement = geo.locate(point.latitude, point.longitude)
    except geo.OutsideSupportedArea as outside:
        raise OutsideSupportedArea(
            _("This point is not in a U.S. state, DC or territory: %(reason)s") % {"reason": outside}, field="lat"
        ) from None
    if placement.distance_m > 0:
        flags.append(Observation.Flag.SNAPPED_TO_SHORE)
    return _Placement(point, placement.code, flags)


def _aware(captured_at: datetime.datetime | None) -> datetime.datetime | None:
    # EXIF without an offset is the camera's local time, within a day of UTC: close enough to flag stale photos.
    if captured_at is None or timezone.is_aware(captured_at):
        return captured_at
    return timezone.make_aware(captured_at, datetime.UTC)


def capture_time_flags(captured_at: datetime.datetime | None, now: datetime.datetime) -> list[str]:
    """Flags for a photo dated in the future or long ago (a reused old photo is weak evidence of today)."""
    if captured_at is None:
        return []
    if captured_at > now + datetime.timedelta(days=1):
        return [Observation.Flag.FUTURE_CAPTURE]
    if captured_at < now - datetime.timedelta(days=_limits()["STALE_CAPTURE_DAYS"]):
        return [Observation.Flag.STALE_CAPTURE]
    return []


def find_duplicate(cleaned: photos.CleanPhoto) -> Photo | None:
    """A stored photo that is the same file or the same picture (near-identical perceptual hash), if any."""
    same_file = Photo.objects.filter(
        models.Q(received_sha256=cleaned.received_sha256) | models.Q(clean_sha256=cleaned.clean_sha256)
    ).first()
    if same_file:
        return same_file
    bands = Photo.hash_bands(cleaned.perceptual_hash)
    candidates = Photo.objects.filter(
        models.Q(hash_band_0=bands["hash_band_0"])
        | models.Q(hash_band_1=bands["hash_band_1"])
        | models.Q(hash_band_2=bands["hash_band_2"])
        | models.Q(hash_band_3=bands["hash_band_3"])
    ).only("pk", "perceptual_hash")[:500]
    for candidate in candidates:
        if photos.hamming_distance(candidate.perceptual_hash, cleaned.perceptual_hash) <= NEAR_DUPLICATE_BITS:
            return candidate
    return None


def match_venue(venue_type: VenueType, point: ReportedPoint) -> Venue | None:
    """The nearest venue of the same type within the match radius of the point."""
    radius = _limits()["VENUE_MATCH_RADIUS_M"]
    # A venue merged into a frame venue is the same place: its reports go to the venue it was merged into.
    nearby = Venue.objects.near(point.latitude, point.longitude, radius).filter(
        venue_type=venue_type, merged_into__isnull=True
    )
    distances = [(geo.distance_m(point.latitude, point.longitude, v.latitude, v.longitude), v.pk, v) for v in nearby]
    within = [item for item in distances if item[0] <= radius]
    return min(within)[2] if within else None


def idempotency_digest(key: str, submitter: User | None) -> str:
    """What is stored of a client's Idempotency-Key: a digest, scoped to the account when there is one."""
    scope = f"user:{submitter.pk}" if submitter is not None and submitter.is_authenticated else "anonymous"
    return hashlib.sha256(f"{scope}\n{key}".encode()).hexdigest()


def recorded(key: str, submitter: User | None) -> Observation | None:
    """The report an Idempotency-Key already made, if any, with the venue its answer names (one query).

    Only the key is looked up: the caller checks the request is the same one again (same_request) before answering.
    """
    return _recorded(idempotency_digest(key, submitter))


def same_request(earlier: Observation, request: str) -> Observation:
    """The report again, when this request's digest is the one that made it.

    Raises IdempotencyKeyReused when the key was used with another request: its answer is not this client's.
    """
    if not secrets.compare_digest(earlier.idempotency_request, request):
        raise IdempotencyKeyReused(
            _("This Idempotency-Key was already used for a different report. Use a new key for each report."),
        )
    return earlier


def _recorded(digest: str) -> Observation | None:
    return Observation.objects.select_related("venue__jurisdiction").filter(idempotency_key=digest).first()


def _store_files(cleaned: Sequence[photos.CleanPhoto], storage: Storage) -> list[tuple[str, str]]:
    """Write each photo and thumbnail under fresh random names; on failure, remove what was written."""
    stored: list[tuple[str, str]] = []
    try:
        for photo in cleaned:
            image = storage.save(Photo.new_image_name(), ContentFile(photo.jpeg))
            try:
                thumbnail = storage.save(Photo.new_thumbnail_name(), ContentFile(photo.thumbnail))
            except Exception:
                _delete_quietly(storage, [image])
                raise
            stored.append((image, thumbnail))
    except Exception:
        _delete_quietly(storage, [name for pair in stored for name in pair])
        raise
    return stored


def _delete_quietly(storage: Storage, names: Sequence[str]) -> None:
    for name in names:
        try:
            storage.delete(name)
        except Exception:
            logger.exception("Could not delete %s after a failed submission", name)


def submit(
    submission: Submission, *, storage: Storage | None = None, rng: random.Random = trust.SYSTEM_RANDOM
) -> Observation:
    """Place, check and record a submission with its photos; answers the first result again for a repeated key.

    A trusted volunteer's report is approved at once unless it is flagged or drawn for audit (`rng` draws; tests
    pass a seeded one, production keeps the system's randomness).
    """
    storage = storage or default_storage
    digest = (
        idempotency_digest(submission.idempotency_key, submission.submitter) if submission.idempotency_key else None
    )
    if digest and (earlier := _recorded(digest)):
        return same_request(earlier, submission.request_digest)
    now = timezone.now()
    placement = place(submission.point, submission.photos)
    flags = list(placement.flags)
    if submission.venue is not None:
        apart = geo.distance_m(
            placement.point.latitude,
            placement.point.longitude,
            submission.venue.latitude,
            submission.venue.longitude,
        )
        if apart > _limits()["FAR_FROM_VENUE_M"]:
            flags.append(Observation.Flag.FAR_FROM_VENUE)
    captured_at = _aware(next((p.exif.captured_at for p in submission.photos if p.exif.captured_at), None))
    flags += capture_time_flags(captured_at, now)
    try:
        stored = _store_files(submission.photos, storage)
    except Exception:
        # Disk full, bucket gone, network down: the backends raise all sorts; the volunteer can retry later.
        logger.exception("Photo storage failed")
        raise StorageUnavailable(_("We cannot store photos right now. Please try again in a few minutes.")) from None
    try:
        observation = _record(submission, placement, flags, captured_at, stored, digest, now, rng)
    except IntegrityError:
        _delete_quietly(storage, [name for pair in stored for name in pair])
        if digest and (earlier := _recorded(digest)):
            return same_request(earlier, submission.request_digest)  # the same key raced in from another request
        raise
    except BaseException:
        _delete_quietly(storage, [name for pair in stored for name in pair])
        raise
    tasks.enqueue_readings(observation.photos.values_list("pk", flat=True))
    return observation


@transaction.atomic
def _record(
    submission: Submission,
    placement: _Placement,
    flags: list[str],
    captured_at: datetime.datetime | None,
    stored: Sequence[tuple[str, str]],
    digest: str | None,
    now: datetime.datetime,
    rng: random.Random,
) -> Observation:
    # Look for duplicates inside the writing transaction, with writers queued one at a time (SQLite's IMMEDIATE
    # transactions do that; on PostgreSQL an advisory lock does), so copies sent at the same moment see each other.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [SUBMISSION_LOCK])
    duplicates = [find_duplicate(photo) for photo in submission.photos]
    if any(duplicates):
        flags = [*flags, Observation.Flag.DUPLICATE_PHOTO]
    point = placement.point
    # Checked inside the writing transaction, queued behind the lock above: two claims sent together cannot both pass.
    if submission.by_owner and Observation.objects.open_owner_claims().filter(venue=submission.venue).exists():
        raise OwnerClaimOpen()
    venue = submission.venue or match_venue(submission.venue_type, point)
    if venue is None:
        # The venue is published once a report is approved: it gets the volunteer's point coarsened, never the
        # digits their phone or photo reported.
        latitude, longitude = geo.public_point(point.latitude, point.longitude)
        venue = Venue.objects.create(
            venue_type=submission.venue_type,
            name=submission.venue_name,
            latitude=latitude,
            longitude=longitude,
            jurisdiction=Jurisdiction.objects.get(code=placement.jurisdiction_code),
            tile_key=geo.tile_key(latitude, longitude),
        )
    submitter = submission.submitter if submission.submitter and submission.submitter.is_authenticated else None
    # An owner is not a volunteer: their report always waits for a moderator, whoever is signed in.
    trusted = moderation.is_trusted(submitter) and not submission.by_owner
    route = trust.review_route(trusted=trusted, flagged=bool(flags), rule=moderation.trust_rule(), rng=rng)
    approved_at_once = route == Observation.ReviewRoute.TRUSTED
    observation = Observation.objects.create(
        venue=venue,
        sign_status=submission.sign_status,
        deficiencies=sorted(set(submission.deficiencies)),
        languages_seen=list(dict.fromkeys(submission.languages_seen)),
        notes=submission.notes,
        observed_on=submission.observed_on or (captured_at.date() if captured_at else now.date()),
        captured_latitude=point.latitude,
        captured_longitude=point.longitude,
        location_accuracy_m=point.accuracy_m,
        location_source=point.source,
        captured_at=captured_at,
        flags=list(dict.fromkeys(flags)),
        submitter=submitter,
        receipt=secrets.token_urlsafe(24),
        idempotency_key=digest,
        idempotency_request=submission.request_digest if digest else "",
        review_route=route,
        review_status=Observation.ReviewStatus.APPROVED if approved_at_once else Observation.ReviewStatus.PENDING,
        published_at=now if approved_at_once else None,
        reported_by_owner=submission.by_owner,
    )
    Photo.objects.bulk_create(
        Photo(
            observation=observation,
            position=position,
            image=image,
            thumbnail=thumbnail,
            width=cleaned.width,
            height=cleaned.height,
            received_bytes=cleaned.received_bytes,
            received_sha256=cleaned.received_sha256,
            clean_sha256=cleaned.clean_sha256,
            perceptual_hash=cleaned.perceptual_hash,
            duplicate_of=duplicate,
            **Photo.hash_bands(cleaned.perceptual_hash),
        )
        for position, (cleaned, duplicate, (image, thumbnail)) in enumerate(
            zip(submission.photos, duplicates, stored, strict=True)
        )
    )
    if submission.email:
        ReportContact.objects.create(observation=observation, email=submission.email, language=submission.language)
    if approved_at_once:
        venue.refresh_current_status()
        # It skipped the queue: the national audit rates (moderation.measured_accuracy) count it too.
        transaction.on_commit(
            functools.partial(scoreboard.invalidate, [venue.jurisdiction_id, scoreboard.ROUTED_BY_TRUST])
        )
        webhooks.report_approved(observation)
        documents.prepare_reports([venue.jurisdiction_id])
    return observation


def confirmed_sign(sign_status: str, deficiencies: Sequence[str]) -> dict[str, object]:
    """A posted sign's status and deficiencies once a moderator confirms what is wrong with it (a missing stays so)."""
    if sign_status == SignStatus.MISSING:
        return {}
    return {
        "sign_status": SignStatus.DEFICIENT if deficiencies else SignStatus.POSTED,
        "deficiencies": sorted(set(deficiencies)),
    }


@transaction.atomic
def moderate(
    *,
    observation: Observation,
    moderator: User,
    action: str,
    reason: str = "",
    deficiencies: Sequence[str] | None = None,
) -> Observation:
    """Approve or reject a pending observation; only the first of two simultaneous decisions applies.

    On approval, `deficiencies` (when given) are those the moderator confirmed, replacing the volunteer's.
    """
    approve = action == Review.Action.APPROVE
    corrected = confirmed_sign(observation.sign_status, deficiencies) if approve and deficiencies is not None else {}
    _decide([observation.pk], moderator=moderator, action=action, reason=reason, corrected=corrected)
    return Observation.objects.select_related("venue").get(pk=observation.pk)


@transaction.atomic
def corrected_by_staff(venue_ids: Iterable[int], *, skipped_the_queue: bool = False) -> None:
    """After staff edited or deleted approved reports in the admin (a sign, a day, the venue): the venues they were
    and are at show their latest approved report again, their jurisdictions' tallies follow, and what is kept of
    those jurisdictions is built again. `skipped_the_queue`: a deleted report was approved at once or audited, so
    the national audit rates change too."""
    venues = list(Venue.objects.filter(pk__in=set(venue_ids)).order_by("jurisdiction_id", "pk"))
    for venue in venues:  # in the moderations' order, so this never waits on one of them the other way round
        venue.refresh_current_status()
    changed: set[scoreboard.Part] = {venue.jurisdiction_id for venue in venues}
    if skipped_the_queue:
        changed.add(scoreboard.ROUTED_BY_TRUST)
    transaction.on_commit(functools.partial(scoreboard.invalidate, changed))


@transaction.atomic
def moderate_many(*, public_ids: Sequence[str], moderator: User, action: str, reason: str = "") -> list[Observation]:
    """Approve or reject unflagged pending observations together, with one reason: all of them, or none.

    If another moderator decided any of them first, nothing changes (ModerationConflict); a flagged item needs a
    look of its own and is refused (moderation.ModerationRefused).
    """
    chosen = list(Observation.objects.filter(public_id__in=public_ids).order_by("created_at", "pk"))
    if len(chosen) != len(set(public_ids)):
        raise moderation.ModerationRefused("not_found", _("Some of these observations do not exist."), field="ids")
    if any(observation.flags for observation in chosen):
        raise moderation.ModerationRefused(
            "flagged", _("Flagged observations need a look of their own: decide them one by one."), field="ids"
        )
    _decide([observation.pk for observation in chosen], moderator=moderator, action=action, reason=reason)
    return list(Observation.objects.filter(pk__in=[o.pk for o in chosen]).order_by("created_at", "pk"))


def _decide(
    pks: Sequence[int], *, moderator: User, action: str, reason: str, corrected: dict[str, object] | None = None
) -> None:
    """Decide pending observations in the caller's transaction; raises ModerationConflict (rolled back) if any
    was decided meanwhile."""
    if Observation.objects.filter(pk__in=pks, submitter=moderator).exists():
        raise OwnReport(_("This is your own report: another moderator must decide on it."))
    if action == Review.Action.REJECT and not reason.strip():
        raise ReasonRequired(_("Say why, for the volunteer."), field="reason")
    approve = action == Review.Action.APPROVE
    now = timezone.now()
    # A conditional update is atomic on every database, SQLite included: the loser of a race updates no row, and
    # a bulk decision that finds fewer pending rows than it chose raises, so its transaction undoes the rest.
    applied = Observation.objects.filter(pk__in=pks, review_status=Observation.ReviewStatus.PENDING).update(
        review_status=Observation.ReviewStatus.APPROVED if approve else Observation.ReviewStatus.REJECTED,
        review_reason=reason.strip(),
        published_at=now if approve else None,
        **(corrected or {}),
    )
    if applied != len(set(pks)):
        raise ModerationConflict(
            _("This observation has already been reviewed.")
            if len(pks) == 1
            else _("Another moderator decided some of these first; nothing was changed.")
        )
    Review.objects.bulk_create(
        Review(observation_id=pk, moderator=moderator, action=action, reason=reason.strip()) for pk in pks
    )
    decided = list(Observation.objects.filter(pk__in=pks).select_related("venue"))
    moderation.answer_second_opinions(decided, moderator=moderator, action=action)
    moderation.update_trust_after(decided)
    # An owner's claim changes no venue and no figure: nothing to refresh or announce when it is approved.
    counted = [observation for observation in decided if not observation.reported_by_owner]
    if approve:
        venues = {observation.venue_id: observation.venue for observation in counted}.values()
        # In one order for every decision, so two bulk decisions never wait on each other's jurisdiction tallies.
        for venue in sorted(venues, key=lambda venue: (venue.jurisdiction_id, venue.pk)):
            venue.refresh_current_status()
        for observation in counted:
            webhooks.report_approved(observation)
    for observation in decided:
        notifications.report_reviewed(observation)
    # Every decision can move a published figure: the venue statuses, or the audit figures a report quotes (those of
    # its state, and the national ones when it was drawn for audit).
    changed: set[scoreboard.Part] = {observation.venue.jurisdiction_id for observation in decided}
    if any(observation.review_route != Observation.ReviewRoute.QUEUE for observation in decided):
        changed.add(scoreboard.ROUTED_BY_TRUST)
    transaction.on_commit(functools.partial(scoreboard.invalidate, changed))
    if approve:  # registered after invalidate(): on commit, the reports are queued under the new stamp
        documents.prepare_reports({observation.venue.jurisdiction_id for observation in decided})
