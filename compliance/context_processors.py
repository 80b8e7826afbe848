"""What every page needs: the visitor's roles (to show only the links they can use), and the basemap's scripts."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from compliance import roles


def user_roles(request: HttpRequest) -> dict[str, object]:
    """Lazy, so pages that never ask cost no query."""
    user = request.user
    return {
        "user_is_moderator": SimpleLazyObject(lambda: roles.is_moderator(user)),
        "user_writes_letters": SimpleLazyObject(
            lambda: roles.is_advocate(user) or roles.ag_office_jurisdiction(user) is not None
        ),
    }


def basemap(request: HttpRequest) -> dict[str, object]:
    """Whether map pages load the vector basemap's scripts (only when an archive is configured)."""
    return {"vector_basemap": bool(settings.MAP_PMTILES_URL)}
