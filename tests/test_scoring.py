"""Compliance figures from per-venue statuses (pure: plain values, no database).

Expected intervals are worked by hand from the Wilson formula with z = 1.959963984540054 (z² = 3.84146):
centre = (p + z²/2n) / (1 + z²/n), half-width = z·√(p(1−p)/n + z²/4n²) / (1 + z²/n).
"""

import json
from datetime import date, timedelta

import pytest

from compliance import scoring
from compliance.scoring import Coverage, LawPeriod, VenueCount

TODAY = date(2025, 6, 30)
RECENTLY = date(2025, 1, 15)


def mandatory(*venue_types: str, since: date | None = None, until: date | None = None, pk: int = 0) -> LawPeriod:
    return LawPeriod("mandatory", since, until, tuple(Coverage(venue_type) for venue_type in venue_types), pk=pk)


def venues(venue_type: str, status: str, number: int, on: date = RECENTLY) -> VenueCount:
    return VenueCount(venue_type, status, on, number)


def latest_per_venue(venue_type: str, observations: list[tuple[int, str, date]]) -> list[VenueCount]:
    """What the caller's SQL does: each venue once, by its latest approved observation, then grouped."""
    latest: dict[int, tuple[str, date]] = {}
    for venue_id, status, observed_on in observations:
        if venue_id not in latest or observed_on > latest[venue_id][1]:
            latest[venue_id] = (status, observed_on)
    grouped: dict[tuple[str, date], int] = {}
    for status, observed_on in latest.values():
        grouped[(status, observed_on)] = grouped.get((status, observed_on), 0) + 1
    return [VenueCount(venue_type, status, on, number) for (status, on), number in grouped.items()]


def test_eight_posted_of_ten_is_a_rate_of_0_8_with_its_wilson_interval():
    score = scoring.evaluate(
        [venues("truck_stop", "posted", 8), venues("truck_stop", "deficient", 1), venues("truck_stop", "missing", 1)],
        [mandatory("truck_stop")],
        today=TODAY,
    )
    assert score.verdict == "compliance"
    overall = score.overall
    assert overall is not None
    assert (overall.posted, overall.deficient, overall.missing, overall.n) == (8, 1, 1, 10)
    assert overall.rate == 0.8
    # p = 0.8: centre = (0.8 + 0.19207) / 1.38415 = 0.71674; half = 1.96·√(0.016 + 0.0096037) / 1.38415 = 0.22658
    assert overall.low == pytest.approx(0.4902, abs=5e-5)
    assert overall.high == pytest.approx(0.9433, abs=5e-5)
    assert overall.sufficient


def test_all_posted_interval_reaches_one_but_not_below_0_7225():
    # p = 1: centre = 1.19207 / 1.38415 = 0.86123; half = 1.96·√0.0096037 / 1.38415 = 0.13877
    low, high = scoring.wilson_interval(10, 10)
    assert low == pytest.approx(0.7225, abs=5e-5)
    assert high == 1.0


def test_none_posted_interval_starts_at_zero():
    # p = 0 mirrors p = 1: (0, 1 − 0.7225)
    low, high = scoring.wilson_interval(0, 10)
    assert low == 0.0
    assert high == pytest.approx(0.2775, abs=5e-5)


def test_no_venues_gives_the_whole_range_and_no_rate():
    assert scoring.wilson_interval(0, 0) == (0.0, 1.0)
    score = scoring.evaluate([], [mandatory("truck_stop")], today=TODAY)
    assert score.verdict == "insufficient_data"
    assert score.overall == scoring.Rate(0, 0, 0, n=0, rate=None, low=0.0, high=1.0, sufficient=False)


def test_impossible_counts_are_refused():
    with pytest.raises(ValueError):
        scoring.wilson_interval(11, 10)
    with pytest.raises(ValueError):
        VenueCount("bar", "unreadable", RECENTLY, 1)
    with pytest.raises(ValueError):
        VenueCount("bar", "posted", RECENTLY, 0)


def test_fewer_than_ten_venues_is_insufficient_data_but_still_reports_figures():
    score = scoring.evaluate([venues("bar", "posted", 6), venues("bar", "missing", 3)], [mandatory("bar")], today=TODAY)
    assert score.verdict == "insufficient_data"
    overall = score.overall
    assert overall is not None
    assert (overall.posted, overall.missing, overall.n, overall.sufficient) == (6, 3, 9, False)
    # p = 2/3, n = 9: centre = (0.66667 + 0.21341) / 1.42683 = 0.61681; half = 0.26261
    assert overall.low == pytest.approx(0.3542, abs=5e-5)
    assert overall.high == pytest.approx(0.8794, abs=5e-5)
    assert score.by_venue_type[0].figures.sufficient is False


def test_minimum_n_can_be_changed():
    score = scoring.evaluate([venues("bar", "posted", 5)], [mandatory("bar")], today=TODAY, min_n=5)
    assert score.verdict == "compliance"


def test_observation_before_the_law_took_effect_is_excluded_and_counted_as_such():
    law = mandatory("truck_stop", since=date(2024, 7, 1))
    score = scoring.evaluate(
        [venues("truck_stop", "missing", 4, on=date(2024, 6, 30)), venues("truck_stop", "posted", 10)],
        [law],
        today=TODAY,
    )
    assert score.excluded_before_law == 4
    assert score.overall is not None
    assert (score.overall.posted, score.overall.missing, score.overall.n) == (10, 0, 10)


def test_uncovered_venue_type_is_ignored():
    score = scoring.evaluate(
        [venues("truck_stop", "posted", 10), venues("casino", "missing", 50)], [mandatory("truck_stop")], today=TODAY
    )
    assert score.overall is not None
    assert score.overall.n == 10
    assert [item.venue_type for item in score.by_venue_type] == ["truck_stop"]
    assert score.excluded_before_law == 0


def test_conditional_venue_type_is_reported_but_left_out_of_the_headline():
    law = LawPeriod(
        "mandatory", None, None, (Coverage("truck_stop"), Coverage("hotel", "only if cited as a prostitution nuisance"))
    )
    score = scoring.evaluate(
        [
            venues("truck_stop", "posted", 8),
            venues("truck_stop", "missing", 2),
            venues("hotel", "posted", 1),
            venues("hotel", "missing", 11),
        ],
        [law],
        today=TODAY,
    )
    assert score.overall is not None
    assert (score.overall.posted, score.overall.n) == (8, 10)
    hotel = next(item for item in score.by_venue_type if item.venue_type == "hotel")
    assert hotel.condition == "only if cited as a prostitution nuisance"
    assert hotel.counted is False
    assert (hotel.figures.posted, hotel.figures.missing, hotel.figures.n) == (1, 11, 12)
    assert "condition" in str(scoring.METHOD)


def test_freshness_window_includes_730_days_ago_and_ignores_older_and_future_dates():
    score = scoring.evaluate(
        [
            venues("bar", "posted", 10, on=TODAY - timedelta(days=730)),
            venues("bar", "missing", 3, on=TODAY - timedelta(days=731)),
            venues("bar", "missing", 5, on=TODAY + timedelta(days=1)),
            venues("bar", "deficient", 1, on=TODAY),
        ],
        [mandatory("bar")],
        today=TODAY,
    )
    assert score.fresh_since == date(2023, 7, 1)  # 730 days before 2025-06-30 (2024 was a leap year)
    assert score.overall is not None
    assert (score.overall.posted, score.overall.deficient, score.overall.missing) == (10, 1, 0)


def test_each_covered_venue_type_has_its_own_figures_largest_n_first_then_by_slug():
    score = scoring.evaluate(
        [
            venues("bar", "posted", 3),
            venues("airport", "posted", 3),
            venues("truck_stop", "posted", 8),
            venues("truck_stop", "missing", 4),
        ],
        [mandatory("bar", "truck_stop", "airport", "rest_area")],
        today=TODAY,
    )
    ordered = [(item.venue_type, item.figures.n, item.figures.sufficient) for item in score.by_venue_type]
    # rest_area has no data yet and is still listed, so a page can say so
    assert ordered == [("truck_stop", 12, True), ("airport", 3, False), ("bar", 3, False), ("rest_area", 0, False)]
    truck_stops = score.by_venue_type[0].figures
    assert truck_stops.rate == pytest.approx(8 / 12)
    assert all(item.counted and item.condition == "" for item in score.by_venue_type)
    assert score.overall is not None
    assert score.overall.n == 18


@pytest.mark.parametrize(
    "laws",
    [
        [LawPeriod("voluntary", date(2015, 1, 1), None, (Coverage("truck_stop"),))],
        [LawPeriod("none", None, None, ())],
        [LawPeriod("unknown", None, None, ())],
        [],
        [mandatory("truck_stop", until=date(2024, 12, 31))],  # repealed
    ],
    ids=["voluntary", "none", "unknown", "no law", "repealed mandate"],
)
def test_without_a_mandate_today_the_figure_is_a_voluntary_posting_rate_over_all_venues(laws):
    score = scoring.evaluate(
        [venues("truck_stop", "posted", 2), venues("bar", "posted", 1), venues("hotel", "missing", 9)],
        laws,
        today=TODAY,
    )
    assert score.verdict == "no_mandate"
    assert score.overall is None
    assert score.by_venue_type == ()
    voluntary = score.voluntary
    assert voluntary is not None
    assert (voluntary.posted, voluntary.n, voluntary.rate, voluntary.sufficient) == (3, 12, 0.25, True)
    # p = 0.25, n = 12: centre = (0.25 + 0.16006) / 1.32012 = 0.31062; half = 0.22168
    assert voluntary.low == pytest.approx(0.0889, abs=5e-5)
    assert voluntary.high == pytest.approx(0.5323, abs=5e-5)


def test_law_status_names_the_law_in_force_today():
    laws = [LawPeriod("voluntary", None, None, ())]
    assert scoring.evaluate([], laws, today=TODAY).law_status == "voluntary"
    assert scoring.evaluate([], [], today=TODAY).law_status == "unknown"


def test_voluntary_rate_below_minimum_n_is_marked_insufficient():
    score = scoring.evaluate([venues("bar", "posted", 4)], [], today=TODAY)
    assert score.verdict == "no_mandate"
    assert score.voluntary is not None
    assert score.voluntary.sufficient is False


def test_hotels_count_only_from_the_day_a_new_law_added_them():
    old = mandatory("bar", since=date(2010, 1, 1), until=date(2019, 12, 31), pk=1)
    new = mandatory("bar", "hotel", since=date(2020, 1, 1), pk=2)
    score = scoring.evaluate(
        [
            venues("hotel", "missing", 1, on=date(2019, 9, 1)),
            venues("hotel", "posted", 1, on=date(2021, 3, 1)),
            venues("bar", "posted", 1, on=date(2019, 9, 1)),
        ],
        [old, new],
        today=date(2021, 6, 30),  # the window starts 2019-07-01, so both 2019 observations are fresh
    )
    hotel = next(item for item in score.by_venue_type if item.venue_type == "hotel")
    assert (hotel.figures.posted, hotel.figures.missing) == (1, 0)
    assert score.excluded_before_law == 1
    assert score.overall is not None
    assert (score.overall.posted, score.overall.n) == (2, 2)  # the 2019 bar was covered by the old law


def test_a_venue_type_dropped_by_a_new_law_still_counts_when_observed_under_the_old_one():
    old = mandatory("bar", "truck_stop", since=date(2010, 1, 1), until=date(2024, 12, 31), pk=1)
    new = mandatory("bar", since=date(2025, 1, 1), pk=2)
    score = scoring.evaluate(
        [venues("truck_stop", "missing", 2, on=date(2024, 6, 1)), venues("truck_stop", "posted", 5)],
        [old, new],
        today=TODAY,
    )
    # Observed when the law required truck stops to post: it counts. Observed after: nothing required it.
    assert [(item.venue_type, item.figures.missing, item.figures.n) for item in score.by_venue_type] == [
        ("truck_stop", 2, 2),
        ("bar", 0, 0),
    ]
    assert score.excluded_before_law == 0


def test_counted_venue_type_rows_add_up_to_the_headline_when_a_condition_was_lifted():
    old = LawPeriod("mandatory", date(2010, 1, 1), date(2024, 12, 31), (Coverage("hotel", "if cited"),), pk=1)
    new = mandatory("hotel", since=date(2025, 1, 1), pk=2)
    score = scoring.evaluate(
        [venues("hotel", "missing", 3, on=date(2024, 6, 1)), venues("hotel", "posted", 4)],
        [old, new],
        today=TODAY,
    )
    rows = [(item.condition, item.counted, item.figures.n) for item in score.by_venue_type]
    assert rows == [("", True, 4), ("if cited", False, 3)]
    assert score.overall is not None
    assert score.overall.n == sum(item.figures.n for item in score.by_venue_type if item.counted)


def test_a_venue_counts_once_by_its_latest_observation_as_the_caller_aggregates_it():
    # Venue 1 was posted in 2024 and missing in 2025: the caller passes only its latest status.
    counts = latest_per_venue("bar", [(1, "posted", date(2024, 3, 1)), (1, "missing", date(2025, 3, 1))])
    assert counts == [VenueCount("bar", "missing", date(2025, 3, 1), 1)]
    score = scoring.evaluate(counts, [mandatory("bar")], today=TODAY)
    assert score.overall is not None
    assert (score.overall.posted, score.overall.missing, score.overall.n) == (0, 1, 1)


def test_as_dict_is_json_ready_with_iso_dates_and_rounded_rates():
    score = scoring.evaluate(
        [venues("truck_stop", "posted", 8), venues("truck_stop", "missing", 2)], [mandatory("truck_stop")], today=TODAY
    )
    payload = json.loads(json.dumps(scoring.as_dict(score)))
    assert payload["verdict"] == "compliance"
    assert payload["fresh_since"] == "2023-07-01"
    assert payload["overall"] == {
        "posted": 8,
        "deficient": 0,
        "missing": 2,
        "n": 10,
        "rate": 0.8,
        "low": 0.4902,
        "high": 0.9433,
        "sufficient": True,
    }
    assert payload["by_venue_type"][0]["venue_type"] == "truck_stop"
    assert payload["by_venue_type"][0]["figures"]["high"] == 0.9433
    assert payload["voluntary"] is None
    assert payload["excluded_before_law"] == 0


def test_as_dict_without_mandate_has_no_overall_and_a_voluntary_rate():
    payload = json.loads(json.dumps(scoring.as_dict(scoring.evaluate([], [], today=TODAY))))
    assert payload["overall"] is None
    assert payload["voluntary"]["rate"] is None
    assert payload["by_venue_type"] == []


def test_method_states_the_default_window_and_minimum_n():
    method = str(scoring.METHOD)
    assert "24 months (730 days)" in method and scoring.DEFAULT_FRESHNESS_DAYS == 730
    assert f"fewer than {scoring.DEFAULT_MIN_N} venues" in method
    assert "Wilson 95%" in method
