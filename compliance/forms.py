"""The pages' forms. The API validates with its own serializers; both hand what they accept to the same domain
functions (compliance/letters.py writes letters, compliance/outreach.py records what became of them), which hold the
rules both must keep."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from compliance import campaigns, observations, photos
from compliance.models import Jurisdiction, Letter

SUGGESTED = "suggested"  # the tracker form's choice "the kind that fits the state's figures"


class LetterForm(forms.Form):
    """The tracker's "write a letter" form (advocates)."""

    jurisdiction = forms.CharField(max_length=2)
    kind = forms.ChoiceField(choices=[(SUGGESTED, _("Suggested")), *Letter.Kind.writable()])
    message = forms.CharField(max_length=5000, required=False)

    def clean_jurisdiction(self) -> Jurisdiction:
        jurisdiction = Jurisdiction.objects.filter(code=self.cleaned_data["jurisdiction"].strip().upper()).first()
        if jurisdiction is None:
            raise forms.ValidationError(_("There is no jurisdiction with this code."), code="unknown_jurisdiction")
        return jurisdiction


class OutreachForm(forms.Form):
    """The letter page's outreach form (advocates): status, dates, notes. An empty date box means "no date"."""

    outreach_status = forms.ChoiceField(choices=Letter.Outreach.choices)
    sent_on = forms.DateField(required=False)
    answered_on = forms.DateField(required=False)
    notes = forms.CharField(max_length=5000, required=False)

    def changes(self) -> dict[str, Any]:
        """The fields the form sent, as outreach.change() takes them."""
        return {field: value for field, value in self.cleaned_data.items() if field in self.data}


class AnswerForm(forms.Form):
    """The letter page's answer form (the letter's AG office, or staff on its behalf)."""

    official_response = forms.CharField(max_length=20000)
    answered_on = forms.DateField(required=False)
    answer_attachment = forms.FileField(required=False)

    def changes(self) -> dict[str, Any]:
        changes = {"official_response": self.cleaned_data["official_response"]}
        if self.cleaned_data.get("answered_on"):
            changes["answered_on"] = self.cleaned_data["answered_on"]
        if self.cleaned_data.get("answer_attachment"):
            changes["answer_attachment"] = self.cleaned_data["answer_attachment"]
        return changes


class SettleDisputeForm(forms.Form):
    """A moderator's ruling on a disputed venue: the latest report stands, and why."""

    reason = forms.CharField(
        label=_("Why the latest report stands"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )


class SupportForm(forms.Form):
    """A campaign's support form (the page); the API takes the same through its serializer."""

    name = forms.CharField(label=_("Your name"), max_length=120)
    email = forms.EmailField(label=_("Your email"), max_length=254)
    zip_code = forms.CharField(label=_("ZIP code"), max_length=10)
    personal_line = forms.CharField(label=_("A line of your own (optional)"), max_length=500, required=False)
    consent_to_contact = forms.BooleanField(label=_("The campaign may write to me about it"), required=False)
    public_name = forms.BooleanField(label=_("Show my name with the campaign and in its letter"), required=False)
    # The honeypot: hidden from people, filled in by bots.
    website = forms.CharField(required=False)

    def clean_name(self) -> str:
        name = campaigns.supporter_name(self.cleaned_data["name"])
        if not name:
            raise forms.ValidationError(_("Please give your name."))
        return name

    def clean_zip_code(self) -> str:
        zip_code = campaigns.five_digit_zip(self.cleaned_data["zip_code"])
        if zip_code is None:
            raise forms.ValidationError(_("A ZIP code is five digits, e.g. 78701."), code="invalid")
        return zip_code


class CampaignForm(forms.Form):
    """An advocate opens a campaign from the state page (the API takes the same through its serializer)."""

    ask = forms.CharField(
        label=_("What supporters ask the Attorney General to do"), max_length=2000, widget=forms.Textarea
    )
    starts_on = forms.DateField(label=_("Starts on (today if left empty)"), required=False)
    ends_on = forms.DateField(label=_("Ends on"))
    milestones = forms.CharField(
        label=_("Milestones: supporter counts at which the letter goes (comma-separated)"),
        max_length=200,
        required=False,
        initial="100, 500, 1000, 5000",
    )

    def clean_milestones(self) -> list[int] | None:
        text = self.cleaned_data["milestones"].strip()
        if not text:
            return None
        try:
            return [int(part) for part in text.replace(" ", "").split(",") if part]
        except ValueError:
            raise forms.ValidationError(_("Milestones are numbers of supporters, 1 or more.")) from None


class OwnerReportForm(forms.Form):
    """A venue owner reports the sign posted now (the venue page's and the sign page's link lead here); the API takes
    the same through its serializer. The photo is checked and cleaned here by the intake every report goes through."""

    photo = forms.FileField(
        label=_("A photo of the sign where it is posted"),
        widget=forms.ClearableFileInput(attrs={"accept": "image/*"}),
        error_messages={"required": _("Add a photo of the sign where it is posted.")},
    )
    posted_on = forms.DateField(
        label=_("Posted on"), initial=timezone.localdate, widget=forms.DateInput(attrs={"type": "date"})
    )
    email = forms.EmailField(
        label=_("Your email (optional): to hear what the moderators decide. Never shown to anyone."),
        max_length=254,
        required=False,
    )

    def clean_posted_on(self) -> datetime.date:
        posted_on: datetime.date = self.cleaned_data["posted_on"]
        if posted_on > timezone.localdate() + datetime.timedelta(days=1):
            raise forms.ValidationError(_("The date cannot be in the future."), code="future_date")
        return posted_on

    def clean_photo(self) -> photos.CleanPhoto:
        upload = self.cleaned_data["photo"]
        limits = observations.intake_limits()
        if upload.size is not None and upload.size > limits.max_bytes:  # refused before it is read into memory
            raise forms.ValidationError(
                _("Each photo must be at most %(mib)d MiB.") % {"mib": limits.max_bytes // (1024 * 1024)},
                code="file_too_large",
            )
        try:
            return photos.process(upload.read(), limits=limits)
        except photos.PhotoRejected as rejected:
            raise forms.ValidationError(rejected.detail, code=rejected.code) from None
