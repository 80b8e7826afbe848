"""Benchmark a report PDF request: drawn in the request (immediate backend) against served by task workers.

    .venv/bin/python benchmarks/documents.py [--runs 7] [--workdir DIR]

Builds a fresh SQLite database (migrate, load_reference_data, load_demo_data), then, in a subprocess, requests
GET /reports/TX.pdf through Django's test Client and the whole middleware stack:
- immediate backend (the default): after each approval-like change of the stamp, the request draws the PDF;
- database backend (TASKS_BACKEND=database): the request serves the copy a worker drew for the current stamp;
  the request after a change, with no copy at all (202, one task queued); and the request after a change while an
  older copy exists (that copy, one task queued);
- and the worker's own time to draw one queued copy (`manage.py db_worker --batch`, in process).
Prints the figures and writes them into the "## Documents off the request path" section of docs/benchmarks.md.
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
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))  # run as a plain script, so the project is not on the path by itself

from benchmarks import report  # noqa: E402 -- needs the path set up above
from benchmarks.compliance_map import fresh_database, manage, measure_in_subprocess  # noqa: E402

SECTION_TITLE = "## Documents off the request path"
COMMAND = ".venv/bin/python benchmarks/documents.py"
ADDRESS = "/reports/TX.pdf"
DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def timed(runs: int, before: Callable[[], None], request: Callable[[], int], expected: int) -> list[float]:
    """Milliseconds of each of `runs` requests, `before` (not timed) run ahead of each; each answers `expected`."""
    samples = []
    for _ in range(runs):
        before()
        start = time.perf_counter()
        status = request()
        samples.append((time.perf_counter() - start) * 1000)
        assert status == expected, status
    return samples


def measure(runs: int) -> dict[str, Any]:
    """Median milliseconds per report PDF request in each case, and the worker's time per drawing."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client, override_settings
    from django_tasks_db.models import DBTaskResult

    from compliance import scoreboard
    from compliance.models import RenderedDocument

    client = Client()

    def get() -> int:
        return client.get(ADDRESS).status_code

    def nothing() -> None:
        pass

    def forget_copies() -> None:
        scoreboard.invalidate()
        RenderedDocument.objects.all().delete()
        DBTaskResult.objects.all().delete()

    def leave_an_older_copy() -> None:
        scoreboard.invalidate()
        RenderedDocument.objects.exclude(status="ready").delete()
        DBTaskResult.objects.all().delete()

    get()  # load WeasyPrint, fonts and templates once: the figures are for a process already running
    drawn = timed(runs, scoreboard.invalidate, get, 200)
    cached = timed(runs * 3, nothing, get, 200)
    with override_settings(TASKS=DATABASE_TASKS):
        queued_first = timed(runs, forget_copies, get, 202)
        worker = []
        for _ in range(runs):
            start = time.perf_counter()
            call_command("db_worker", "--batch", "--no-startup-delay", "--interval", "0", verbosity=0)
            worker.append((time.perf_counter() - start) * 1000)
            assert RenderedDocument.objects.filter(status="ready").count() == 1
            forget_copies()
            get()
        call_command("db_worker", "--batch", "--no-startup-delay", "--interval", "0", verbosity=0)
        served = timed(runs * 3, nothing, get, 200)
        outdated = timed(runs, leave_an_older_copy, get, 200)
    return {
        "runs": runs,
        "drawn_ms": statistics.median(drawn),
        "cached_ms": statistics.median(cached),
        "served_ms": statistics.median(served),
        "queued_first_ms": statistics.median(queued_first),
        "outdated_ms": statistics.median(outdated),
        "worker_ms": statistics.median(worker),
        "pdf_kib": len(client.get(ADDRESS).content) / 1024,
        "load_average": os.getloadavg()[0],
    }


def render(figures: dict[str, Any]) -> str:
    import django

    drawn = figures["drawn_ms"]

    def row(case: str, key: str) -> str:
        return f"| {case} | {figures[key]:.1f} | {drawn / figures[key]:.0f}x |"

    return f"""{SECTION_TITLE}

`GET {ADDRESS}` (a {figures["pdf_kib"]:.0f} KiB PDF of Texas on the demo data) through Django's test `Client` and
the whole middleware stack, on a fresh SQLite database; medians of {figures["runs"]} requests (of
{figures["runs"] * 3} for a copy on file), each after a change of the data's stamp (as an approval or a law edit
makes) where the case needs one.

| Request | ms | drawing in the request / this |
|---|---:|---:|
| immediate backend (default): the request draws the PDF | {drawn:.1f} | 1x |
{row("immediate backend, same stamp: the copy in this process's cache", "cached_ms")}
{row("database backend: the copy a worker drew for the current stamp", "served_ms")}
{row("database backend, after a change, an older copy on file: that copy (one drawing queued)", "outdated_ms")}
{row("database backend, after a change, no copy at all: 202 + Retry-After (one drawing queued)", "queued_first_ms")}

- A worker (`manage.py db_worker --batch`, in process) takes {figures["worker_ms"]:.0f} ms to draw and store one
  queued copy: the drawing leaves the web process, it does not disappear; one drawing per document is queued at a
  time, however many readers ask. A copy on file is read from the database (every web process shares it, and it
  survives a restart), where the immediate backend's cache is per process by default.
- Machine: {report.machine(f"Django {django.get_version()}")}; one-minute load average while measuring
  {figures["load_average"]:.1f} (a machine shared with other work: the figures are noisy, the ratios less so).
- Date: {datetime.date.today().isoformat()}.
- Reproduce: `{COMMAND}`
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--workdir", type=Path)
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.measure:
        print(json.dumps(measure(int(os.environ["BENCHMARK_RUNS"]))))
        return
    with tempfile.TemporaryDirectory() as scratch:
        directory = arguments.workdir or Path(scratch)
        database = directory / "signwatch-documents.sqlite3"
        fresh_database(database)
        manage(database, "load_demo_data")
        os.environ["BENCHMARK_RUNS"] = str(arguments.runs)
        figures = measure_in_subprocess(database, __file__)
    section = render(figures)
    print(section)
    report.write_section(SECTION_TITLE, section)


if __name__ == "__main__":
    main()
