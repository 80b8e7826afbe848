"""Stratified random samples of the venue frame, and the design-based estimate of compliance they allow.

Pure module: no Django, no database. The caller passes the frame as venue ids per stratum (a covered venue type)
and, for the estimate, per stratum the frame size N_h, the completed visits n_h and how many found the sign posted.

The method (METHOD below is the wording the method page shows):
- Stratum h's sample size is the size a simple random sample needs for a 95% margin of error `e` on a share, at
  the most demanding share (p = 0.5), with the finite-population correction: n0 = z² p (1 - p) / e²,
  n_h = ceil(n0 / (1 + (n0 - 1) / N_h)), never more than N_h.
- The draw is reproducible: each stratum's venue ids are sorted and `random.Random(f"{seed}:{stratum}")` picks
  n_h of them. Publishing the seed and the frame's as-of date lets anyone redraw the same sample.
- The estimate: p_st = Σ W_h p_h with W_h = N_h / N (the same as weighting each visited venue by N_h / n_h);
  its variance Σ W_h² (1 - n_h / N_h) s_h² / n_h with s_h² = n_h p_h (1 - p_h) / (n_h - 1), the textbook
  stratified estimator (Cochran, Sampling Techniques, 5.3 and 5A.4). Sampled venues that could not be surveyed
  are non-response: n_h counts completed visits only, which assumes they resemble the visited ones of their
  stratum; the response rate is published beside the figure.
- The 95% interval is computed on the logit scale with Student's t at n - H degrees of freedom and transformed
  back (so it stays inside [0, 1]), as survey packages do (samplics' default); when every visit found the same
  answer (p_st is 0 or 1), the logit is undefined and a Wilson interval on n is given instead.
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _
from scipy.stats import t as student_t

from compliance.scoring import Z95, wilson_interval

DEFAULT_MARGIN_OF_ERROR = 0.10
MIN_VISITS_PER_STRATUM = 2  # a stratum's variance needs two visits
MIN_VISITS = 10  # as for the convenience figure, fewer visits give no verdict

METHOD = _(
    "Where a state's venue frame (every covered venue OpenStreetMap knows of) has been sampled, we also give a "
    "design-based estimate. Staff draw a stratified random sample: the strata are the venue types the law covers "
    "without a condition, each stratum's size is what a 95% margin of error of ±10 points needs (with the finite-"
    "population correction), and the draw is reproducible from its published seed and the frame's date. Volunteers "
    "visit the sampled venues; a venue counts when it has an approved report from the last 24 months. The estimate "
    "weights each stratum by its share of the frame (each visited venue by N_h / n_h), with the finite-population "
    "correction in its variance and a 95% interval computed on the logit scale with Student's t. Sampled venues "
    "that could not be surveyed (closed, no access) are counted and reported as non-response. We publish the "
    "estimate once every stratum has at least 2 completed visits and the sample has at least 10; from then on, "
    "letters quote it rather than the figure over the venues volunteers chose to visit."
)


def stratum_size(frame_size: int, margin_of_error: float = DEFAULT_MARGIN_OF_ERROR, z: float = Z95) -> int:
    """Venues to draw from a stratum of frame_size for a margin of error at 95% (p = 0.5, with the fpc)."""
    if frame_size <= 0:
        return 0
    if not 0 < margin_of_error < 1:
        raise ValueError(f"margin of error {margin_of_error} is not between 0 and 1")
    n0 = z * z * 0.25 / (margin_of_error * margin_of_error)
    return min(frame_size, math.ceil(n0 / (1 + (n0 - 1) / frame_size)))


def draw(frame: Mapping[str, Sequence[int]], sizes: Mapping[str, int], *, seed: int) -> dict[str, list[int]]:
    """Per stratum, sizes[stratum] ids drawn without replacement from the frame; the same inputs, the same draw."""
    drawn = {}
    for stratum in sorted(frame):
        ids = sorted(frame[stratum])
        size = min(sizes.get(stratum, 0), len(ids))
        # Reproducible on purpose (anyone can redraw it from the published seed), so not a cryptographic generator.
        drawn[stratum] = random.Random(f"{seed}:{stratum}").sample(ids, size)  # noqa: S311
    return drawn


@dataclass(frozen=True)
class StratumVisits:
    """One stratum's frame size N_h, sample size, completed visits n_h, posted signs found, and non-response."""

    stratum: str
    frame_size: int
    sampled: int
    completed: int
    posted: int
    could_not_survey: int = 0

    @property
    def share_posted(self) -> float | None:
        return self.posted / self.completed if self.completed else None


@dataclass(frozen=True)
class DesignEstimate:
    """The stratified estimate of the share of venues posting the sign, with its standard error and 95% interval."""

    estimate: float
    standard_error: float
    low: float
    high: float
    n: int
    strata: int
    degrees_of_freedom: int
    response_rate: float | None

    def as_dict(self) -> dict[str, object]:
        return {
            "estimate": round(self.estimate, 4),
            "standard_error": round(self.standard_error, 4),
            "low": round(self.low, 4),
            "high": round(self.high, 4),
            "n": self.n,
            "strata": self.strata,
            "degrees_of_freedom": self.degrees_of_freedom,
            "response_rate": round(self.response_rate, 4) if self.response_rate is not None else None,
        }


def is_estimable(strata: Sequence[StratumVisits]) -> bool:
    """Whether the visits suffice: every stratum with MIN_VISITS_PER_STRATUM, and MIN_VISITS in all."""
    return (
        bool(strata)
        and all(stratum.completed >= MIN_VISITS_PER_STRATUM for stratum in strata)
        and sum(stratum.completed for stratum in strata) >= MIN_VISITS
    )


def stratified_estimate(strata: Sequence[StratumVisits], confidence: float = 0.95) -> DesignEstimate:
    """The design-based estimate over strata that each have at least two completed visits (see the module doc)."""
    if not strata or any(stratum.completed < MIN_VISITS_PER_STRATUM for stratum in strata):
        raise ValueError("every stratum needs at least two completed visits")
    if any(stratum.completed > stratum.frame_size for stratum in strata):
        raise ValueError("a stratum has more completed visits than venues in its frame")
    population = sum(stratum.frame_size for stratum in strata)
    estimate = 0.0
    variance = 0.0
    for stratum in strata:
        weight = stratum.frame_size / population
        n_h = stratum.completed
        p_h = stratum.posted / n_h
        s2_h = n_h * p_h * (1 - p_h) / (n_h - 1)
        estimate += weight * p_h
        variance += weight * weight * (1 - n_h / stratum.frame_size) * s2_h / n_h
    standard_error = math.sqrt(variance)
    n = sum(stratum.completed for stratum in strata)
    degrees_of_freedom = n - len(strata)
    quantile = float(student_t.ppf(1 - (1 - confidence) / 2, degrees_of_freedom))
    if 0 < estimate < 1:
        logit = math.log(estimate / (1 - estimate))
        half_width = quantile * standard_error / (estimate * (1 - estimate))
        low, high = _expit(logit - half_width), _expit(logit + half_width)
    else:
        low, high = wilson_interval(round(estimate * n), n, z=quantile)
    attempted = sum(stratum.completed + stratum.could_not_survey for stratum in strata)
    return DesignEstimate(
        estimate=estimate,
        standard_error=standard_error,
        low=low,
        high=high,
        n=n,
        strata=len(strata),
        degrees_of_freedom=degrees_of_freedom,
        response_rate=n / attempted if attempted else None,
    )


def _expit(value: float) -> float:
    return 1 / (1 + math.exp(-value))
