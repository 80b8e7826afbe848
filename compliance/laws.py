"""Which posting rule applies: the law in force in a jurisdiction on a date, and the venue types it covers."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Protocol, TypeVar


class HasEffectivePeriod(Protocol):
    """A posting law, or the scoring module's plain copy of one: what deciding "in force" needs."""

    @property
    def effective_from(self) -> datetime.date | None: ...

    @property
    def effective_to(self) -> datetime.date | None: ...

    @property
    def pk(self) -> int | None: ...


LawT = TypeVar("LawT", bound=HasEffectivePeriod)


def is_in_force(law: HasEffectivePeriod, on: datetime.date) -> bool:
    """Whether the law's effective period includes the date; an unknown start or end counts as open."""
    starts_ok = law.effective_from is None or law.effective_from <= on
    ends_ok = law.effective_to is None or law.effective_to >= on
    return starts_ok and ends_ok


def law_in_force(laws: Iterable[LawT], on: datetime.date) -> LawT | None:
    """The one law of a jurisdiction in force on the date: the latest to take effect when periods overlap."""
    candidates = [law for law in laws if is_in_force(law, on)]
    if not candidates:
        return None
    return max(candidates, key=lambda law: (law.effective_from or datetime.date.min, law.pk or 0))
