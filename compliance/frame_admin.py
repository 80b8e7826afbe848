"""Staff screens for the venue frame: imports, samples, could-not-survey records, and the venue merge screen.

Imported by admin.py. The merge actions call compliance/merges.py; nothing here decides anything itself.
"""

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from compliance import merges
from compliance.models import FrameImport, Sample, SampleStratum, SurveyAttempt, VenueMerge


@admin.register(FrameImport)
class FrameImportAdmin(admin.ModelAdmin):
    list_display = ["source_name", "jurisdiction", "as_of", "started_at", "finished_at", "counts"]
    readonly_fields = ["source_name", "jurisdiction", "as_of", "started_at", "finished_at", "counts"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


class SampleStratumInline(admin.TabularInline):
    model = SampleStratum
    fields = ["venue_type", "frame_size", "sample_size"]
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(Sample)
class SampleAdmin(admin.ModelAdmin):
    list_display = ["jurisdiction", "drawn_at", "seed", "frame_as_of", "margin_of_error", "superseded_at"]
    list_filter = ["jurisdiction"]
    readonly_fields = ["public_id", "jurisdiction", "seed", "frame_as_of", "margin_of_error", "drawn_at", "drawn_by"]
    exclude = ["superseded_at"]
    inlines = [SampleStratumInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # drawn on /missions/draw/ or with manage.py draw_sample, never typed in


@admin.register(SurveyAttempt)
class SurveyAttemptAdmin(admin.ModelAdmin):
    list_display = ["venue", "reason", "attempted_on", "created_at"]
    list_filter = ["reason"]
    raw_id_fields = ["venue", "submitter"]


@admin.register(VenueMerge)
class VenueMergeAdmin(admin.ModelAdmin):
    """The merge screen: pairs of a volunteer's venue and a frame venue, to merge, decline or undo."""

    list_display = ["volunteer_venue", "frame_venue", "distance_m", "status", "decided_by", "decided_at"]
    list_filter = ["status"]
    list_select_related = ["volunteer_venue__venue_type", "frame_venue__venue_type", "decided_by"]
    readonly_fields = ["volunteer_venue", "frame_venue", "distance_m", "status", "moved_observations", "decided_by"]
    actions = ["merge_pairs", "decline_pairs", "undo_merges"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def _each(self, request: HttpRequest, queryset: QuerySet[VenueMerge], step, done: str) -> None:
        count = 0
        for proposal in queryset:
            try:
                step(proposal, by=request.user)
                count += 1
            except merges.MergeRefused as refused:
                self.message_user(request, f"{proposal}: {refused}", messages.WARNING)
        self.message_user(request, f"{count} {done}.", messages.SUCCESS)

    @admin.action(description=_("Merge: the same place"))
    def merge_pairs(self, request: HttpRequest, queryset: QuerySet[VenueMerge]) -> None:
        self._each(request, queryset, merges.merge, "merged")

    @admin.action(description=_("Decline: two different places"))
    def decline_pairs(self, request: HttpRequest, queryset: QuerySet[VenueMerge]) -> None:
        self._each(request, queryset, merges.decline, "declined")

    @admin.action(description=_("Undo the merge"))
    def undo_merges(self, request: HttpRequest, queryset: QuerySet[VenueMerge]) -> None:
        self._each(request, queryset, merges.undo, "undone")
