"""Mission pages: the volunteer's "survey near me" (usable offline once loaded) and the staff page to draw a sample."""

from __future__ import annotations

from django import forms
from django.contrib.admin.views.decorators import staff_member_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import ensure_csrf_cookie
from django.views.decorators.http import require_http_methods, require_safe

from compliance import frame, missions, sampling
from compliance.models import Jurisdiction, SurveyAttempt


@require_safe
@ensure_csrf_cookie
def survey_page(request: HttpRequest) -> HttpResponse:
    """The phone page; survey.js asks /api/missions/nearby/ for the list and keeps the last one on the phone."""
    return render(
        request,
        "compliance/survey.html",
        {
            "reasons": SurveyAttempt.Reason.choices,
            "attribution": frame.ATTRIBUTION,
            "licence_url": frame.LICENCE_URL,
        },
    )


class DrawSampleForm(forms.Form):
    jurisdiction = forms.ModelChoiceField(queryset=Jurisdiction.objects.order_by("name"), label=_("Jurisdiction"))
    seed = forms.IntegerField(
        required=False, min_value=0, max_value=2**62, label=_("Seed"), help_text=_("Empty: a fresh random seed.")
    )
    margin_of_error = forms.FloatField(
        initial=sampling.DEFAULT_MARGIN_OF_ERROR,
        min_value=0.01,
        max_value=0.5,
        label=_("Target margin of error per venue type"),
        help_text=_("As a share: 0.10 is ±10 points at 95%."),
    )


@require_http_methods(["GET", "HEAD", "POST"])
@staff_member_required
def draw_sample_page(request: HttpRequest) -> HttpResponse:
    """Staff draw a jurisdiction's sample (it replaces the current one), as manage.py draw_sample does."""
    # The letter tracker's "draw a re-survey sample" link names the jurisdiction: the form opens with it chosen.
    chosen = Jurisdiction.objects.filter(code=request.GET.get("jurisdiction", "").upper()).first()
    form = DrawSampleForm(request.POST or None, initial={"jurisdiction": chosen})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            sample = missions.draw_sample(
                jurisdiction=data["jurisdiction"],
                seed=data["seed"],
                margin_of_error=data["margin_of_error"],
                drawn_by=request.user,
            )
        except missions.NothingToSample as refused:
            form.add_error("jurisdiction", str(refused))
        else:
            return redirect("jurisdiction", code=sample.jurisdiction.code)
    return render(request, "compliance/draw_sample.html", {"form": form})
