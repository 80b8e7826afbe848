"""Documents drawn off the request path: report, sign and letter PDFs, kept under the state they were drawn from.

Drawing a PDF costs about a second of CPU (WeasyPrint). With the immediate task backend (the default) it is drawn
in the request, once per stamp, and kept in the cache, as it always was. With the database backend
(TASKS_BACKEND=database) a request never draws: it serves the copy for the current stamp if a worker made one;
otherwise it queues one drawing (one at a time per document, however many readers ask) and serves the last good
copy meanwhile, or, before there is any copy at all, says so (the view answers 202 with Retry-After).
"""

from __future__ import annotations

import datetime
import hashlib
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django_tasks import task_backends
from django_tasks.backends.immediate import ImmediateBackend

from compliance import letters, reports, scoreboard, signs
from compliance.models import Jurisdiction, Letter, PostingLaw, RenderedDocument, VenueType

logger = logging.getLogger(__name__)

Kind = RenderedDocument.Kind

# A queued drawing that no worker finished in this long is queued again (its task was lost: a worker killed, the
# queue pruned); a failed one is tried again after a minute, so one bad moment does not leave a document missing.
REQUEUE_AFTER = datetime.timedelta(minutes=10)
RETRY_FAILED_AFTER = datetime.timedelta(minutes=1)
# How long a reader is told to wait before asking again while the first copy is drawn.
RETRY_SECONDS = 3
CACHE_SECONDS = 24 * 3600


@dataclass(frozen=True)
class Wanted:
    """A document to serve: what it is (kind and key, in the kind's terms) and the state it must show (stamp)."""

    kind: str
    key: str
    stamp: str
    base_url: str = ""


@dataclass(frozen=True)
class Copy:
    """A drawn document; `current` is False when it is the last good copy of an older stamp."""

    content: bytes
    filename: str
    stamp: str
    rendered_at: datetime.datetime
    current: bool = True

    @property
    def label(self) -> str:
        """The stamp as shown to readers: it tells two states apart without revealing how many changes were made."""
        return hashlib.sha256(self.stamp.encode()).hexdigest()[:16]

    def age_seconds(self, now: datetime.datetime | None = None) -> int:
        """How long ago this copy was drawn, in whole seconds."""
        return max(0, int(((now or timezone.now()) - self.rendered_at).total_seconds()))


def report_key(jurisdiction: Jurisdiction) -> str:
    """A report PDF is one per jurisdiction."""
    return jurisdiction.code


def sign_key(code: str, venue_slug: str, paper: str, language: str) -> str:
    """A sign PDF is one per jurisdiction, venue type, paper size and reader's language (its second page)."""
    return "|".join((code, venue_slug, paper, language))


def letter_stamp(letter: Letter) -> str:
    """A letter is frozen once written; its stamp is a digest of what its PDF prints, so an edit draws it again."""
    printed = "\x1f".join((letter.subject, letter.body, "\n".join(letter.recipient), str(letter.figures.get("dated"))))
    return hashlib.sha256(printed.encode()).hexdigest()[:32]


def _draw_report(key: str, base_url: str) -> tuple[bytes, str]:
    jurisdiction = Jurisdiction.objects.with_current_law().get(code=key)
    with translation.override("en"):  # reports are for English-speaking offices, whoever asks
        return reports.draw_pdf(jurisdiction, base_url=base_url)


def _draw_sign(key: str, base_url: str) -> tuple[bytes, str]:
    code, venue_slug, paper, language = key.split("|")
    jurisdiction = Jurisdiction.objects.with_current_law().get(code=code)
    venue_type = VenueType.objects.get(slug=venue_slug) if venue_slug else None
    with translation.override(language):
        spec = signs.sign_spec(jurisdiction.current_law(), venue_type, paper or None, jurisdiction=jurisdiction)
        return signs.render_pdf(spec), spec.file_name


def _draw_letter(key: str, base_url: str) -> tuple[bytes, str]:
    letter = Letter.objects.select_related("jurisdiction").get(public_id=key)
    return letters.to_pdf(letter), letters.file_name(letter, "pdf")


DRAWERS: dict[str, Callable[[str, str], tuple[bytes, str]]] = {
    Kind.REPORT_PDF: _draw_report,
    Kind.SIGN_PDF: _draw_sign,
    Kind.LETTER_PDF: _draw_letter,
}


def drawn_by_workers() -> bool:
    """Whether documents are drawn by task workers (any backend but the immediate one, which runs in the request)."""
    return not isinstance(task_backends["default"], ImmediateBackend)


def obtain(wanted: Wanted) -> Copy | None:
    """The copy to serve for `wanted`; None while its first copy is being drawn (only with task workers)."""
    if not drawn_by_workers():
        return _drawn_here(wanted)
    copies = RenderedDocument.objects.of(wanted.kind, wanted.key)
    current = copies.ready().filter(stamp=wanted.stamp).first()
    if current is not None:
        return _copy(current, current=True)
    _queue(wanted)
    last = copies.ready().newest_first().first()
    return _copy(last, current=False) if last is not None else None


def _drawn_here(wanted: Wanted) -> Copy:
    cache_key = f"{wanted.kind}:{wanted.key}:{wanted.stamp}"
    cached = cache.get(cache_key)
    if cached is None:
        with scoreboard.noticing_last_good() as watch:
            cached = (*DRAWERS[wanted.kind](wanted.key, wanted.base_url), timezone.now())
        if not watch.saw_last_good:  # drawn from the figures before a change: served, not kept as after it
            cache.set(cache_key, cached, timeout=CACHE_SECONDS)
    content, filename, rendered_at = cached
    return Copy(content=content, filename=filename, stamp=wanted.stamp, rendered_at=rendered_at)


def _copy(document: RenderedDocument, *, current: bool) -> Copy:
    assert document.rendered_at is not None  # a ready copy was rendered
    return Copy(
        content=bytes(document.content),  # PostgreSQL hands back a memoryview
        filename=document.filename,
        stamp=document.stamp,
        rendered_at=document.rendered_at,
        current=current,
    )


def _queue(wanted: Wanted) -> None:
    """Queue one drawing of `wanted`, unless one of this document is already on its way."""
    from compliance import tasks  # tasks imports this module

    now = timezone.now()
    copies = RenderedDocument.objects.of(wanted.kind, wanted.key)
    if copies.filter(status=RenderedDocument.Status.QUEUED, updated_at__gte=now - REQUEUE_AFTER).exists():
        # One drawing at a time per document: it reads the data when it runs, so it is at least as new as asked.
        return
    existing = copies.filter(stamp=wanted.stamp).first()
    try:
        with transaction.atomic():
            if existing is None:
                document = RenderedDocument.objects.create(
                    kind=wanted.kind, key=wanted.key, stamp=wanted.stamp, base_url=wanted.base_url
                )
            else:
                if existing.status == RenderedDocument.Status.FAILED and existing.updated_at > now - RETRY_FAILED_AFTER:
                    return
                # Claimed by whoever changes the row first: two readers of a lost drawing queue it once.
                claimed = RenderedDocument.objects.filter(pk=existing.pk, updated_at=existing.updated_at).update(
                    status=RenderedDocument.Status.QUEUED, updated_at=now
                )
                if not claimed:
                    return
                document = existing
            # In the same transaction: the document row and its task row exist together or not at all.
            tasks.render_document.enqueue(document.pk)
    except IntegrityError:
        pass  # another request queued this stamp meanwhile


def render(document_id: int) -> str:
    """Draw a queued document and keep it; older copies of the same document go once this one is ready."""
    document = RenderedDocument.objects.filter(pk=document_id).first()
    if document is None or document.status == RenderedDocument.Status.READY:
        return "done"
    try:
        with scoreboard.todays_figures_only():  # kept under the stamp it was asked for: never the last figures
            content, filename = DRAWERS[document.kind](document.key, document.base_url)
    except Exception:
        # Recorded so that readers are not told "queued" forever; tried again on a later request.
        RenderedDocument.objects.filter(pk=document.pk).update(
            status=RenderedDocument.Status.FAILED, updated_at=timezone.now()
        )
        raise
    now = timezone.now()
    with transaction.atomic():
        RenderedDocument.objects.filter(pk=document.pk).update(
            status=RenderedDocument.Status.READY, content=content, filename=filename, rendered_at=now, updated_at=now
        )
        # What this copy supersedes: copies drawn before it, and drawings asked for before it that never finished.
        others = RenderedDocument.objects.of(document.kind, document.key).exclude(pk=document.pk)
        others.filter(
            Q(status=RenderedDocument.Status.READY, rendered_at__lt=now)
            | (~Q(status=RenderedDocument.Status.READY) & Q(created_at__lt=document.created_at))
        ).delete()
    return "ready"


def prepare_reports(jurisdiction_ids: Iterable[int]) -> None:
    """Once the change under way commits, have the workers draw these jurisdictions' reports before anyone asks."""
    if not drawn_by_workers():
        return  # the immediate backend would draw them inline, in the moderator's request
    ids = set(jurisdiction_ids)

    def queue() -> None:
        stamp = scoreboard.stamp()  # after the change's invalidate(), which was registered before this
        for code in Jurisdiction.objects.filter(pk__in=ids).values_list("code", flat=True):
            _queue(Wanted(Kind.REPORT_PDF, code, stamp, base_url=f"{settings.SITE_URL}/"))

    transaction.on_commit(queue)


def prepare_report_of_law(sender: type, instance: PostingLaw, **kwargs: object) -> None:
    """Signal receiver: a posting law was saved, so its jurisdiction's report is drawn again."""
    prepare_reports([instance.jurisdiction_id])
