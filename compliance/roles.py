"""Who may do what. Roles are Django groups; a superuser may do everything every role may."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, Group, User

MODERATORS = "moderators"
ADVOCATES = "advocates"


def is_moderator(user: User | AbstractBaseUser | AnonymousUser) -> bool:
    """Moderators review volunteers' observations and see their private details (photo, capture point)."""
    if not user.is_authenticated:
        return False
    return bool(getattr(user, "is_superuser", False)) or user.groups.filter(name=MODERATORS).exists()  # type: ignore[union-attr,attr-defined]


def moderators_group() -> Group:
    """The moderators' group (a migration creates it; this also works after a test database flush)."""
    return Group.objects.get_or_create(name=MODERATORS)[0]


def is_advocate(user: User | AbstractBaseUser | AnonymousUser) -> bool:
    """Advocates write letters to AG offices and legislatures and track the answers."""
    if not user.is_authenticated:
        return False
    return bool(getattr(user, "is_superuser", False)) or user.groups.filter(name=ADVOCATES).exists()  # type: ignore[union-attr,attr-defined]


def ag_office_jurisdiction(user: User | AbstractBaseUser | AnonymousUser) -> str | None:
    """The code of the jurisdiction whose AG office this user works for, if any."""
    if not user.is_authenticated:
        return None
    account = getattr(user, "ag_office_account", None)
    return account.jurisdiction.code if account is not None else None


def may_see_private_data_of(user: User | AbstractBaseUser | AnonymousUser, jurisdiction_code: str) -> bool:
    """Full exports and letters of a jurisdiction: staff, advocates, moderators, and that jurisdiction's AG office.

    Everyone else, an AG office of another jurisdiction included, is answered 404 (not 403): the answer must not
    even confirm what exists.
    """
    if not user.is_authenticated:
        return False
    if getattr(user, "is_superuser", False) or is_advocate(user) or is_moderator(user):
        return True
    return ag_office_jurisdiction(user) == jurisdiction_code.upper()


def advocates_group() -> Group:
    """The advocates' group (a migration creates it; this also works after a test database flush)."""
    return Group.objects.get_or_create(name=ADVOCATES)[0]
