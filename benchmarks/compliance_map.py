"""Benchmark the compliance figures and the public map at a million observations, on SQLite.

    .venv/bin/python benchmarks/compliance_map.py [--observations 1000000] [--baseline 100000]

Builds two fresh SQLite databases of demo data (a baseline and a full size, same seed and mean reports per venue)
with manage.py, then measures each in a subprocess of this script (`--measure DB`, which prints JSON) through
Django's test Client, so every request runs the whole middleware stack. Prints the figures and writes them into the
"## Compliance figures and the map at scale" section of docs/benchmarks.md, leaving any other section alone. Exits
non-zero if a target is missed.
"""

from __future__ import annotations

import argparse
import datetime
import json
import math
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import types
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))  # run as a plain script, so the project is not on the path by itself

from benchmarks import report  # noqa: E402 -- needs the path set up above

SECTION_TITLE = "## Compliance figures and the map at scale"
COMMAND = ".venv/bin/python benchmarks/compliance_map.py"

SEED = 20240601
PER_VENUE = 3.0
DEFAULT_OBSERVATIONS = 1_000_000
DEFAULT_BASELINE = 100_000

COMPLIANCE_URL = "/api/compliance/"
TRIVIAL_ROUTE = "bench/trivial/"
TRIVIAL_URL = f"/{TRIVIAL_ROUTE}"
WARM_REQUESTS = 2_000  # each of the figures and the trivial view, in alternating batches
WARM_BATCH = 100
MAP_REQUESTS = 300
DENSE_REQUESTS = 100
WARM_UP = 20  # untimed requests before each timed series
US_BBOX = (-125.0, 24.0, -66.0, 50.0)
US_ZOOM = 4
DENSE_ZOOMS = (13, 14, 15, 16)
DENSE_LEVEL = 12  # the finest cluster level: its fullest cell is the densest spot on the map
SCREEN_PX = (1280, 800)
TILE_PX = 256

TARGET_WARM_RATIO = 1.5
TARGET_MAP_RATIO = 1.2

URLCONF_MODULE = "benchmarks_compliance_map_urls"


def django_env(database: Path) -> dict[str, str]:
    """The environment a manage.py command or the measuring process runs with, for one SQLite file."""
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    return env | {
        "SQLITE_PATH": str(database),
        "DEBUG": "true",
        "DJANGO_SETTINGS_MODULE": "backend.settings",
        "ALLOWED_HOSTS": "testserver",
        "CACHE_URL": "locmem://",  # the default cache of one process: what a single-server install runs
        "LOG_LEVEL": "WARNING",
    }


# --- building the databases (parent process) ---


@dataclass(frozen=True)
class Build:
    """One fresh database: how long it took to make and how big it is."""

    requested: int
    path: Path
    setup_s: float
    load_s: float
    size_bytes: int

    @property
    def label(self) -> str:
        """1000000 → "1M", 100000 → "100k"."""
        for divisor, suffix in ((1_000_000, "M"), (1_000, "k")):
            if self.requested >= divisor and self.requested % (divisor // 10) == 0:
                return f"{self.requested / divisor:g}{suffix}"
        return f"{self.requested:,}"


def database_files(path: Path) -> list[Path]:
    """An SQLite database and its WAL and shared-memory files."""
    return [path, Path(f"{path}-wal"), Path(f"{path}-shm")]


def manage(database: Path, *arguments: str) -> str:
    """Run a manage.py command against the SQLite database; its standard output."""
    return manage_with(django_env(database), *arguments)


def manage_with(env: dict[str, str], *arguments: str) -> str:
    """Run a manage.py command in this environment (no time limit: a bulk load takes long); its standard output."""
    completed = subprocess.run(
        [sys.executable, str(REPO_ROOT / "manage.py"), *arguments],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode:
        sys.stderr.write(completed.stdout + completed.stderr)
        raise RuntimeError(f"manage.py {' '.join(arguments)} failed with exit code {completed.returncode}")
    return completed.stdout.strip()


def fresh_database(path: Path) -> Path:
    """A new SQLite database at path (any earlier one removed) with the schema and the reference data."""
    for stale in database_files(path):
        stale.unlink(missing_ok=True)
    manage(path, "migrate", "--noinput")
    manage(path, "load_reference_data")
    return path


def build(directory: Path, observations: int) -> Build:
    """A fresh database with the reference data and about this many approved demo observations."""
    path = directory / f"signwatch-{observations}.sqlite3"
    print(f"Building {path.name}…", file=sys.stderr, flush=True)
    start = time.perf_counter()
    fresh_database(path)
    setup_s = time.perf_counter() - start
    start = time.perf_counter()
    summary = manage(
        path, "load_demo_data", "--observations", str(observations), "--per-venue", str(PER_VENUE), "--seed", str(SEED)
    )
    load_s = time.perf_counter() - start
    print(f"  {summary} Loaded in {load_s:.1f} s.", file=sys.stderr, flush=True)
    size_bytes = sum(file.stat().st_size for file in database_files(path) if file.exists())
    return Build(observations, path, setup_s, load_s, size_bytes)


def measure_in_subprocess(database: Path, script: str = __file__) -> dict[str, Any]:
    """Run a benchmark script (this one by default) with --measure against one database; the JSON it prints last."""
    print(f"Measuring {database.name}…", file=sys.stderr, flush=True)
    completed = subprocess.run(
        [sys.executable, str(Path(script).resolve()), "--measure", str(database)],
        cwd=REPO_ROOT,
        env=django_env(database),
        stdout=subprocess.PIPE,
        text=True,
        check=True,
    )
    return json.loads(completed.stdout.strip().splitlines()[-1])


# --- measuring one database (the --measure subprocess) ---


def viewport(latitude: float, longitude: float, zoom: int) -> tuple[float, float, float, float]:
    """(west, south, east, north) of a SCREEN_PX Web Mercator map centred on the point at this zoom."""
    world_px = TILE_PX * 2**zoom
    centre_x = (longitude + 180.0) / 360.0 * world_px
    centre_y = (1.0 - math.asinh(math.tan(math.radians(latitude))) / math.pi) / 2.0 * world_px
    half_width, half_height = SCREEN_PX[0] / 2, SCREEN_PX[1] / 2

    def to_longitude(x: float) -> float:
        return x / world_px * 360.0 - 180.0

    def to_latitude(y: float) -> float:
        return math.degrees(math.atan(math.sinh(math.pi * (1.0 - 2.0 * y / world_px))))

    return (
        to_longitude(centre_x - half_width),
        to_latitude(centre_y + half_height),
        to_longitude(centre_x + half_width),
        to_latitude(centre_y - half_height),
    )


def map_url(bbox: tuple[float, float, float, float], zoom: int) -> str:
    """The /api/map/ address of a viewport."""
    return f"/api/map/?bbox={','.join(f'{value:.6f}' for value in bbox)}&zoom={zoom}"


def timed_us(request: Callable[[], Any], count: int) -> list[float]:
    """Microseconds taken by each of count calls."""
    samples = []
    for _ in range(count):
        start = time.perf_counter_ns()
        request()
        samples.append((time.perf_counter_ns() - start) / 1_000)
    return samples


def summary_us(samples: list[float]) -> dict[str, float]:
    """Median and 95th percentile, in microseconds."""
    return {"median_us": statistics.median(samples), "p95_us": statistics.quantiles(samples, n=100)[94]}


def benchmark_urlconf(body: bytes) -> str:
    """A URLconf module with a trivial view (the cached bytes, held here: no cache lookup) before the real routes."""
    from django.http import HttpResponse
    from django.urls import path

    import backend.urls

    def trivial_view(request: Any) -> HttpResponse:
        return HttpResponse(body, content_type="application/json")

    module = types.ModuleType(URLCONF_MODULE)
    vars(module).update(
        {name: getattr(backend.urls, name) for name in ("handler400", "handler403", "handler404", "handler500")},
        urlpatterns=[path(TRIVIAL_ROUTE, trivial_view), *backend.urls.urlpatterns],
    )
    sys.modules[URLCONF_MODULE] = module
    return URLCONF_MODULE


def measure(database: Path) -> dict[str, Any]:
    """Every figure for one database, measured in this process through Django's test Client."""
    os.environ.update(django_env(database))
    import django

    django.setup()
    from django.db import connection
    from django.db.models import Sum
    from django.test import Client, override_settings
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from compliance import maps, scoreboard
    from compliance.models import Observation, Venue, VenueCluster

    client = Client()
    for _ in range(3):  # imports, the database connection, the middleware: first-request costs, not the figures'
        client.get("/api/venue-types/")
    results: dict[str, Any] = {
        "venues": Venue.objects.count(),
        "public_venues": Venue.objects.public().count(),
        "observations": Observation.objects.count(),
        "cluster_rows": VenueCluster.objects.count(),
        "max_venues": maps.MAX_VENUES,
    }

    start = time.perf_counter()
    cold = client.get(COMPLIANCE_URL)
    results["cold_request_ms"] = (time.perf_counter() - start) * 1e3
    assert cold.status_code == 200, cold.status_code
    builds = []
    for _ in range(3):
        start = time.perf_counter()
        scoreboard.build(timezone.localdate())
        builds.append(time.perf_counter() - start)
    results["build_ms"] = min(builds) * 1e3
    body = scoreboard.current().body
    assert body == cold.content, "the cached figures differ from the first answer"
    results["body_bytes"] = len(body)

    with override_settings(ROOT_URLCONF=benchmark_urlconf(body)):
        figures: list[float] = []
        trivial: list[float] = []
        for _ in range(WARM_UP):
            assert client.get(COMPLIANCE_URL).content == body
            assert client.get(TRIVIAL_URL).content == body
        for batch in range(WARM_REQUESTS // WARM_BATCH):  # alternate which goes first, so drift hits both alike
            pair = [(figures, COMPLIANCE_URL), (trivial, TRIVIAL_URL)]
            for samples, url in pair if batch % 2 == 0 else reversed(pair):
                samples += timed_us(lambda url=url: client.get(url), WARM_BATCH)
        results["figures"] = summary_us(figures)
        results["trivial"] = summary_us(trivial)

        etag = cold["ETag"]
        with CaptureQueriesContext(connection) as queries:
            statuses = set()
            samples = timed_us(
                lambda: statuses.add(client.get(COMPLIANCE_URL, HTTP_IF_NONE_MATCH=etag).status_code), WARM_REQUESTS
            )
        results["not_modified"] = summary_us(samples) | {"statuses": sorted(statuses), "queries": len(queries)}

        us_url = map_url(US_BBOX, US_ZOOM)
        answer = client.get(us_url)
        assert answer.status_code == 200, answer.content[:300]
        geojson = json.loads(answer.content)
        timed = timed_us(lambda: client.get(us_url), WARM_UP + MAP_REQUESTS)[WARM_UP:]
        results["us_map"] = summary_us(timed) | {
            "url": us_url,
            "bytes": len(answer.content),
            "features": len(geojson["features"]),
            "mode": geojson["mode"],
            "level": geojson.get("level"),
        }

        densest = (
            VenueCluster.objects.filter(level=DENSE_LEVEL, venue_type_key=0)
            .values("cell")
            .annotate(
                total=Sum("venues"),
                latitude_sum=Sum("latitude_sum"),
                longitude_sum=Sum("longitude_sum"),
            )
            .order_by("-total")
            .first()
        )
        assert densest is not None, "no clusters: was the demo data loaded?"
        centre = (densest["latitude_sum"] / densest["total"], densest["longitude_sum"] / densest["total"])
        results["densest_cell"] = {"venues": densest["total"], "latitude": centre[0], "longitude": centre[1]}
        results["dense"] = []
        for zoom in DENSE_ZOOMS:
            bbox = viewport(*centre, zoom)
            url = map_url(bbox, zoom)
            answer = client.get(url)
            assert answer.status_code == 200, answer.content[:300]
            geojson = json.loads(answer.content)
            west, south, east, north = bbox
            in_view = (
                Venue.objects.public().filter(latitude__range=(south, north), longitude__range=(west, east)).count()
            )
            timed = timed_us(lambda url=url: client.get(url), WARM_UP + DENSE_REQUESTS)[WARM_UP:]
            results["dense"].append(
                summary_us(timed)
                | {
                    "zoom": zoom,
                    "url": url,
                    "venues_in_view": in_view,
                    "mode": geojson["mode"],
                    "level": geojson.get("level"),
                    "features": len(geojson["features"]),
                    "cap": maps.MAX_VENUES if geojson["mode"] == "venues" else maps.MAX_CLUSTERS,
                    "bytes": len(answer.content),
                }
            )
    return results


# --- the report (parent process) ---


@dataclass(frozen=True)
class Target:
    """One target and whether it was met."""

    description: str
    met: bool

    def __str__(self) -> str:
        return f"{'PASS' if self.met else 'FAIL'}: {self.description}"


def targets(baseline: dict[str, Any], full: dict[str, Any], labels: tuple[str, str]) -> list[Target]:
    """Each target with its verdict."""
    checks = []
    for label, results in zip(labels, (baseline, full), strict=True):
        ratio = results["figures"]["median_us"] / results["trivial"]["median_us"]
        checks.append(
            Target(
                f"{label}: warm `{COMPLIANCE_URL}` costs {ratio:.2f}x the trivial view (median; target ≤ "
                f"{TARGET_WARM_RATIO:g}x)",
                ratio <= TARGET_WARM_RATIO,
            )
        )
        not_modified = results["not_modified"]
        checks.append(
            Target(
                f"{label}: conditional GET answers {'/'.join(map(str, not_modified['statuses']))} with "
                f"{not_modified['queries']} database queries over {WARM_REQUESTS:,} requests (target: 304, 0 queries)",
                not_modified["statuses"] == [304] and not_modified["queries"] == 0,
            )
        )
        for dense in results["dense"]:
            checks.append(
                Target(
                    f"{label}: dense viewport at zoom {dense['zoom']} answers {dense['features']:,} features in "
                    f"{dense['mode']} mode (cap {dense['cap']:,})",
                    dense["features"] <= dense["cap"],
                )
            )
    time_ratio = full["us_map"]["median_us"] / baseline["us_map"]["median_us"]
    bytes_ratio = full["us_map"]["bytes"] / baseline["us_map"]["bytes"]
    checks.append(
        Target(
            f"whole-U.S. map time {labels[1]} / {labels[0]}: {time_ratio:.2f}x (target ≤ {TARGET_MAP_RATIO:g}x)",
            time_ratio <= TARGET_MAP_RATIO,
        )
    )
    checks.append(
        Target(
            f"whole-U.S. map bytes {labels[1]} / {labels[0]}: {bytes_ratio:.2f}x (target ≤ {TARGET_MAP_RATIO:g}x)",
            bytes_ratio <= TARGET_MAP_RATIO,
        )
    )
    return checks


def render(builds: tuple[Build, Build], measured: tuple[dict[str, Any], dict[str, Any]], command: str) -> str:
    """The Markdown section, title included."""
    import django

    labels = (builds[0].label, builds[1].label)
    baseline, full = measured

    def both(cell: Callable[[dict[str, Any]], str]) -> str:
        return f"{cell(baseline)} | {cell(full)} |"

    database_rows = "\n".join(
        f"| {label} | {results['observations']:,} | {results['venues']:,} | {results['cluster_rows']:,} "
        f"| {built.size_bytes / 1e6:,.0f} MB | {built.setup_s:.1f} s | {built.load_s:.1f} s |"
        for label, built, results in zip(labels, builds, measured, strict=True)
    )
    dense_rows = "\n".join(
        f"| {label} | {dense['zoom']} | {dense['venues_in_view']:,} | {dense['mode']}"
        f"{' (level ' + str(dense['level']) + ')' if dense['level'] is not None else ''} | {dense['features']:,} "
        f"| {dense['cap']:,} | {dense['bytes'] / 1e3:,.1f} kB | {dense['median_us'] / 1e3:.2f} | "
        f"{dense['p95_us'] / 1e3:.2f} |"
        for label, results in zip(labels, measured, strict=True)
        for dense in results["dense"]
    )
    densest = full["densest_cell"]
    us = [results["us_map"] for results in measured]
    checks = targets(*measured, labels)
    return f"""{SECTION_TITLE}

Two fresh SQLite databases of demo data (`manage.py load_demo_data --observations N --per-venue {PER_VENUE:g} \
--seed {SEED}`: venues spread evenly over the states, each with about {PER_VENUE:g} approved reports), measured \
through Django's test `Client`, so every request runs the whole middleware stack (DEBUG on, the default in-process \
locmem cache). Times are per request; medians, with the 95th percentile where it is given.

| Database | Observations | Venues | Map cluster rows | Size on disk | Migrate + reference data | Demo load |
|---|---:|---:|---:|---:|---:|---:|
{database_rows}

**Compliance figures** (`{COMPLIANCE_URL}`, served from the cache with an ETag). The trivial view answers the same \
cached bytes, held in memory, through the same middleware: the difference is the view's own work (cache lookups \
and the conditional check). {WARM_REQUESTS:,} requests each, in alternating batches of {WARM_BATCH}.

| | {labels[0]} | {labels[1]} |
|---|---:|---:|
| Cold request (build, serialise, cache) | {both(lambda r: f"{r['cold_request_ms']:,.0f} ms")}
| `scoreboard.build` alone (best of 3) | {both(lambda r: f"{r['build_ms']:,.0f} ms")}
| Body | {both(lambda r: f"{r['body_bytes'] / 1e3:,.1f} kB")}
| Warm `GET`, median / p95 | {both(lambda r: f"{r['figures']['median_us']:,.0f} / {r['figures']['p95_us']:,.0f} µs")}
| Trivial view, median / p95 | {both(lambda r: f"{r['trivial']['median_us']:,.0f} / {r['trivial']['p95_us']:,.0f} µs")}
| Warm `GET` / trivial view (medians) \
| {both(lambda r: f"{r['figures']['median_us'] / r['trivial']['median_us']:.2f}x")}
| Conditional `GET` (`If-None-Match`), median / p95 \
| {both(lambda r: f"{r['not_modified']['median_us']:,.0f} / {r['not_modified']['p95_us']:,.0f} µs")}
| Its status and database queries \
| {both(lambda r: f"{'/'.join(map(str, r['not_modified']['statuses']))}, {r['not_modified']['queries']} queries")}

**Whole-U.S. map** (`{us[0]["url"]}`: {us[1]["mode"]} at level {us[1]["level"]}), {MAP_REQUESTS} requests.

| | {labels[0]} | {labels[1]} | {labels[1]} / {labels[0]} |
|---|---:|---:|---:|
| Median / p95 | {us[0]["median_us"] / 1e3:.2f} / {us[0]["p95_us"] / 1e3:.2f} ms \
| {us[1]["median_us"] / 1e3:.2f} / {us[1]["p95_us"] / 1e3:.2f} ms | {us[1]["median_us"] / us[0]["median_us"]:.2f}x |
| Response | {us[0]["bytes"] / 1e3:,.1f} kB | {us[1]["bytes"] / 1e3:,.1f} kB | {us[1]["bytes"] / us[0]["bytes"]:.2f}x |
| Features | {us[0]["features"]:,} | {us[1]["features"]:,} | |

**Dense high-zoom viewports**: a {SCREEN_PX[0]}x{SCREEN_PX[1]} px map centred on the mean point of the fullest \
level-{DENSE_LEVEL} cell (at {labels[1]}: {densest["venues"]:,} venues around {densest["latitude"]:.4f}, \
{densest["longitude"]:.4f}; each database uses its own), {DENSE_REQUESTS} requests per zoom. Above \
{full["max_venues"]:,} public venues in view the map draws clusters instead of venues.

| Database | Zoom | Public venues in view | Mode | Features | Cap | Response | Median ms | p95 ms |
|---|---:|---:|---|---:|---:|---:|---:|---:|
{dense_rows}

Targets:

{chr(10).join(f"- {check}" for check in checks)}

- Machine: {report.machine(f"Django {django.get_version()}", f"SQLite {sqlite3.sqlite_version}")}.
- Date: {datetime.date.today().isoformat()}.
- Reproduce: `{command}`
"""


@dataclass(frozen=True)
class TwoSizes:
    """A benchmark run on a baseline and a full-size database, and the command line that reproduces it."""

    builds: tuple[Build, Build]
    measured: tuple[dict[str, Any], dict[str, Any]]
    command: str


def run_two_sizes(
    description: str,
    script: str,
    command: str,
    measure: Callable[[Path], dict[str, Any]],
    prepare: Callable[[Path], None] | None = None,
) -> TwoSizes | None:
    """The command line these benchmarks share. With --measure DB (the subprocess's mode) print measure(DB) as JSON
    and answer None; otherwise build both databases, prepare each, and measure each in a subprocess of the script."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--observations", type=int, default=DEFAULT_OBSERVATIONS, help="the full size")
    parser.add_argument("--baseline", type=int, default=DEFAULT_BASELINE, help="the size it is compared with")
    parser.add_argument("--workdir", type=Path, help="build the databases here and keep them (default: a temp dir)")
    parser.add_argument("--measure", type=Path, metavar="DB", help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.measure:
        print(json.dumps(measure(arguments.measure)))
        return None
    with tempfile.TemporaryDirectory(prefix="signwatch-bench-") as temporary:
        directory = arguments.workdir or Path(temporary)
        directory.mkdir(parents=True, exist_ok=True)
        builds = (build(directory, arguments.baseline), build(directory, arguments.observations))
        for made in builds if prepare else ():
            prepare(made.path)
        measured = (measure_in_subprocess(builds[0].path, script), measure_in_subprocess(builds[1].path, script))
    if (arguments.observations, arguments.baseline) != (DEFAULT_OBSERVATIONS, DEFAULT_BASELINE):
        command += f" --observations {arguments.observations} --baseline {arguments.baseline}"
    return TwoSizes(builds, measured, command)


def main() -> int:
    """Build, measure, print and record; non-zero exit if a target is missed."""
    run = run_two_sizes(__doc__.splitlines()[0], __file__, COMMAND, measure)
    if run is None:
        return 0
    builds, measured = run.builds, run.measured
    section = render(builds, measured, run.command)
    print(section)
    report.write_section(SECTION_TITLE, section)
    missed = [check for check in targets(*measured, (builds[0].label, builds[1].label)) if not check.met]
    for check in missed:
        print(check, file=sys.stderr)
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
