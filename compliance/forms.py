"""Forms for the pages (the API validates with its own serializers)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class SettleDisputeForm(forms.Form):
    """A moderator's ruling on a disputed venue: the latest report stands, and why."""

    reason = forms.CharField(
        label=_("Why the latest report stands"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )
