"""Letters pages: the outreach tracker, a letter with its downloads and history, and the DOCX and PDF themselves.

Plain HTML forms post here (with CSRF); they are validated by the API's input serializers and applied by the same
domain functions as the API, so both paths keep the same rules. A letter the user may not see answers 404.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_safe

from compliance import letters, roles, scoreboard
from compliance.api.letters import LetterCreateInput, LetterUpdateInput
from compliance.i18n import in_english
from compliance.models import Jurisdiction, Letter

SUGGESTED = "suggested"  # the tracker form's choice "the kind that fits the state's figures"


def _visible_letter(request: HttpRequest, public_id: uuid.UUID) -> Letter:
    return get_object_or_404(
        Letter.objects.visible_to(request.user).select_related("jurisdiction", "author", "responded_by"),
        public_id=public_id,
    )


def _first_errors(errors: dict[str, Any]) -> dict[str, str]:
    """A serializer's errors as one message per field, for a form."""
    return {
        field: str(messages[0]) if isinstance(messages, list) else str(messages) for field, messages in errors.items()
    }


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
@in_english
def tracker_page(request: HttpRequest) -> HttpResponse:
    """Advocates' and AG offices' outreach tracker: letters by state, and (for advocates) a form to write one."""
    may_write = letters.may_track(request.user)
    if not may_write and not roles.ag_office_jurisdiction(request.user):
        raise PermissionDenied
    board = scoreboard.current().data["jurisdictions"]
    form_values = {"jurisdiction": request.GET.get("jurisdiction", "").upper(), "kind": SUGGESTED, "message": ""}
    errors: dict[str, str] = {}
    if request.method == "POST":
        if not may_write:
            raise PermissionDenied
        form_values = {field: request.POST.get(field, "") for field in form_values}
        data = dict(form_values)
        if data["kind"] == SUGGESTED and data["jurisdiction"].upper() in board:
            data["kind"] = letters.suggested_kind(board[data["jurisdiction"].upper()])
        fields = LetterCreateInput(data=data)
        if fields.is_valid():
            jurisdiction = fields.validated_data["jurisdiction"]
            try:
                letter = letters.compose(
                    jurisdiction=jurisdiction,
                    kind=fields.validated_data["kind"],
                    author=request.user,
                    report_url=request.build_absolute_uri(letters.report_path(jurisdiction.code)),
                    message=fields.validated_data["message"],
                )
            except letters.LetterRefused as refused:
                errors = {refused.field or "jurisdiction": refused.detail}
            else:
                return redirect("letter", letter.public_id)
        else:
            errors = _first_errors(fields.errors)
    visible = (
        Letter.objects.visible_to(request.user)
        .select_related("jurisdiction", "author")
        .order_by("jurisdiction__name", "-created_at")
    )
    addressable = Jurisdiction.objects.filter(ag_office__isnull=False).order_by("name") if may_write else []
    return render(
        request,
        "letters/tracker.html",
        {
            "letters": visible,
            "may_write": may_write,
            "jurisdictions": [
                (jurisdiction, letters.suggested_kind(board[jurisdiction.code])) for jurisdiction in addressable
            ],
            "kinds": Letter.Kind.choices,
            "statuses": Letter.Outreach.choices,
            "form": form_values,
            "errors": errors,
        },
        status=400 if errors else 200,
    )


def _form_changes(request: HttpRequest) -> dict[str, Any]:
    """The fields one of the letter page's forms sends; an empty date box means "no date"."""
    if request.POST.get("action") == "response":
        return {"official_response": request.POST.get("official_response", "")}
    changes: dict[str, Any] = {field: request.POST[field] for field in letters.OUTREACH_FIELDS if field in request.POST}
    for field in ("sent_on", "answered_on"):
        if field in changes and not changes[field]:
            changes[field] = None
    return changes


@require_http_methods(["GET", "HEAD", "POST"])
@in_english
def letter_page(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """A letter: its frozen text, downloads, outreach history, and the forms its readers may use."""
    letter = _visible_letter(request, public_id)
    errors: dict[str, str] = {}
    if request.method == "POST":
        changes = LetterUpdateInput(data=_form_changes(request))
        if changes.is_valid():
            try:
                letters.change(letter=letter, by=request.user, changes=changes.validated_data)
            except letters.NotAllowed:
                raise PermissionDenied from None
            if request.POST.get("next") == "tracker":
                return redirect(reverse("letters") + f"#letter-{letter.public_id}")
            return redirect("letter", letter.public_id)
        errors = _first_errors(changes.errors)
    return render(
        request,
        "letters/letter.html",
        {
            "letter": letter,
            "dated": letters.dated(letter),
            "blocks": letters.blocks(letter.body),
            "history": letters.status_history(letter),
            "may_track": letters.may_track(request.user),
            "may_respond": letters.may_respond(request.user, letter),
            "statuses": Letter.Outreach.choices,
            "errors": errors,
        },
        status=400 if errors else 200,
    )


def _download(letter: Letter, content: bytes, extension: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    name = f"signwatch-letter-{letter.jurisdiction.code}-{letter.kind}-{letter.figures.get('dated', '')}.{extension}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    # A letter is private to its readers: no shared cache may keep it.
    response["Cache-Control"] = "private, no-store"
    return response


@require_safe
def letter_docx(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """The letter as an editable Word document."""
    letter = _visible_letter(request, public_id)
    return _download(
        letter,
        letters.to_docx(letter),
        "docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )


@require_safe
def letter_pdf(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """The letter as a PDF, ready to print and sign."""
    letter = _visible_letter(request, public_id)
    return _download(letter, letters.to_pdf(letter), "pdf", "application/pdf")
