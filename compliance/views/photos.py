"""Photo files: public once their volunteer's observation is approved, otherwise for moderators only (an owner's
photo among them: nothing of an owner's report is public but the claim's sentence and date)."""

from __future__ import annotations

import uuid

from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_safe

from compliance import roles
from compliance.models import Photo


def _photo_file(request: HttpRequest, public_id: uuid.UUID, thumbnail: bool) -> FileResponse:
    photo = get_object_or_404(Photo.objects.select_related("observation"), public_id=public_id)
    public = photo.observation.is_public
    if not public and not roles.is_moderator(request.user):
        raise Http404  # not 403: the answer must not confirm that an unpublished photo exists
    name = photo.thumbnail.name if thumbnail else photo.image.name
    try:
        handle = default_storage.open(name, "rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, content_type="image/jpeg")
    # Approved photos may be cached anywhere; a moderator's view of a pending one only by their own browser.
    response["Cache-Control"] = "public, max-age=86400" if public else "private, no-store"
    return response


@require_safe
def photo(request: HttpRequest, public_id: uuid.UUID) -> FileResponse:
    """A cleaned photo: public once its observation is approved, otherwise moderators only."""
    return _photo_file(request, public_id, thumbnail=False)


@require_safe
def photo_thumbnail(request: HttpRequest, public_id: uuid.UUID) -> FileResponse:
    """A photo's thumbnail, under the same rule."""
    return _photo_file(request, public_id, thumbnail=True)
