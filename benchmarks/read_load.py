"""Benchmark reads under load: gunicorn on PostgreSQL, a read-only mix at rising request rates, p99 at each.

    .venv/bin/python benchmarks/read_load.py --database-url postgres://signwatch@127.0.0.1:5432/signwatch_scale_1m

The database is one `benchmarks/postgres_scale.py` built (1M observations by default). The server runs with the
production settings (DEBUG off) under `gunicorn backend.wsgi` with sync workers; the client sends requests on a
fixed schedule (an open loop: a slow answer does not slow the next request down, as real visitors do not wait for
each other) and measures each answer from the moment it was due. Writes the "## Reads under load" section of
docs/benchmarks.md: the highest rate at which the 99th percentile stays under 100 ms, against a target of 200/s.
"""

from __future__ import annotations

import argparse
import os
import queue
import random
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import django

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))  # run as a plain script, so the project is not on the path by itself

from benchmarks import report  # noqa: E402 -- needs the path set up above
from benchmarks.load_soak import gunicorn_server, manage, request, server_environment  # noqa: E402

SECTION_TITLE = "## Reads under load"
COMMAND = ".venv/bin/python benchmarks/read_load.py --database-url postgres://…/signwatch_scale_1m"
RATES = (50, 100, 150, 200, 250, 300, 400, 500, 600, 800)
SECONDS = 20  # per rate
THREADS = 96
P99_LIMIT_MS = 100.0
TARGET_RATE = 200
SEED = 20240601
CHANGE_EVERY_S = 10.0  # a busy moderation day: an approval every ten seconds
CHANGING_RATES = (100, 200, 300)


@dataclass(frozen=True)
class Sample:
    kind: str
    status: int | None
    latency_ms: float


@dataclass(frozen=True)
class Step:
    rate: int
    sent: int
    achieved: float
    errors: int
    p50: float
    p95: float
    p99: float
    by_kind: dict[str, float]  # kind -> p99 ms

    @property
    def within(self) -> bool:
        return self.errors == 0 and self.p99 < P99_LIMIT_MS


def read_mix(database_url: str) -> list[tuple[str, str, int]]:
    """(kind, path, weight): a visitor's reads, with real venue and report ids from the database."""
    import psycopg

    with psycopg.connect(database_url) as connection:
        venues = [
            row[0]
            for row in connection.execute(
                "SELECT public_id FROM compliance_venue WHERE current_status <> '' ORDER BY random() LIMIT 200"
            )
        ]
        points = list(
            connection.execute(
                "SELECT latitude, longitude FROM compliance_venue WHERE current_status <> '' "
                "ORDER BY random() LIMIT 120"
            )
        )
        reports = [
            row[0]
            for row in connection.execute(
                "SELECT public_id FROM compliance_observation WHERE review_status = 'approved' "
                "ORDER BY random() LIMIT 200"
            )
        ]
    codes = ["TX", "CA", "FL", "NY", "OH", "GA", "WA", "VT"]
    mix: list[tuple[str, str, int]] = [
        ("map page", "/", 2),
        ("figures", "/api/compliance/", 4),
        ("map z4", "/api/map/?bbox=-125,24,-66,50&zoom=4", 3),
        ("map z7", "/api/map/?bbox=-101,27,-94,33&zoom=7", 2),
        ("map z7", "/api/map/?bbox=-125,32,-114,42&zoom=7", 2),
        ("Open311 list", "/open311/v2/requests.json", 1),
        ("Open311 state", "/open311/v2/requests.xml?jurisdiction_id=TX", 1),
    ]
    # Closer in, every visitor looks somewhere else: viewports around 60 random public venues at zooms 11 and 15.
    for zoom, half_width in ((11, 0.25), (15, 0.02)):
        for lat, lon in points[:60] if zoom == 11 else points[60:120]:
            bbox = (
                f"{lon - half_width:.4f},{lat - half_width / 2:.4f},{lon + half_width:.4f},{lat + half_width / 2:.4f}"
            )
            mix.append((f"map z{zoom}", f"/api/map/?bbox={bbox}&zoom={zoom}", 1))
    mix += [("state page", f"/j/{code}/", 1) for code in codes]
    mix += [("report page", f"/reports/{code}/", 1) for code in codes[:4]]
    mix += [("venue page", f"/v/{venue}/", 1) for venue in venues[:40]]
    mix += [("venue API", f"/api/venues/{venue}/", 1) for venue in venues[40:80]]
    mix += [("Open311 request", f"/open311/v2/requests/{report}.json", 1) for report in reports[:40]]
    return mix


def change_the_data(code: str) -> None:
    """What an approval from the queue in a jurisdiction does to what is kept: the answers drawn from every state
    (the figures, the map, Open311 lists) and those of that jurisdiction (its pages, venues and requests) are built
    again on their next read, and what is counted from its reports is counted again.

    Runs in this process, on the server's own shared cache (Django set up with the server's environment).
    """
    from compliance import scoreboard
    from compliance.models import Jurisdiction

    scoreboard.invalidate([Jurisdiction.objects.get(code=code).pk])


def rebuild_costs(port: int, mix: list[tuple[str, str, int]]) -> dict[str, float]:
    """Kind -> median ms of its first read after a change of the data, one request at a time (no load)."""
    costs: dict[str, list[float]] = {}
    for _ in range(3):
        change_the_data("TX")  # the state whose pages are read first below
        request(port, "GET", "/api/compliance/")  # the figures, which every page quotes, are built first
        seen: set[str] = set()
        for kind, path, _ in mix:
            if kind in seen:
                continue
            seen.add(kind)
            start = time.perf_counter()
            request(port, "GET", path)
            costs.setdefault(kind, []).append((time.perf_counter() - start) * 1e3)
    return {kind: statistics.median(values) for kind, values in sorted(costs.items())}


def run_step(
    port: int,
    rate: int,
    seconds: float,
    mix: list[tuple[str, str, int]],
    rng: random.Random,
    *,
    change_every: float | None = None,
) -> Step:
    """Send rate x seconds requests on schedule from a pool of threads; each timed from when it was due.

    With change_every, the data changes (as an approval changes it) that often while the requests run.
    """
    weights = [weight for _, _, weight in mix]
    count = int(rate * seconds)
    chosen = rng.choices(mix, weights=weights, k=count)
    due: queue.Queue[tuple[float, str, str] | None] = queue.Queue()
    samples: list[Sample] = []
    lock = threading.Lock()

    def worker() -> None:
        while (item := due.get()) is not None:
            at, kind, path = item
            answer = request(port, "GET", path, headers={"Accept": "*/*", "Accept-Encoding": "gzip"})
            latency = (time.perf_counter() - at) * 1e3
            with lock:
                samples.append(Sample(kind, answer.status, latency))

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    stop = threading.Event()
    if change_every:
        from compliance.models import Jurisdiction

        codes = sorted(Jurisdiction.objects.values_list("code", flat=True))
        drawn = random.Random(SEED)

        def changer() -> None:
            while not stop.wait(change_every):
                change_the_data(drawn.choice(codes))

        threading.Thread(target=changer, daemon=True).start()
    start = time.perf_counter() + 0.05
    for index, (kind, path, _) in enumerate(chosen):
        at = start + index / rate
        pause = at - time.perf_counter()
        if pause > 0:
            time.sleep(pause)
        due.put((at, kind, path))
    for _ in threads:
        due.put(None)
    for thread in threads:
        thread.join()
    stop.set()
    elapsed = time.perf_counter() - start
    latencies = sorted(sample.latency_ms for sample in samples)
    by_kind: dict[str, list[float]] = {}
    for sample in samples:
        by_kind.setdefault(sample.kind, []).append(sample.latency_ms)
    return Step(
        rate=rate,
        sent=count,
        achieved=len(samples) / elapsed,
        errors=sum(sample.status != 200 for sample in samples),
        p50=statistics.median(latencies),
        p95=percentile(latencies, 0.95),
        p99=percentile(latencies, 0.99),
        by_kind={kind: percentile(sorted(values), 0.99) for kind, values in sorted(by_kind.items())},
    )


def percentile(ordered: list[float], share: float) -> float:
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def step_rows(steps: list[Step]) -> list[str]:
    lines = [
        "| Rate asked (req/s) | Answered (req/s) | Errors | p50 ms | p95 ms | p99 ms | p99 < 100 ms |",
        "|---:|---:|---:|---:|---:|---:|---|",
    ]
    for step in steps:
        lines.append(
            f"| {step.rate} | {step.achieved:.0f} | {step.errors} | {step.p50:.1f} | {step.p95:.1f} | {step.p99:.1f} "
            f"| {'yes' if step.within else 'no'} |"
        )
    return lines


def render(
    steps: list[Step],
    changing: list[Step],
    rebuilds: dict[str, float],
    args: argparse.Namespace,
    server: str,
) -> tuple[str, bool]:
    best = max((step.rate for step in steps if step.within), default=0)
    lines = [
        SECTION_TITLE,
        "",
        f"`gunicorn backend.wsgi` with {args.workers} sync workers and production settings (DEBUG off, "
        f"`CACHE_URL={args.cache_url}`), on {server} holding the 1M-observation database of the section above. The "
        "client sends a read-only mix on a fixed schedule from "
        f"{THREADS} threads on the same machine, {args.seconds:g} s per rate: map viewports (the whole country at "
        "zoom 4, two regions at zoom 7, and 120 viewports around random venues at zooms 11 and 15), "
        "the figures, the map page, state pages, report pages, venue pages and the venue API, Open311 lists "
        "(JSON, and XML for one state) and single requests, all as a visitor who is not signed in. Latency counts "
        "from when each request was due.",
        "",
        *step_rows(steps),
    ]
    shown = [step for step in steps if step.rate == best] or steps[:1]
    lines += ["", f"p99 per kind of read at {shown[0].rate} req/s (ms):", ""]
    lines += ["| Read | p99 ms |", "|---|---:|"]
    lines += [f"| {kind} | {value:.1f} |" for kind, value in shown[0].by_kind.items()]
    passed = best >= TARGET_RATE
    if changing:
        lines += [
            "",
            f"The same mix while an approval comes every {args.change_every:g} s, in a jurisdiction drawn at random "
            "(the answers drawn from every state, the figures, the map and Open311 lists, are built again on their "
            "next read, and so are that jurisdiction's pages, venues and requests and what is counted from its "
            "reports; other states' are not):",
            "",
            *step_rows(changing),
        ]
    if rebuilds:
        lines += [
            "",
            "What one read costs when its kept answer must be built again after an approval in Texas, the state of "
            "the pages read (median of 3 approvals, one request at a time; the figures are rebuilt first):",
            "",
            "| Read | ms |",
            "|---|---:|",
            *(f"| {kind} | {value:.1f} |" for kind, value in rebuilds.items()),
        ]
    lines += [
        "",
        f"- {'PASS' if passed else 'FAIL'}: the highest rate with p99 under {P99_LIMIT_MS:.0f} ms and no error is "
        f"**{best} req/s** (target ≥ {TARGET_RATE} req/s on this {os.cpu_count()}-core machine).",
        "- Public answers are kept whole under the state of the data (compliance/kept.py): after the first read, a "
        "page or an API answer costs two small cache reads (the figures' stamp and the edits' generation) and a "
        "lookup in the worker's own copy, not a render.",
        f"- Machine: {report.machine()}; the client, gunicorn and PostgreSQL share it.",
        f"- Date: {time.strftime('%Y-%m-%d')}.",
        f"- Reproduce: `{COMMAND}`.",
        "",
    ]
    return "\n".join(lines), passed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1)
    parser.add_argument("--rates", default=",".join(str(rate) for rate in RATES))
    parser.add_argument("--seconds", type=float, default=SECONDS)
    parser.add_argument(
        "--cache-url",
        default="db://signwatch_cache",
        help="the cache the workers share (README: Scaling out); locmem:// gives each worker its own",
    )
    parser.add_argument("--change-every", type=float, default=CHANGE_EVERY_S, help="seconds; 0: no changing runs")
    parser.add_argument("--changing-rates", default=",".join(str(rate) for rate in CHANGING_RATES))
    args = parser.parse_args()
    rng = random.Random(SEED)
    mix = read_mix(args.database_url)
    with tempfile.TemporaryDirectory(prefix="signwatch-reads-") as root:
        env = server_environment(Path(root), args.database_url) | {"CACHE_URL": args.cache_url}
        manage("collectstatic", "--noinput", env=env)
        manage("createcachetable", env=env)
        os.environ.update(env)  # this process changes the data on the server's own cache (change_the_data)
        django.setup()
        with gunicorn_server(env, Path(root) / "gunicorn.log", args.workers) as port:
            for _ in range(3):  # every worker loads its code, connects and builds the figures once
                for _kind, path, _ in mix:
                    request(port, "GET", path)
            steps = climb(port, args.rates, args.seconds, mix, rng)
            changing = (
                climb(port, args.changing_rates, args.seconds, mix, rng, change_every=args.change_every)
                if args.change_every
                else []
            )
            rebuilds = rebuild_costs(port, mix)
    import psycopg

    with psycopg.connect(args.database_url) as connection:
        server = "PostgreSQL " + connection.execute("SHOW server_version").fetchone()[0]
    section, passed = render(steps, changing, rebuilds, args, server)
    print(section)
    report.write_section(SECTION_TITLE, section)
    return 0 if passed else 1


def climb(
    port: int,
    rates: str,
    seconds: float,
    mix: list[tuple[str, str, int]],
    rng: random.Random,
    *,
    change_every: float | None = None,
) -> list[Step]:
    """One step per rate, until far past saturation."""
    steps = []
    for rate in (int(rate) for rate in rates.split(",")):
        step = run_step(port, rate, seconds, mix, rng, change_every=change_every)
        steps.append(step)
        changing = f" (data changing every {change_every:g} s)" if change_every else ""
        print(
            f"{rate:>4} req/s asked{changing}: {step.achieved:6.1f} answered, p50 {step.p50:6.1f} ms, "
            f"p99 {step.p99:7.1f} ms, errors {step.errors}",
            flush=True,
        )
        if step.p99 > 10 * P99_LIMIT_MS:
            break  # far past saturation: higher rates only pile up
    return steps


if __name__ == "__main__":
    sys.exit(main())
