"""Benchmark SignWatch on PostgreSQL at 1M and 10M observations: figures, map, Open311, coverage and missions.

    .venv/bin/python benchmarks/postgres_scale.py --server postgres://signwatch@127.0.0.1:5432/postgres
    .venv/bin/python benchmarks/postgres_scale.py                # a throwaway PostgreSQL cluster (needs root)

Builds one database per size on the server (`signwatch_scale_1m`, `signwatch_scale_10m`; `--keep` reuses them),
with the demo loader (COPY), every demo venue made a frame venue and every jurisdiction sampled; then measures each
in a child process through Django's test Client and the whole middleware stack, and writes the "## PostgreSQL at
scale" section of docs/benchmarks.md with each target and PASS or FAIL.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))  # run as a plain script, so the project is not on the path by itself

from benchmarks import report  # noqa: E402 -- needs the path set up above
from benchmarks.compliance_map import (  # noqa: E402
    COMPLIANCE_URL,
    TRIVIAL_URL,
    US_BBOX,
    US_ZOOM,
    WARM_BATCH,
    WARM_UP,
    benchmark_urlconf,
    manage_with,
    map_url,
    summary_us,
    timed_us,
)

SECTION_TITLE = "## PostgreSQL at scale"
COMMAND = ".venv/bin/python benchmarks/postgres_scale.py"
SIZES = (1_000_000, 10_000_000)
PER_VENUE = 3
SEED = 20240601
WARM_REQUESTS = 1_000
MAP_REQUESTS = 200
OPEN311_RUNS = 20
COVERAGE_RUNS = 50
NEARBY_RUNS = 100
MODERATIONS = 25
TARGET_RATIO = 1.2
ROUNDS = 3
OPEN311_QUERIES = {
    "last 90 days, first page": "",
    "one state (`jurisdiction_id=TX`)": "jurisdiction_id=TX",
    "deepest page allowed (`page=50`)": "page=50",
}


def label(size: int) -> str:
    return f"{size // 1_000_000}M" if size >= 1_000_000 else f"{size // 1000}k"


def database_url(server: str, name: str) -> str:
    parts = urlsplit(server)
    return urlunsplit(parts._replace(path=f"/{name}"))


def django_env(url: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in ("SQLITE_PATH", "TASKS_BACKEND")}
    return env | {
        "DATABASE_URL": url,
        "DEBUG": "true",
        "DJANGO_SETTINGS_MODULE": "backend.settings",
        "ALLOWED_HOSTS": "testserver",
        "CACHE_URL": "locmem://",
        "LOG_LEVEL": "WARNING",
    }


def manage(url: str, *arguments: str) -> str:
    return manage_with(django_env(url), *arguments)


def build(server: str, size: int, *, keep: bool) -> dict[str, Any]:
    """A database of about `size` demo observations; the seconds each step took."""
    import psycopg

    name = f"signwatch_scale_{label(size).lower()}"
    url = database_url(server, name)
    with psycopg.connect(server, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and keep:
            print(f"Reusing {name}", file=sys.stderr, flush=True)
            manage(url, "migrate", "--noinput")  # built by an earlier version of the code
            with psycopg.connect(url, autocommit=True) as reused:
                reused.execute("ANALYZE")  # columns a migration added have no statistics yet
            return json.loads(
                conn.execute(
                    "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s", [name]
                ).fetchone()[0]
            )
        if exists:
            conn.execute(f'DROP DATABASE "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    timings: dict[str, Any] = {"name": name}
    print(f"Building {name}…", file=sys.stderr, flush=True)
    start = time.perf_counter()
    manage(url, "migrate", "--noinput")
    manage(url, "load_reference_data")
    timings["setup_s"] = time.perf_counter() - start
    start = time.perf_counter()
    summary = manage(
        url, "load_demo_data", "--observations", str(size), "--per-venue", str(PER_VENUE), "--seed", str(SEED)
    )
    timings["load_s"] = time.perf_counter() - start
    timings["summary"] = summary
    print(f"  {summary} Loaded in {timings['load_s']:.0f} s.", file=sys.stderr, flush=True)
    start = time.perf_counter()
    child = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--frame", url],
        cwd=REPO_ROOT,
        env=django_env(url),
        check=True,
        capture_output=True,
        text=True,
    )
    timings["frame_s"] = time.perf_counter() - start
    timings["sampled"] = json.loads(child.stdout.strip().splitlines()[-1])["sampled"]
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
        timings["size_bytes"] = conn.execute("SELECT pg_database_size(current_database())").fetchone()[0]
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f"COMMENT ON DATABASE \"{name}\" IS '{json.dumps(timings)}'")
    return timings


def make_frame() -> dict[str, int]:
    """(Child) Make every demo venue a frame venue and its reports real ones, then sample every jurisdiction.

    Open311 and the frame count only real rows; in this throwaway database the demo marks are cleared.
    """
    import django

    django.setup()
    from django.db import connection

    from compliance import missions, scoreboard, tallies
    from compliance.models import Jurisdiction

    with connection.cursor() as cursor:
        cursor.execute("UPDATE compliance_venue SET is_demo = false, osm_type = 'n', osm_id = id, osm_version = 1")
        cursor.execute("UPDATE compliance_observation SET is_demo = false")
    tallies.forget()
    scoreboard.invalidate()
    sampled = 0
    for jurisdiction in Jurisdiction.objects.order_by("code"):
        try:
            sample = missions.draw_sample(jurisdiction=jurisdiction, seed=SEED)
        except missions.NothingToSample:
            continue
        sampled += sum(stratum.sample_size for stratum in sample.strata.all())
    return {"sampled": sampled}


# --- measuring one database (the --measure child) ---


def median_ms(samples_us: list[float]) -> dict[str, float]:
    return {
        "median_ms": statistics.median(samples_us) / 1e3,
        "p95_ms": statistics.quantiles(samples_us, n=20)[-1] / 1e3,
    }


def measure() -> dict[str, Any]:
    """(Child) Every figure for the database in DATABASE_URL."""
    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client, override_settings
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from compliance import observations, roles, scoreboard, tallies
    from compliance.models import JurisdictionTally, Observation, Venue

    client = Client()
    for _ in range(3):
        client.get("/api/venue-types/")
    today = timezone.localdate()
    results: dict[str, Any] = {
        "observations": Observation.objects.count(),
        "venues": Venue.objects.count(),
        "server": connection.cursor().connection.info.parameter_status("server_version"),
    }

    # The figures: a full recount (a new day, a bulk load), then a rebuild after each of a few moderations.
    tallies.forget()
    scoreboard.invalidate()
    start = time.perf_counter()
    cold = client.get(COMPLIANCE_URL)
    results["recount_ms"] = (time.perf_counter() - start) * 1e3
    assert cold.status_code == 200
    moderator = User.objects.create_user(f"bench-{time.time_ns()}", password=None)
    moderator.groups.add(roles.moderators_group())
    rng = random.Random(SEED)
    top = Venue.objects.order_by("-pk").values_list("pk", flat=True).first()
    decisions, rebuilds, recounted = [], [], []
    versions = dict(JurisdictionTally.objects.values_list("jurisdiction_id", "version"))
    for n in range(MODERATIONS):
        venue = Venue.objects.filter(pk__gte=rng.randrange(top)).order_by("pk").first()
        pending = Observation.objects.create(
            venue=venue,
            sign_status="missing" if venue.current_status == "posted" else "posted",  # so the figures move
            observed_on=today,
            captured_latitude=venue.latitude,
            captured_longitude=venue.longitude,
            location_source="device",
            receipt=f"bench-{time.time_ns()}-{n}",
        )
        start = time.perf_counter()
        observations.moderate(observation=pending, moderator=moderator, action="approve")
        decisions.append((time.perf_counter() - start) * 1e6)
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            answer = client.get(COMPLIANCE_URL)
            rebuilds.append((time.perf_counter() - start) * 1e6)
        assert answer.status_code == 200
        tally = JurisdictionTally.objects.get(jurisdiction_id=venue.jurisdiction_id)
        assert tally.version > versions[venue.jurisdiction_id], "the approval did not reach its jurisdiction's tally"
        versions[venue.jurisdiction_id] = tally.version
        # A count over the venues themselves; the samples' progress (bounded by the sample sizes) is not one.
        recounted.append(
            sum(
                '"compliance_venue"' in query["sql"]
                and "COUNT" in query["sql"]
                and "compliance_sampledvenue" not in query["sql"]
                for query in queries
            )
        )
    results["moderation"] = median_ms(decisions)
    results["rebuild_after_moderation"] = median_ms(rebuilds) | {"venue_counts": max(recounted)}

    body = scoreboard.current().body
    with override_settings(ROOT_URLCONF=benchmark_urlconf(body)):
        figures: list[float] = []
        trivial: list[float] = []
        for _ in range(WARM_UP):
            client.get(COMPLIANCE_URL)
            client.get(TRIVIAL_URL)
        for batch in range(WARM_REQUESTS // WARM_BATCH):
            pair = [(figures, COMPLIANCE_URL), (trivial, TRIVIAL_URL)]
            for samples, url in pair if batch % 2 == 0 else reversed(pair):
                samples += timed_us(lambda url=url: client.get(url), WARM_BATCH)
        results["figures"] = summary_us(figures)
        results["trivial"] = summary_us(trivial)

    us_url = map_url(US_BBOX, US_ZOOM)
    assert client.get(us_url).status_code == 200
    results["us_map"] = median_ms(timed_us(lambda: client.get(us_url), WARM_UP + MAP_REQUESTS)[WARM_UP:])
    results["us_map"]["bytes"] = len(client.get(us_url).content)

    def drawn_afresh() -> None:  # the answer computed from the cluster counts, not read from the cache
        cache.clear()
        client.get(us_url)

    results["us_map_cold"] = median_ms(timed_us(drawn_afresh, MAP_REQUESTS // 4))

    results["open311"] = {}
    for name, query in OPEN311_QUERIES.items():
        url = f"/open311/v2/requests.json?{query}"
        answer = client.get(url)
        assert answer.status_code == 200, answer.content[:300]
        results["open311"][name] = median_ms(timed_us(lambda url=url: client.get(url), OPEN311_RUNS)) | {
            "requests": len(answer.json())
        }

    # Coverage (the jurisdiction API answers it with the figures) for a large and a small jurisdiction.
    results["coverage"] = {}
    for code in ("TX", "VT"):
        url = f"/api/jurisdictions/{code}/"
        assert client.get(url).status_code == 200
        results["coverage"][code] = median_ms(timed_us(lambda url=url: client.get(url), COVERAGE_RUNS))

    points = list(
        Venue.objects.filter(pk__in=[rng.randrange(top) for _ in range(NEARBY_RUNS * 2)]).values_list(
            "latitude", "longitude"
        )
    )[:NEARBY_RUNS]
    client.get("/api/missions/nearby/", {"lat": points[0][0], "lon": points[0][1]})
    nearby = []
    for lat, lon in points:
        start = time.perf_counter()
        answer = client.get("/api/missions/nearby/", {"lat": lat + 0.01, "lon": lon - 0.01})
        nearby.append((time.perf_counter() - start) * 1e6)
        assert answer.status_code == 200, answer.content[:300]
    results["missions_nearby"] = median_ms(nearby)
    return results


def measure_in_child(url: str) -> dict[str, Any]:
    print(f"Measuring {urlsplit(url).path.strip('/')}…", file=sys.stderr, flush=True)
    completed = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--measure", url],
        cwd=REPO_ROOT,
        env=django_env(url),
        stdout=subprocess.PIPE,
        text=True,
        check=True,
    )
    return json.loads(completed.stdout.strip().splitlines()[-1])


def median_of(rounds: list[dict[str, Any]]) -> dict[str, Any]:
    """One database's rounds as one: each timing the median of its rounds; counts of venues recounted, the most."""

    def merge(values: list[Any], key: str) -> Any:
        first = values[0]
        if isinstance(first, dict):
            return {name: merge([value[name] for value in values], name) for name in first}
        if isinstance(first, bool) or not isinstance(first, int | float):
            return first
        return max(values) if key == "venue_counts" else statistics.median(values)

    return merge(rounds, "")


# --- the report (parent process) ---


def render(
    sizes: list[int], builds: list[dict[str, Any]], measured: list[dict[str, Any]], rounds: int
) -> tuple[str, bool]:
    small, large = measured[0], measured[-1]
    labels = [label(size) for size in sizes]

    def both(getter: Any, fmt: str = "{:.2f}") -> str:
        values = [getter(item) for item in measured]
        ratio = values[-1] / values[0] if values[0] else float("nan")
        return " | ".join(fmt.format(value) for value in values) + f" | {ratio:.2f}x"

    lines = [
        SECTION_TITLE,
        "",
        f"PostgreSQL {small['server']}, one database per size filled by `load_demo_data` (COPY; about {PER_VENUE} "
        "approved reports per venue, seed {SEED}); every demo venue then made a frame venue and its reports real "
        "ones, and every jurisdiction sampled. Measured through Django's test `Client` and the whole middleware "
        "stack (DEBUG on, the in-process cache). Times in milliseconds, median / 95th percentile. Each database is "
        f"measured {rounds} times, in turn, the order flipped each round (one process per measurement: two processes "
        "on this shared machine can differ by half in speed), and each figure is the median of its rounds.".replace(
            "{SEED}", str(SEED)
        ),
        "",
        "| Database | Observations | Venues | Size | Schema + reference data | Load (COPY) | Frame + samples |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name, build, item in zip(labels, builds, measured, strict=True):
        lines.append(
            f"| {name} | {item['observations']:,} | {item['venues']:,} | {build['size_bytes'] / 2**30:.1f} GiB "
            f"| {build['setup_s']:.0f} s | {build['load_s']:.0f} s | {build['frame_s']:.0f} s |"
        )
    ratio_head = f"| | {' | '.join(labels)} | {labels[-1]} / {labels[0]} |"
    lines += ["", ratio_head, "|---|" + "---:|" * (len(labels) + 1)]
    rows = [
        ("Full recount of the figures (a new day, a bulk load)", lambda m: m["recount_ms"], "{:,.0f}"),
        ("Approving one report (tally moved in its transaction)", lambda m: m["moderation"]["median_ms"], "{:.1f}"),
        ("Figures rebuilt after one approval", lambda m: m["rebuild_after_moderation"]["median_ms"], "{:.1f}"),
        ("Warm `/api/compliance/`", lambda m: m["figures"]["median_us"] / 1e3, "{:.3f}"),
        ("Trivial view, same bytes", lambda m: m["trivial"]["median_us"] / 1e3, "{:.3f}"),
        ("Whole-U.S. map (zoom 4), computed (cache emptied first)", lambda m: m["us_map_cold"]["median_ms"], "{:.2f}"),
        ("Whole-U.S. map (zoom 4), as served (kept answer)", lambda m: m["us_map"]["median_ms"], "{:.2f}"),
        *[
            (f"Open311: {name}", lambda m, name=name: m["open311"][name]["median_ms"], "{:.1f}")
            for name in OPEN311_QUERIES
        ],
        ("Coverage with the figures (`/api/jurisdictions/TX/`)", lambda m: m["coverage"]["TX"]["median_ms"], "{:.1f}"),
        ("Coverage with the figures (`/api/jurisdictions/VT/`)", lambda m: m["coverage"]["VT"]["median_ms"], "{:.1f}"),
        ("Missions near a point (`/api/missions/nearby/`)", lambda m: m["missions_nearby"]["median_ms"], "{:.1f}"),
    ]
    for title, getter, fmt in rows:
        lines.append(f"| {title} | {both(getter, fmt)} |")

    def ratio(getter: Any) -> float:
        return getter(large) / getter(small)

    targets = [
        (
            f"whole-U.S. map computed at {labels[-1]} / {labels[0]}",
            ratio(lambda m: m["us_map_cold"]["median_ms"]),
            TARGET_RATIO,
        ),
        *[
            (
                f"{name}: warm `/api/compliance/` / trivial view",
                m["figures"]["median_us"] / m["trivial"]["median_us"],
                TARGET_RATIO,
            )
            for name, m in zip(labels, measured, strict=True)
        ],
        (
            f"figures rebuilt after one approval, {labels[-1]} / {labels[0]}",
            ratio(lambda m: m["rebuild_after_moderation"]["median_ms"]),
            TARGET_RATIO,
        ),
    ]
    passed = True
    lines += ["", "Targets:", ""]
    for title, value, limit in targets:
        ok = value <= limit
        passed &= ok
        lines.append(f"- {'PASS' if ok else 'FAIL'}: {title}: {value:.2f}x (target ≤ {limit}x)")
    counted = max(m["rebuild_after_moderation"]["venue_counts"] for m in measured)
    lines.append(
        f"- {'PASS' if counted == 0 else 'FAIL'}: queries counting venues while the figures are rebuilt after an "
        f"approval: {counted} (target 0: the approval moved one venue in its jurisdiction's tally)"
    )
    passed &= counted == 0
    lines += [
        "",
        "- The figures after an approval are built from the 56 jurisdiction tallies (compliance/tallies.py): a few "
        "dozen counts each, whatever the number of venues; only a new day, a change of a law's dates or a bulk load "
        "recounts from the venues, and with a worker configured that recount runs in `db_worker` while requests get "
        "the last good figures. Most of the rebuild's time is the design-based estimates: each jurisdiction's "
        "current sample is re-read (about 15,000 sampled venues in all), which depends on the sample sizes, not on "
        "the number of reports.",
        "- The map and Open311 answers are kept under the figures' stamp, so as served they are a cache read at any "
        "size; the computed row is the map drawn from the cluster counts with the cache emptied first.",
        f"- Machine: {report.machine()}.",
        f"- Date: {time.strftime('%Y-%m-%d')}.",
        f"- Reproduce: `{COMMAND}` (add `--server postgres://user@host:port/postgres` to use a running server).",
        "",
    ]
    return "\n".join(lines), passed


# --- the run (parent process) ---


@contextlib.contextmanager
def server_url(given: str | None) -> Iterator[str]:
    if given:
        yield given
        return
    from benchmarks.load_soak import throwaway_postgres

    with tempfile.TemporaryDirectory(prefix="signwatch-scale-") as root, throwaway_postgres(Path(root)) as url:
        yield database_url(url, "postgres")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--server", help="postgres://user@host:port/postgres (default: a throwaway cluster)")
    parser.add_argument("--keep", action="store_true", help="reuse databases an earlier run built")
    parser.add_argument("--build-only", action="store_true")
    parser.add_argument("--sizes", default=",".join(str(size) for size in SIZES))
    parser.add_argument("--rounds", type=int, default=ROUNDS, help="measurements of each database, taken in turn")
    parser.add_argument("--frame", help=argparse.SUPPRESS)
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.frame:
        print(json.dumps(make_frame()))
        return 0
    if args.measure:
        print(json.dumps(measure()))
        return 0
    sizes = [int(size) for size in args.sizes.split(",")]
    with server_url(args.server) as server:
        builds = [build(server, size, keep=args.keep) for size in sizes]
        if args.build_only:
            print(json.dumps(builds, indent=2))
            return 0
        urls = [database_url(server, item["name"]) for item in builds]
        rounds: list[list[dict[str, Any]]] = [[] for _ in urls]
        for turn in range(args.rounds):  # the databases in turn, the order flipped each round: drift hits both
            order = list(enumerate(urls)) if turn % 2 == 0 else list(enumerate(urls))[::-1]
            for index, url in order:
                rounds[index].append(measure_in_child(url))
        measured = [median_of(each) for each in rounds]
    section, passed = render(sizes, builds, measured, args.rounds)
    print(section)
    report.write_section(SECTION_TITLE, section)
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
