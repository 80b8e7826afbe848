"""Stratified samples and the design-based estimate, checked against samplics (a reference survey library)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from compliance import sampling
from compliance.sampling import StratumVisits

with warnings.catch_warnings():
    warnings.simplefilter("ignore", FutureWarning)  # samplics says it is archived; its estimator is still the reference
    from samplics.estimation import TaylorEstimator
    from samplics.utils.types import PopParam

# A worked example: Texas truck stops, hotels and bus stations, as frame sizes and completed visits.
WORKED_EXAMPLE = [
    StratumVisits("truck_stop", frame_size=1380, sampled=90, completed=40, posted=28, could_not_survey=6),
    StratumVisits("hotel_motel", frame_size=212, sampled=68, completed=25, posted=11, could_not_survey=2),
    StratumVisits("bus_station", frame_size=57, sampled=50, completed=12, posted=9),
]


def samplics_estimate(strata: list[StratumVisits]):
    """The same estimate from samplics: one row per visited venue, weight N_h / n_h, fpc 1 - n_h / N_h."""
    posted, stratum_of, weight = [], [], []
    for stratum in strata:
        for visit in range(stratum.completed):
            posted.append(1 if visit < stratum.posted else 0)
            stratum_of.append(stratum.stratum)
            weight.append(stratum.frame_size / stratum.completed)
    estimator = TaylorEstimator(PopParam.prop)
    estimator.estimate(
        y=np.array(posted),
        samp_weight=np.array(weight),
        stratum=np.array(stratum_of),
        fpc={s.stratum: 1 - s.completed / s.frame_size for s in sorted(strata, key=lambda s: s.stratum)},
    )
    return estimator


def test_the_stratified_estimate_matches_samplics_to_1e_9():
    ours = sampling.stratified_estimate(WORKED_EXAMPLE)
    reference = samplics_estimate(WORKED_EXAMPLE)

    assert ours.estimate == pytest.approx(reference.point_est[1], abs=1e-9)
    assert ours.standard_error == pytest.approx(reference.stderror[1], abs=1e-9)
    assert ours.low == pytest.approx(reference.lower_ci[1], abs=1e-9)
    assert ours.high == pytest.approx(reference.upper_ci[1], abs=1e-9)
    assert ours.degrees_of_freedom == reference.degree_of_freedom == 74
    # And by hand: W = (1380, 212, 57) / 1649; p_h = (0.7, 0.44, 0.75).
    assert ours.estimate == pytest.approx((1380 * 0.7 + 212 * 0.44 + 57 * 0.75) / 1649, abs=1e-12)
    assert ours.response_rate == pytest.approx(77 / 85)


def test_a_stratum_of_one_visit_or_fewer_than_ten_visits_is_not_estimable():
    assert sampling.is_estimable(WORKED_EXAMPLE)
    one_visit = [*WORKED_EXAMPLE[:2], StratumVisits("bus_station", 57, 50, completed=1, posted=1)]
    assert not sampling.is_estimable(one_visit)
    with pytest.raises(ValueError, match="two completed visits"):
        sampling.stratified_estimate(one_visit)
    assert not sampling.is_estimable([StratumVisits("truck_stop", 100, 50, completed=9, posted=3)])


def test_all_posted_gives_a_wilson_interval_not_a_zero_width_one():
    estimate = sampling.stratified_estimate([StratumVisits("truck_stop", 100, 20, completed=12, posted=12)])
    assert estimate.estimate == 1.0 and estimate.standard_error == 0.0
    assert 0.6 < estimate.low < 1.0 and estimate.high == pytest.approx(1.0)


@pytest.mark.parametrize(("frame_size", "size"), [(0, 0), (5, 5), (100, 50), (1380, 90), (10_000, 96), (10**7, 97)])
def test_stratum_size_gives_a_ten_point_margin_with_the_finite_population_correction(frame_size, size):
    assert sampling.stratum_size(frame_size) == size


def test_the_draw_is_reproducible_from_its_seed_and_different_for_another():
    frame = {"truck_stop": list(range(1, 1381)), "bus_station": list(range(5000, 5057))}
    sizes = {"truck_stop": 90, "bus_station": 50}

    first = sampling.draw(frame, sizes, seed=20261206)
    again = sampling.draw({k: list(reversed(v)) for k, v in frame.items()}, sizes, seed=20261206)
    other = sampling.draw(frame, sizes, seed=7)

    assert first == again  # the frame's order does not matter, only its contents and the seed
    assert first != other
    assert {k: len(v) for k, v in first.items()} == sizes
    assert all(len(set(ids)) == len(ids) and set(ids) <= set(frame[k]) for k, ids in first.items())
