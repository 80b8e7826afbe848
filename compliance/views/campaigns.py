"""A campaign's pages: the phone-first support form, the confirmation link, and the supporter list as CSV."""

from __future__ import annotations

import csv

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import ensure_csrf_cookie
from django.views.decorators.http import require_http_methods, require_safe
from rest_framework.parsers import FormParser
from rest_framework.request import Request
from rest_framework.throttling import ScopedRateThrottle

from compliance import campaigns
from compliance.api.campaigns import EmailDomainThrottle, Supporters
from compliance.forms import CampaignForm, SupportForm
from compliance.models import Campaign, Jurisdiction
from compliance.reports import filename


def _campaign(code: str) -> Campaign:
    campaign = Campaign.objects.current_for(code)
    if campaign is None:
        raise Http404
    return campaign


def _throttled(request: HttpRequest) -> bool:
    """The API's sign-up throttles (per client address, per email domain), applied to the page's form too."""
    wrapped = Request(request, parsers=[FormParser()])
    view = Supporters()
    return not all(throttle.allow_request(wrapped, view) for throttle in (ScopedRateThrottle(), EmailDomainThrottle()))


@require_http_methods(["GET", "HEAD", "POST"])
@ensure_csrf_cookie
def campaign_page(request: HttpRequest, code: str) -> HttpResponse:
    """The campaign and its support form; campaign.js sends it through the API (and keeps it while offline)."""
    campaign = _campaign(code)
    form = SupportForm()
    status = 200
    signed_up = False
    if request.method == "POST":
        form = SupportForm(request.POST)
        if _throttled(request):
            status = 429
        elif form.is_valid():
            data = form.cleaned_data
            try:
                campaigns.support(
                    campaign,
                    name=data["name"],
                    email=data["email"],
                    zip_code=data["zip_code"],
                    personal_line=data["personal_line"],
                    consent_to_contact=data["consent_to_contact"],
                    public_name=data["public_name"],
                    honeypot=data["website"],
                )
            except campaigns.SupportRefused:
                status = 409  # the page says the campaign has closed, and shows no form
            else:
                # The same answer whatever happened: it must not tell whether this address already supports it.
                signed_up = True
                status = 202
                form = SupportForm()
        else:
            status = 400
    return render(
        request,
        "campaigns/campaign.html",
        {
            "campaign": campaign,
            "figures": campaigns.public_figures(campaign),
            "ag_record": campaigns.publicity_record(campaign.jurisdiction),
            "form": form,
            "signed_up": signed_up,
            "throttled": status == 429,
        },
        status=status,
    )


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def confirm_page(request: HttpRequest, token: str) -> HttpResponse:
    """The emailed link: GET asks (mail scanners open links), POST counts the supporter."""
    refused: campaigns.ConfirmationRefused | None = None
    supporter = None
    if request.method == "POST":
        try:
            supporter = campaigns.confirm(token)
        except campaigns.ConfirmationRefused as error:
            refused = error
    response = render(
        request,
        "campaigns/confirm.html",
        {"supporter": supporter, "refused": refused},
        status=410 if refused and refused.code in ("expired", "used", "closed") else 400 if refused else 200,
    )
    response["Cache-Control"] = "no-store"
    return response


@require_safe
@never_cache
def supporters_csv(request: HttpRequest, code: str) -> HttpResponse:
    """The confirmed supporters as CSV, for advocates and the target AG office (404 for anyone else)."""
    campaign = _campaign(code)
    if not campaigns.may_see_supporters(request.user, campaign):
        raise Http404
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    name = filename(campaign.jurisdiction, timezone.localdate(), "supporters.csv")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    csv.writer(response).writerows(campaigns.supporter_rows(campaign))
    return response


@require_http_methods(["GET", "HEAD", "POST"])
def open_page(request: HttpRequest, code: str) -> HttpResponse:
    """An advocate opens a campaign on the jurisdiction's AG office (others: 404, as for every advocate's page)."""
    if not campaigns.may_open(request.user):
        raise Http404
    jurisdiction = get_object_or_404(Jurisdiction, code=code.upper())
    form = CampaignForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            campaigns.open_campaign(
                jurisdiction=jurisdiction,
                ask=data["ask"],
                opened_by=request.user,
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                milestones=data["milestones"],
            )
        except campaigns.CampaignRefused as refused:
            form.add_error(refused.field if refused.field in form.fields else None, refused.detail)
        else:
            return redirect("campaign", jurisdiction.code)
    status = 400 if request.method == "POST" else 200
    return render(request, "campaigns/open.html", {"jurisdiction": jurisdiction, "form": form}, status=status)
