"""Who may do what. Roles are Django groups; a superuser may do everything every role may."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, Group

MODERATORS = "moderators"


def is_moderator(user: AbstractBaseUser | AnonymousUser) -> bool:
    """Moderators review volunteers' observations and see their private details (photo, capture point)."""
    if not user.is_authenticated:
        return False
    return bool(getattr(user, "is_superuser", False)) or user.groups.filter(name=MODERATORS).exists()  # type: ignore[union-attr]


def moderators_group() -> Group:
    """The moderators' group (a migration creates it; this also works after a test database flush)."""
    return Group.objects.get_or_create(name=MODERATORS)[0]
