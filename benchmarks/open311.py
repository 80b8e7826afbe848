"""Benchmark Open311 requests.json at 100k and 1M observations, on SQLite.

    .venv/bin/python benchmarks/open311.py [--observations 1000000] [--baseline 100000] [--workdir DIR]

Builds two fresh SQLite databases of demo data with manage.py (as benchmarks/compliance_map.py does), relabels
their rows as real (Open311 leaves demo data out, so unrelabelled it would answer nothing), then measures each in a
subprocess through Django's test Client, so every request runs the whole middleware stack. Prints the figures and
writes them into the "## Open311 requests" section of docs/benchmarks.md, leaving any other section alone.
"""

from __future__ import annotations

import datetime
import os
import sqlite3
import statistics
import sys
import time
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))  # run as a plain script, so the project is not on the path by itself

from benchmarks import report  # noqa: E402 -- needs the path set up above
from benchmarks.compliance_map import Build, run_two_sizes  # noqa: E402 -- the same databases and command line

SECTION_TITLE = "## Open311 requests"
COMMAND = ".venv/bin/python benchmarks/open311.py"
RUNS = 30  # per query; medians and 95th percentiles are reported

QUERIES = {
    "last 90 days, first page (the default)": "",
    "one state (`jurisdiction_id=TX`)": "jurisdiction_id=TX",
    "open requests only (`status=open`)": "status=open",
    "deepest page allowed (`page=50`)": "page=50",
}


def relabel_as_real(database: Path) -> None:
    """Clear the demo marks, so Open311 answers the rows (only in this throwaway benchmark database)."""
    with sqlite3.connect(database) as connection:
        connection.execute("UPDATE compliance_observation SET is_demo = 0")
        connection.execute("UPDATE compliance_venue SET is_demo = 0")


def measure(database: Path) -> dict[str, Any]:
    """Median and 95th-percentile milliseconds, rows and bytes per query, and one request by its id."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")
    django.setup()
    from django.test import Client

    from compliance.models import Observation

    client = Client()
    results: dict[str, Any] = {"approved": Observation.objects.approved().count()}

    def timed(url: str) -> dict[str, Any]:
        client.get(url)  # warm: the first request loads the code and the agencies' rows
        samples = []
        for _ in range(RUNS):
            start = time.perf_counter()
            response = client.get(url)
            samples.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200, (url, response.content[:200])
        return {
            "median_ms": statistics.median(samples),
            "p95_ms": statistics.quantiles(samples, n=20)[-1],
            "rows": len(response.json()),
            "bytes": len(response.content),
        }

    for name, query in QUERIES.items():
        results[name] = timed(f"/open311/v2/requests.json?{query}")
    newest = Observation.objects.approved().order_by("-observed_on", "-pk").values_list("public_id", flat=True)[0]
    results["one request by id"] = timed(f"/open311/v2/requests/{newest}.json")
    return results


def render(builds: tuple[Build, Build], measured: tuple[dict[str, Any], dict[str, Any]], command: str) -> str:
    small, large = (build.label for build in builds)
    rows = []
    for name in [*QUERIES, "one request by id"]:
        a, b = measured[0][name], measured[1][name]
        rows.append(
            f"| {name} | {a['rows']:,} / {b['rows']:,} | {b['bytes'] / 1000:,.0f} kB "
            f"| {a['median_ms']:.1f} / {a['p95_ms']:.1f} "
            f"| {b['median_ms']:.1f} / {b['p95_ms']:.1f} | {b['median_ms'] / a['median_ms']:.2f}x |"
        )
    table = "\n".join(rows)
    return f"""{SECTION_TITLE}

`GET /open311/v2/requests.json` (see docs/open311.md) on two SQLite databases of demo data relabelled as real
(`load_demo_data --observations N --per-venue 3 --seed 20240601`: {measured[0]["approved"]:,} and \
{measured[1]["approved"]:,} approved observations), through Django's test `Client` and the whole middleware stack.
Times in milliseconds, median / 95th percentile of {RUNS} requests after one warm-up.

| Query | Requests answered, {small} / {large} | Body at {large} | {small} | {large} | {large} / {small} |
|---|---:|---:|---:|---:|---:|
{table}

- Approved reports are read newest first along the `(review_status, observed_on, id)` index, so the default page
  costs about the same at either size. A filter on a state reads that index until it has a page of the state's
  reports (about one in 50 rows), and a deep page walks every row before it: those grow with the data, up to the
  50th page, past which nothing is paged.
- Paging stops at 50,000 requests into a query (`page` x `page_size`); past that the answer is a 400 asking for a
  date range, because an offset is a walk over every row before it.
- Machine: {report.machine()}.
- Date: {datetime.date.today().isoformat()}.
- Reproduce: `{command}`
"""


def main() -> int:
    run = run_two_sizes(__doc__.splitlines()[0], __file__, COMMAND, measure, prepare=relabel_as_real)
    if run is not None:
        section = render(run.builds, run.measured, run.command)
        print(section)
        report.write_section(SECTION_TITLE, section)
    return 0


if __name__ == "__main__":
    sys.exit(main())
