from django.apps import AppConfig
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils.translation import gettext_lazy as _


class ComplianceConfig(AppConfig):
    name = "compliance"
    verbose_name = _("Posting-law compliance")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from compliance import checks, documents, kept, scoreboard, tallies, webhooks  # noqa: F401 - checks registers the deployment checks
        from compliance.models import (
            AGOffice,
            AGPublicityRecord,
            Campaign,
            CampaignLetter,
            CoveredVenueType,
            Jurisdiction,
            LawSource,
            Letter,
            PostingLaw,
            SignRequirement,
            Supporter,
            Venue,
            VenueType,
        )

        # The figures, reports and signs quote the law data (and reports list letters and their answers): an edit in
        # the admin or the tracker must show at once.
        for model in (Jurisdiction, PostingLaw, CoveredVenueType, LawSource, AGOffice, SignRequirement, Letter):
            post_save.connect(scoreboard.forget_on_change, sender=model, dispatch_uid=f"scoreboard-{model.__name__}")
            post_delete.connect(scoreboard.forget_on_change, sender=model, dispatch_uid=f"scoreboard-{model.__name__}")
        m2m_changed.connect(
            scoreboard.forget_on_change,
            sender=SignRequirement.venue_types.through,
            dispatch_uid="scoreboard-SignRequirement-venue-types",
        )
        # Kept public answers (compliance/kept.py) show these too, and editing them moves no figure.
        for model in (Campaign, Supporter, CampaignLetter, AGPublicityRecord, VenueType):
            post_save.connect(kept.forget_edits, sender=model, dispatch_uid=f"kept-{model.__name__}")
            post_delete.connect(kept.forget_edits, sender=model, dispatch_uid=f"kept-{model.__name__}")
        post_save.connect(kept.forget_venue_edit, sender=Venue, dispatch_uid="kept-Venue-saved")
        post_delete.connect(kept.forget_venue_edit, sender=Venue, dispatch_uid="kept-Venue-deleted")
        # Which law was in force on a report's day decides the count it falls in (compliance/tallies.py).
        post_save.connect(tallies.forget_on_law_change, sender=PostingLaw, dispatch_uid="tallies-law-saved")
        post_delete.connect(tallies.forget_on_law_change, sender=PostingLaw, dispatch_uid="tallies-law-deleted")
        post_delete.connect(tallies.forget_on_venue_delete, sender=Venue, dispatch_uid="tallies-venue-deleted")
        post_save.connect(webhooks.law_changed, sender=PostingLaw, dispatch_uid="webhooks-law-changed")
        # With task workers, a state's report PDF is drawn again as soon as its law or figures change.
        post_save.connect(documents.prepare_report_of_law, sender=PostingLaw, dispatch_uid="documents-law-changed")
