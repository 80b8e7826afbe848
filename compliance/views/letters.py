"""Letters pages: the outreach tracker, a letter with its downloads and history, and the DOCX and PDF themselves.

Plain HTML forms post here (with CSRF); they are validated by the page forms (compliance/forms.py) and applied by
the same domain functions as the API, so both paths keep the same rules. A letter the user may not see answers 404.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from compliance import documents, letters, missions, outreach, roles, scoreboard
from compliance.forms import SUGGESTED, AnswerForm, LetterForm, OutreachForm
from compliance.i18n import in_english
from compliance.models import Jurisdiction, Letter, Sample
from compliance.views.documents import serve


def _visible_letter(request: HttpRequest, public_id: uuid.UUID) -> Letter:
    return get_object_or_404(
        Letter.objects.visible_to(request.user).select_related("jurisdiction", "author", "responded_by"),
        public_id=public_id,
    )


def _first_errors(form: Any) -> dict[str, str]:
    """A form's errors as one message per field."""
    return {field: str(messages[0]) for field, messages in form.errors.items()}


@require_http_methods(["GET", "HEAD", "POST"])
@never_cache
@login_required
@in_english
def tracker_page(request: HttpRequest) -> HttpResponse:
    """Advocates' and AG offices' outreach tracker: letters by state, and (for advocates) a form to write one."""
    may_write = outreach.may_track(request.user)
    if not may_write and not roles.ag_office_jurisdiction(request.user):
        raise PermissionDenied
    board = scoreboard.current().data["jurisdictions"]
    form_values = {"jurisdiction": request.GET.get("jurisdiction", "").upper(), "kind": SUGGESTED, "message": ""}
    errors: dict[str, str] = {}
    if request.method == "POST":
        if not may_write:
            raise PermissionDenied
        form_values = {field: request.POST.get(field, "") for field in form_values}
        form = LetterForm(form_values)
        if form.is_valid():
            jurisdiction = form.cleaned_data["jurisdiction"]
            kind = form.cleaned_data["kind"]
            if kind == SUGGESTED:
                kind = letters.suggested_kind(board[jurisdiction.code])
            try:
                letter = letters.compose(
                    jurisdiction=jurisdiction,
                    kind=kind,
                    author=request.user,
                    report_url=request.build_absolute_uri(letters.report_path(jurisdiction.code)),
                    message=form.cleaned_data["message"],
                )
            except letters.LetterRefused as refused:
                errors = {refused.field or "jurisdiction": refused.detail}
            else:
                return redirect("letter", letter.public_id)
        else:
            errors = _first_errors(form)
    visible = list(
        Letter.objects.visible_to(request.user)
        .select_related("jurisdiction", "author")
        .order_by("jurisdiction__name", "-created_at")
    )
    # A letter that went out suggests a re-survey of its state's venues (or says the one drawn since is under way).
    samples = {sample.jurisdiction_id: sample for sample in Sample.objects.current()}
    for letter in visible:
        letter.resurvey = (  # type: ignore[attr-defined]
            missions.resurvey_after(letter.jurisdiction, letter.sent_on, current=samples.get(letter.jurisdiction_id))
            if letter.outreach_status in outreach.SENT_STATUSES and letter.sent_on
            else None
        )
    addressable = Jurisdiction.objects.filter(ag_office__isnull=False).order_by("name") if may_write else []
    return render(
        request,
        "letters/tracker.html",
        {
            "letters": visible,
            "may_write": may_write,
            "may_draw": missions.may_draw(request.user),
            "jurisdictions": [
                (jurisdiction, letters.suggested_kind(board[jurisdiction.code])) for jurisdiction in addressable
            ],
            "kinds": Letter.Kind.writable(),
            "statuses": Letter.Outreach.choices,
            "form": form_values,
            "errors": errors,
        },
        status=400 if errors else 200,
    )


@require_http_methods(["GET", "HEAD", "POST"])
@never_cache
@in_english
def letter_page(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """A letter: its frozen text, downloads, outreach history, and the forms its readers may use."""
    letter = _visible_letter(request, public_id)
    errors: dict[str, str] = {}
    if request.method == "POST":
        answering = request.POST.get("action") == "response"
        form = AnswerForm(request.POST, request.FILES) if answering else OutreachForm(request.POST)
        if form.is_valid():
            try:
                outreach.change(letter=letter, by=request.user, changes=form.changes())
            except outreach.NotAllowed:
                raise PermissionDenied from None
            except outreach.InvalidChange as refused:
                errors = {refused.field: refused.detail}
            else:
                if request.POST.get("next") == "tracker":
                    return redirect(reverse("letters") + f"#letter-{letter.public_id}")
                return redirect("letter", letter.public_id)
        else:
            errors = _first_errors(form)
    return render(
        request,
        "letters/letter.html",
        {
            "letter": letter,
            "dated": letters.dated(letter),
            "blocks": letters.blocks(letter.body),
            "history": outreach.status_history(letter),
            "may_track": outreach.may_track(request.user),
            "may_respond": outreach.may_respond(request.user, letter),
            "statuses": Letter.Outreach.choices,
            "errors": errors,
        },
        status=400 if errors else 200,
    )


@require_safe
def answer_attachment(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """The office's answer as it sent it (a PDF): public, like the answer's text, once the letter went out."""
    letter = get_object_or_404(Letter.objects.sent(), public_id=public_id)
    if not letter.answer_attachment:
        raise Http404
    with letter.answer_attachment.open("rb") as stored:
        content = stored.read()
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'inline; filename="answer-{letter.jurisdiction.code}-{letter.answered_on or letter.sent_on}.pdf"'
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_safe
def letter_docx(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """The letter as an editable Word document (drawn here: python-docx takes milliseconds, not a second)."""
    letter = _visible_letter(request, public_id)
    response = HttpResponse(
        letters.to_docx(letter),
        content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )
    response["Content-Disposition"] = f'attachment; filename="{letters.file_name(letter, "docx")}"'
    # A letter is private to its readers: no shared cache may keep it.
    response["Cache-Control"] = "private, no-store"
    return response


@require_safe
def letter_pdf(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """The letter as a PDF, ready to print and sign (drawn off the request path when task workers run)."""
    letter = _visible_letter(request, public_id)
    wanted = documents.Wanted(documents.Kind.LETTER_PDF, str(letter.public_id), documents.letter_stamp(letter))
    return serve(
        request,
        documents.obtain(wanted),
        content_type="application/pdf",
        disposition="attachment",
        filename=letters.file_name(letter, "pdf"),
        private=True,
    )
