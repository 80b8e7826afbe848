"""Benchmark moderation at scale: deciding reports one request each against a bulk decision, on SQLite.

    .venv/bin/python benchmarks/moderation.py [--reports 1000] [--workdir DIR]

Builds a fresh SQLite database (migrate, load_reference_data), then, in a subprocess, seeds pending unflagged
reports and decides them through Django's test Client and the whole middleware stack: half one request per report
(POST /api/moderation/observations/{id}/), half in bulk requests of 100 (POST /api/moderation/bulk/). It also times
the filtered queue a bulk decision starts from (GET /api/moderation/queue/?flag=none&limit=200). Prints the figures
and writes them into the "## Moderation" section of docs/benchmarks.md, leaving any other section alone.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))  # run as a plain script, so the project is not on the path by itself

from benchmarks import report  # noqa: E402 -- needs the path set up above
from benchmarks.compliance_map import fresh_database, measure_in_subprocess  # noqa: E402

SECTION_TITLE = "## Moderation"
COMMAND = ".venv/bin/python benchmarks/moderation.py"
BULK_SIZE = 100
QUEUE_RUNS = 20


def seed(count: int) -> list[str]:
    """Pending, unflagged reports of distinct Texas truck stops; their public ids."""
    import uuid

    from compliance import geo
    from compliance.models import Jurisdiction, Observation, Venue, VenueType

    texas = Jurisdiction.objects.get(code="TX")
    truck_stop = VenueType.objects.get(slug="truck_stop")
    venues = Venue.objects.bulk_create(
        Venue(
            venue_type=truck_stop,
            latitude=30.0 + 0.001 * n,
            longitude=-97.7,
            jurisdiction=texas,
            tile_key=geo.tile_key(30.0 + 0.001 * n, -97.7),
        )
        for n in range(count)
    )
    reports = Observation.objects.bulk_create(
        Observation(
            venue=venue,
            sign_status="posted" if n % 3 else "missing",
            observed_on=datetime.date(2026, 11, 1),
            captured_latitude=venue.latitude,
            captured_longitude=venue.longitude,
            location_source="device",
            receipt=uuid.uuid4().hex,
        )
        for n, venue in enumerate(venues)
    )
    return [str(observation.public_id) for observation in reports]


def measure(reports: int) -> dict[str, Any]:
    """Milliseconds per report decided one by one and in bulk, and the filtered queue's answer time."""
    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.test import Client

    from compliance import roles
    from compliance.models import Observation

    moderator = User.objects.create_user(f"bench-{time.time_ns()}")
    moderator.groups.add(roles.moderators_group())
    client = Client()
    client.force_login(moderator)
    ids = seed(reports)
    half = len(ids) // 2

    queue_samples = []
    for _ in range(QUEUE_RUNS):
        start = time.perf_counter()
        response = client.get("/api/moderation/queue/?flag=none&limit=200")
        queue_samples.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200 and len(response.json()) == 200, response.content[:200]

    start = time.perf_counter()
    for public_id in ids[:half]:
        response = client.post(
            f"/api/moderation/observations/{public_id}/", {"action": "approve"}, content_type="application/json"
        )
        assert response.status_code == 200, response.content[:200]
    single_s = time.perf_counter() - start

    start = time.perf_counter()
    for offset in range(half, len(ids), BULK_SIZE):
        response = client.post(
            "/api/moderation/bulk/",
            {"ids": ids[offset : offset + BULK_SIZE], "action": "approve", "reason": ""},
            content_type="application/json",
        )
        assert response.status_code == 200, response.content[:200]
    bulk_s = time.perf_counter() - start
    assert Observation.objects.filter(review_status="approved").count() == len(ids)
    return {
        "reports": len(ids),
        "single_ms_per_report": 1000 * single_s / half,
        "bulk_ms_per_report": 1000 * bulk_s / (len(ids) - half),
        "queue_median_ms": statistics.median(queue_samples),
        "queue_p95_ms": statistics.quantiles(queue_samples, n=20)[-1],
        "load_average": os.getloadavg()[0],
    }


def render(figures: dict[str, Any]) -> str:
    ratio = figures["single_ms_per_report"] / figures["bulk_ms_per_report"]
    import django

    return f"""{SECTION_TITLE}

Deciding {figures["reports"]:,} pending, unflagged reports on a fresh SQLite database, through Django's test `Client`
and the whole middleware stack: half one request per report, half in bulk requests of {BULK_SIZE}.

| Way of deciding | ms per report |
|---|---:|
| one request per report (`POST /api/moderation/observations/{{id}}/`) | {figures["single_ms_per_report"]:.1f} |
| bulk, {BULK_SIZE} per request (`POST /api/moderation/bulk/`) | {figures["bulk_ms_per_report"]:.1f} |
| ratio, one by one / bulk | {ratio:.1f}x |

- The filtered queue a selection starts from (`GET /api/moderation/queue/?flag=none&limit=200`): median
  {figures["queue_median_ms"]:.1f} ms, 95th percentile {figures["queue_p95_ms"]:.1f} ms, over {QUEUE_RUNS} requests.
- A person's time per report on the moderation page (100 reports from the keyboard in Chromium, half one by one
  with A, half selected with X and approved with Shift+A) is printed by
  `tests/browser/test_moderation_at_scale.py`.
- A bulk request still brings each venue's status, dispute mark and map cells up to date one venue at a time, so
  it saves the round trips and the per-request work, not the per-venue writes; its real gain is the moderator's
  time: one key for the whole selection.
- Machine: {report.machine(f"Django {django.get_version()}")}; one-minute load average while measuring
  {figures["load_average"]:.1f} (a machine shared with other work: the figures are noisy, the ratio less so).
- Date: {datetime.date.today().isoformat()}.
- Reproduce: `{COMMAND}`
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=1000)
    parser.add_argument("--workdir", type=Path)
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.measure:
        print(json.dumps(measure(int(os.environ["BENCHMARK_REPORTS"]))))
        return
    with tempfile.TemporaryDirectory() as scratch:
        directory = arguments.workdir or Path(scratch)
        database = directory / "signwatch-moderation.sqlite3"
        fresh_database(database)
        os.environ["BENCHMARK_REPORTS"] = str(arguments.reports)
        figures = measure_in_subprocess(database, __file__)
    section = render(figures)
    print(section)
    report.write_section(SECTION_TITLE, section)


if __name__ == "__main__":
    main()
