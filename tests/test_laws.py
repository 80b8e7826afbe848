"""Which law is in force on a date (pure: unsaved instances, no database)."""

import datetime

from compliance import laws
from compliance.models import PostingLaw

D = datetime.date


def test_open_ended_law_is_in_force_any_day():
    law = PostingLaw(effective_from=None, effective_to=None)
    assert laws.is_in_force(law, D(1990, 1, 1))


def test_law_is_not_in_force_before_it_takes_effect():
    law = PostingLaw(effective_from=D(2013, 1, 1))
    assert not laws.is_in_force(law, D(2012, 12, 31))
    assert laws.is_in_force(law, D(2013, 1, 1))


def test_repealed_law_is_not_in_force_after_its_end():
    law = PostingLaw(effective_from=D(2013, 1, 1), effective_to=D(2019, 6, 30))
    assert laws.is_in_force(law, D(2019, 6, 30))
    assert not laws.is_in_force(law, D(2019, 7, 1))


def test_amended_law_replaces_the_older_one_from_its_start():
    old = PostingLaw(pk=1, effective_from=D(2013, 1, 1), citation="old")
    new = PostingLaw(pk=2, effective_from=D(2020, 1, 1), citation="new")
    assert laws.law_in_force([old, new], D(2015, 5, 5)).citation == "old"
    assert laws.law_in_force([old, new], D(2021, 5, 5)).citation == "new"


def test_no_law_in_force_before_any_took_effect():
    assert laws.law_in_force([PostingLaw(effective_from=D(2020, 1, 1))], D(2019, 1, 1)) is None
    assert laws.law_in_force([], D(2019, 1, 1)) is None


def test_low_confidence_law_is_unverified():
    assert not PostingLaw(confidence="low").is_verified
    assert PostingLaw(confidence="medium").is_verified
