"""Report, sign and letter PDFs drawn off the request path (compliance/documents.py).

With the immediate task backend (the default) a PDF is drawn in the request, once per stamp. With the database
backend a request never draws: it serves the copy for the current stamp, or queues one drawing and serves the last
good copy meanwhile, or answers 202 with Retry-After before any copy exists; `manage.py db_worker` draws.
"""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from pypdf import PdfReader

from compliance import documents, letters, observations, scoreboard
from compliance.models import Jurisdiction, PostingLaw, RenderedDocument
from tests import workers
from tests.test_compliance_api import add_observation, approved_venue
from tests.test_observations import AUSTIN

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def label(stamp: str) -> str:
    """What X-Document-Stamp shows of a stamp."""
    return documents.Copy(content=b"", filename="", stamp=stamp, rendered_at=timezone.now()).label


def pdf_pages(content: bytes) -> int:
    assert content.startswith(b"%PDF-")
    return len(PdfReader(io.BytesIO(content)).pages)


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def flat(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture
def draws(monkeypatch) -> list[tuple[str, str]]:
    """Records each real drawing (kind, key) as it happens."""
    drawn: list[tuple[str, str]] = []
    for kind, draw in list(documents.DRAWERS.items()):

        def recording(key: str, base_url: str, kind: str = kind, draw=draw) -> tuple[bytes, str]:
            drawn.append((kind, key))
            return draw(key, base_url)

        monkeypatch.setitem(documents.DRAWERS, kind, recording)
    return drawn


@pytest.fixture
def task_workers(settings):
    """The database task backend, as TASKS_BACKEND=database configures it."""
    settings.TASKS = DATABASE_TASKS


def drain_queue() -> None:
    call_command("db_worker", "--batch", "--no-startup-delay", "--interval", "0")


# --- the immediate backend: drawn in the request, as before ---


def test_immediate_backend_draws_the_report_in_the_request_once_per_stamp(client, db, draws):
    first = client.get("/reports/TX.pdf")
    assert first.status_code == 200
    assert first["Content-Type"] == "application/pdf"
    assert first["Content-Disposition"] == f'inline; filename="signwatch-TX-{timezone.localdate()}.pdf"'
    assert first["X-Document-Stamp"] == label(scoreboard.stamp())
    assert "Age" not in first
    assert pdf_pages(first.content) >= 1
    assert "Texas" in pdf_text(first.content)
    assert client.get("/reports/TX.pdf").content == first.content
    assert draws == [("report_pdf", "TX")]

    scoreboard.invalidate()  # an approval or a law edit
    assert client.get("/reports/TX.pdf").status_code == 200
    assert draws == [("report_pdf", "TX"), ("report_pdf", "TX")]
    assert not RenderedDocument.objects.exists()
    assert not DBTaskResult.objects.exists()


def test_immediate_backend_draws_a_letter_pdf_for_its_readers_only(client, advocate, draws):
    letter = letters.compose(
        jurisdiction=Jurisdiction.objects.get(code="TX"),
        kind="enforcement",
        author=advocate,
        report_url="https://signwatch.example/reports/TX/",
    )
    assert client.get(f"/letters/{letter.public_id}.pdf").status_code == 404
    client.force_login(advocate)
    response = client.get(f"/letters/{letter.public_id}.pdf")
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="{letters.file_name(letter, "pdf")}"'
    assert response["Cache-Control"] == "private, no-store"
    assert letter.subject in flat(pdf_text(response.content))
    assert draws == [("letter_pdf", str(letter.public_id))]


# --- the database backend: drawn by a worker ---


@pytest.mark.django_db(transaction=True)
def test_first_request_queues_one_drawing_and_answers_202_until_a_worker_draws_it(
    client, committed_registry, task_workers, draws
):
    pending = client.get("/reports/TX.pdf", HTTP_ACCEPT=BROWSER)
    assert pending.status_code == 202
    assert pending["Retry-After"] == str(documents.RETRY_SECONDS)
    assert pending["Content-Type"].startswith("text/html")
    html = pending.content.decode()
    assert "Your document is being prepared" in html
    assert f'<meta http-equiv="refresh" content="{documents.RETRY_SECONDS}">' in html

    again = client.get("/reports/TX.pdf", HTTP_ACCEPT="application/json")
    assert again.status_code == 202
    assert again["Retry-After"] == str(documents.RETRY_SECONDS)
    assert again.json()["code"] == "document_pending"
    assert again.json()["retry_after"] == documents.RETRY_SECONDS

    [queued] = DBTaskResult.objects.all()  # two requests, one drawing
    assert queued.task_path == "compliance.tasks.render_document"
    assert queued.status == "READY"
    assert draws == []  # the requests drew nothing

    drain_queue()
    queued.refresh_from_db()
    assert queued.status == "SUCCESSFUL"
    assert draws == [("report_pdf", "TX")]

    ready = client.get("/reports/TX.pdf", HTTP_ACCEPT=BROWSER)
    assert ready.status_code == 200
    assert ready["Content-Type"] == "application/pdf"
    assert ready["Content-Disposition"] == f'inline; filename="signwatch-TX-{timezone.localdate()}.pdf"'
    assert ready["X-Document-Stamp"] == label(scoreboard.stamp())
    assert "Age" not in ready and "X-Document-Status" not in ready
    assert "Texas" in pdf_text(ready.content)
    assert DBTaskResult.objects.count() == 1  # serving a current copy queues nothing


@pytest.mark.django_db(transaction=True)
def test_last_good_copy_is_served_while_a_newer_one_is_queued(client, committed_registry, task_workers, draws):
    client.get("/reports/TX.pdf")
    drain_queue()
    first_stamp = scoreboard.stamp()
    first = client.get("/reports/TX.pdf")
    assert first.status_code == 200

    scoreboard.invalidate()  # an approval: the report on file is now out of date
    RenderedDocument.objects.update(rendered_at=timezone.now() - datetime.timedelta(seconds=90))
    for _ in range(2):
        outdated = client.get("/reports/TX.pdf")
        assert outdated.status_code == 200
        assert outdated.content == first.content
        assert outdated["X-Document-Stamp"] == label(first_stamp)
        assert 90 <= int(outdated["Age"]) < 150
        assert outdated["X-Document-Status"].startswith("outdated")
        assert outdated["Cache-Control"] == "no-cache"
    assert DBTaskResult.objects.filter(status="READY").count() == 1  # queued once for both requests

    drain_queue()
    current = client.get("/reports/TX.pdf")
    assert current["X-Document-Stamp"] == label(scoreboard.stamp()) != label(first_stamp)
    assert "Age" not in current
    assert draws == [("report_pdf", "TX"), ("report_pdf", "TX")]
    # Only the newest copy is kept.
    assert list(RenderedDocument.objects.values_list("stamp", flat=True)) == [scoreboard.stamp()]


@pytest.mark.django_db(transaction=True)
def test_a_sign_is_drawn_by_the_worker_in_the_readers_language(client, committed_registry, task_workers, draws):
    address = "/signs/TX.pdf?venue_type=bus_station&size=legal"
    pending = client.get(address, HTTP_ACCEPT_LANGUAGE="es", HTTP_ACCEPT=BROWSER)
    assert pending.status_code == 202
    assert "Estamos preparando su documento" in pending.content.decode()
    assert client.get(address, HTTP_ACCEPT_LANGUAGE="en").status_code == 202  # another document: its own drawing
    assert DBTaskResult.objects.count() == 2
    drain_queue()
    assert sorted(draws) == [("sign_pdf", "TX|bus_station|legal|en"), ("sign_pdf", "TX|bus_station|legal|es")]

    spanish = client.get(address, HTTP_ACCEPT_LANGUAGE="es")
    english = client.get(address, HTTP_ACCEPT_LANGUAGE="en")
    assert spanish.status_code == english.status_code == 200
    assert spanish["Content-Disposition"].startswith('inline; filename="') and ".pdf" in spanish["Content-Disposition"]
    assert pdf_pages(spanish.content) >= 2 and pdf_pages(english.content) >= 2  # the sign, then the notes
    assert "La ley de Texas exige este letrero en “Estación de autobuses”." in flat(pdf_text(spanish.content))
    assert "Texas law requires this sign for “Bus station”." in flat(pdf_text(english.content))


@pytest.mark.django_db(transaction=True)
def test_a_letter_drawn_by_the_worker_stays_private(client, committed_registry, task_workers, advocate):
    letter = letters.compose(
        jurisdiction=Jurisdiction.objects.get(code="TX"),
        kind="enforcement",
        author=advocate,
        report_url="https://signwatch.example/reports/TX/",
    )
    address = f"/letters/{letter.public_id}.pdf"
    assert client.get(address).status_code == 404  # nothing queued for a stranger
    assert not DBTaskResult.objects.exists()
    client.force_login(advocate)
    pending = client.get(address, HTTP_ACCEPT="application/json")
    assert pending.status_code == 202
    assert pending["Cache-Control"] == "private, no-store"
    drain_queue()

    ready = client.get(address)
    assert ready.status_code == 200
    assert ready["Cache-Control"] == "private, no-store"
    assert ready["Content-Disposition"] == f'attachment; filename="{letters.file_name(letter, "pdf")}"'
    assert letter.subject in flat(pdf_text(ready.content))
    client.logout()
    assert client.get(address).status_code == 404  # a stored copy changes nothing about who may read it


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("status", "idle", "queued_again"),
    [
        ("failed", datetime.timedelta(seconds=20), False),  # failed just now: not retried on every request
        ("failed", datetime.timedelta(minutes=2), True),
        ("queued", datetime.timedelta(minutes=2), False),  # on its way
        ("queued", datetime.timedelta(minutes=11), True),  # its task was lost
    ],
)
def test_a_failed_or_lost_drawing_is_queued_again_after_a_while(task_workers, status, idle, queued_again):
    document = RenderedDocument.objects.create(kind="report_pdf", key="TX", stamp="s1", status=status)
    RenderedDocument.objects.filter(pk=document.pk).update(updated_at=timezone.now() - idle)
    wanted = documents.Wanted(documents.Kind.REPORT_PDF, "TX", "s1")
    for _ in range(2):
        assert documents.obtain(wanted) is None
    assert DBTaskResult.objects.count() == (1 if queued_again else 0)
    document.refresh_from_db()
    assert document.status == ("queued" if queued_again else status)


@pytest.mark.django_db
def test_a_new_copy_supersedes_older_copies_and_unfinished_older_drawings(task_workers):
    old = timezone.now() - datetime.timedelta(hours=1)
    superseded = [
        RenderedDocument.objects.create(kind="report_pdf", key="TX", stamp="s1", status="ready", rendered_at=old),
        RenderedDocument.objects.create(kind="report_pdf", key="TX", stamp="s2", status="failed"),
        RenderedDocument.objects.create(kind="report_pdf", key="TX", stamp="s3", status="queued"),
    ]
    drawing = RenderedDocument.objects.create(kind="report_pdf", key="TX", stamp="s4")
    newer = RenderedDocument.objects.create(kind="report_pdf", key="TX", stamp="s5")
    other_state = RenderedDocument.objects.create(
        kind="report_pdf", key="CA", stamp="s1", status="ready", rendered_at=old
    )
    RenderedDocument.objects.filter(pk__in=[document.pk for document in superseded]).update(created_at=old)

    assert documents.render(drawing.pk) == "ready"
    assert set(RenderedDocument.objects.values_list("pk", flat=True)) == {drawing.pk, newer.pk, other_state.pk}
    drawing.refresh_from_db()
    assert drawing.status == "ready" and pdf_pages(bytes(drawing.content)) >= 1
    assert drawing.filename == f"signwatch-TX-{timezone.localdate()}.pdf"


@pytest.mark.django_db
def test_a_drawing_that_fails_is_recorded_as_failed(task_workers):
    document = RenderedDocument.objects.create(kind="report_pdf", key="ZZ", stamp="s1")
    with pytest.raises(Jurisdiction.DoesNotExist):
        documents.render(document.pk)
    document.refresh_from_db()
    assert document.status == "failed"
    assert documents.obtain(documents.Wanted(documents.Kind.REPORT_PDF, "ZZ", "s1")) is None
    assert not DBTaskResult.objects.exists()  # not retried at once


# --- a real worker process, on the database the suite runs on (SQLite here, PostgreSQL too in CI) ---


@pytest.mark.django_db(transaction=True)
def test_a_db_worker_process_draws_the_report_a_request_queued(client, committed_registry, task_workers, media_root):
    assert client.get("/reports/TX.pdf").status_code == 202

    worker = workers.run_db_worker(media_root)
    assert worker.returncode == 0, worker.stderr[-3000:]

    assert DBTaskResult.objects.get().status == "SUCCESSFUL", worker.stderr[-3000:]
    response = client.get("/reports/TX.pdf")
    assert response.status_code == 200
    assert response["X-Document-Stamp"] == label(scoreboard.stamp())
    assert pdf_pages(response.content) >= 1
    assert "Texas" in pdf_text(response.content)


# --- drawn ahead of the readers ---


def test_an_approval_has_the_worker_draw_that_states_report_before_anyone_asks(
    client, moderator, task_workers, django_capture_on_commit_callbacks
):
    venue = approved_venue("TX", "truck_stop", "missing", *AUSTIN)
    pending = add_observation(venue, "posted", days_ago=1, review_status="pending")
    with django_capture_on_commit_callbacks(execute=True):
        observations.moderate(observation=pending, moderator=moderator, action="approve")
    [queued] = RenderedDocument.objects.all()
    assert (queued.kind, queued.key, queued.stamp, queued.status) == ("report_pdf", "TX", scoreboard.stamp(), "queued")
    assert DBTaskResult.objects.get().task_path == "compliance.tasks.render_document"

    documents.render(queued.pk)  # what the worker runs
    response = client.get("/reports/TX.pdf")
    assert response.status_code == 200 and "Age" not in response
    assert DBTaskResult.objects.count() == 1


def test_a_law_edit_has_the_worker_draw_that_states_report(db, task_workers, django_capture_on_commit_callbacks):
    law = PostingLaw.objects.get(jurisdiction__code="CA")
    with django_capture_on_commit_callbacks(execute=True):
        law.notes += " Checked again."
        law.save()
    assert list(RenderedDocument.objects.values_list("key", "stamp")) == [("CA", scoreboard.stamp())]


def test_with_the_immediate_backend_an_approval_draws_nothing_ahead(
    moderator, draws, django_capture_on_commit_callbacks
):
    venue = approved_venue("TX", "truck_stop", "missing", *AUSTIN)
    pending = add_observation(venue, "posted", days_ago=1, review_status="pending")
    with django_capture_on_commit_callbacks(execute=True):
        observations.moderate(observation=pending, moderator=moderator, action="approve")
    assert draws == []  # drawn in the request of the first reader, not in the moderator's
    assert not RenderedDocument.objects.exists()
