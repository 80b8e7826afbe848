"""Load and soak SignWatch under gunicorn, as in production, and check that nothing was lost, doubled or orphaned.

    .venv/bin/python benchmarks/load_soak.py                  # SQLite file in a temporary folder
    .venv/bin/python benchmarks/load_soak.py --postgres       # a throwaway PostgreSQL cluster on loopback (as root)
    .venv/bin/python benchmarks/load_soak.py --database postgres://user@127.0.0.1:5432/empty_db

Sets up a fresh instance (migrate, reference data, demo data, collectstatic) with DEBUG off and production security
settings relaxed only for plain HTTP on 127.0.0.1, starts `gunicorn backend.wsgi` with several workers, then:
1. a burst of BURST uploads released at the same moment, each with its own photo and Idempotency-Key;
2. a soak of REQUESTS mixed requests (reads of the map page, the choropleth figures, map viewports at several zooms,
   a jurisdiction's API answer and page, and uploads) from a pool of client threads, within a time cap.
Then it reads the database and the media folder: every 201's observation must be there exactly once, nothing else
added, every stored file must belong to a Photo row and every row's files must exist. The server log is searched
for "database is locked" and tracebacks.

Prints the figures and writes them into docs/reliability.md (one section per database), leaving other sections
alone. Exits non-zero on any 5xx, transport error, lost or duplicated submission, orphan file or missing file.
Loopback only; every loop is bounded in count and in time.
"""

from __future__ import annotations

import argparse
import datetime
import http.client
import json
import os
import random
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import django
import gunicorn
import psycopg

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))  # run as a plain script, so the project is not on the path by itself

from benchmarks import report  # noqa: E402 -- needs the path set up above
from tests import images  # noqa: E402 -- the same photo-like pictures the tests use

DOC_PATH = REPO_ROOT / "docs" / "reliability.md"
DOC_HEADER = """# Reliability under load

What `benchmarks/load_soak.py` measured: SignWatch under gunicorn with several workers, DEBUG off, on one machine,
driven over loopback by a pool of client threads. Each section is rewritten by the script for its database; the
pass criteria are zero 5xx, zero transport errors, zero lost or duplicated submissions, zero orphan or missing
files, and no "database is locked" in the server log.
"""
COMMAND = ".venv/bin/python benchmarks/load_soak.py"

SEED = 20240601
BURST = 100
REQUESTS = 10_000
UPLOAD_SHARE = 0.10
THREADS = 48
WORKERS = 4
TIME_CAP_S = 900
REQUEST_TIMEOUT_S = 60
START_TIMEOUT_S = 60
COMMAND_TIMEOUT_S = 600
PHOTO_SIZE = (480, 360)
# Reads, weighted as a public visitor's session spreads them: the map page, its figures, viewports, a state.
READS = {
    "GET /": ("/", 2),
    "GET /api/compliance/": ("/api/compliance/", 3),
    "GET /api/map/ z4": ("/api/map/?bbox=-125,24,-66,50&zoom=4", 2),
    "GET /api/map/ z7": ("/api/map/?bbox=-101,27,-94,33&zoom=7", 2),
    "GET /api/map/ z11": ("/api/map/?bbox=-98.0,30.1,-97.5,30.5&zoom=11", 2),
    "GET /api/map/ z15": ("/api/map/?bbox=-97.76,30.26,-97.72,30.28&zoom=15", 2),
    "GET /api/jurisdictions/TX/": ("/api/jurisdictions/TX/", 2),
    "GET /j/TX/": ("/j/TX/", 2),
}
UPLOAD = "POST /api/observations/"
# Only what a process needs to run: every SignWatch setting comes from below, none from the caller's environment.
INHERITED = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR")


@dataclass(frozen=True)
class Outcome:
    kind: str
    status: int | None  # None: no HTTP answer (the error says why)
    error: str | None
    seconds: float
    observation_id: str | None = None

    @property
    def failed(self) -> bool:
        """A transport error or a 5xx; 4xx would be the client's fault, and this client sends valid requests."""
        return self.status is None or self.status >= 500 or self.error is not None


@dataclass
class Phase:
    name: str
    outcomes: list[Outcome] = field(default_factory=list)
    seconds: float = 0.0
    planned: int = 0


@dataclass(frozen=True)
class Integrity:
    accepted: int
    recorded_new: int
    missing_ids: int
    duplicated_ids: int
    photo_rows: int
    files_on_disk: int
    orphan_files: int
    rows_missing_files: int
    locked: int
    tracebacks: int

    @property
    def ok(self) -> bool:
        return not (
            self.missing_ids
            or self.duplicated_ids
            or self.recorded_new != self.accepted
            or self.orphan_files
            or self.rows_missing_files
            or self.locked
            or self.tracebacks
        )


# --- the instance -----------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def throwaway_postgres(root: Path) -> Iterator[str]:
    """A fresh PostgreSQL cluster on 127.0.0.1 (run as the postgres user, so this needs root), removed afterwards."""
    initdb = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda path: int(path.parts[-3]))[-1]
    pg_bin, data, port = initdb.parent, root / "pg" / "data", free_port()
    data.parent.mkdir(parents=True)
    shutil.chown(data.parent, "postgres", "postgres")

    def as_postgres(*command: str) -> None:
        subprocess.run(
            ["runuser", "-u", "postgres", "--", *command], check=True, capture_output=True, timeout=COMMAND_TIMEOUT_S
        )

    as_postgres(str(pg_bin / "initdb"), "-D", str(data), "-U", "signwatch", "--auth=trust", "-E", "UTF8")
    options = f"-h 127.0.0.1 -p {port} -k {data.parent} -c max_connections=200"
    as_postgres(str(pg_bin / "pg_ctl"), "-D", str(data), "-l", str(data.parent / "log"), "-w", "-o", options, "start")
    try:
        with psycopg.connect(f"postgresql://signwatch@127.0.0.1:{port}/postgres", autocommit=True) as connection:
            connection.execute("CREATE DATABASE signwatch_load")
            version = connection.execute("SHOW server_version").fetchone()[0]
        print(f"PostgreSQL {version} on 127.0.0.1:{port}")
        yield f"postgres://signwatch@127.0.0.1:{port}/signwatch_load"
    finally:
        as_postgres(str(pg_bin / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop")


def server_environment(root: Path, database_url: str | None) -> dict[str, str]:
    """Production settings (DEBUG off, a secret key, manifest static files), relaxed only for plain HTTP on loopback."""
    env = {name: value for name, value in os.environ.items() if name in INHERITED}
    env |= {
        "DJANGO_SETTINGS_MODULE": "backend.settings",
        "DEBUG": "false",
        "SECRET_KEY": "load-soak-only-" + uuid.uuid4().hex * 2,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "SECURE_HSTS_SECONDS": "0",
        "MEDIA_ROOT": str(root / "media"),
        "STATIC_ROOT": str(root / "static"),
        "SUBMISSION_RATE": "1000000/hour",  # one client address sends everything: throttles would dominate
        "RECEIPT_RATE": "1000000/hour",
        "PYTHONUNBUFFERED": "1",
    }
    if database_url:
        env["DATABASE_URL"] = database_url
    else:
        env["SQLITE_PATH"] = str(root / "signwatch.sqlite3")
    return env


def manage(*arguments: str, env: dict[str, str]) -> None:
    subprocess.run(
        [sys.executable, "manage.py", *arguments],
        cwd=REPO_ROOT,
        env=env,
        check=True,
        capture_output=True,
        timeout=COMMAND_TIMEOUT_S,
    )


@contextmanager
def gunicorn_server(env: dict[str, str], log: Path, workers: int) -> Iterator[int]:
    """`gunicorn backend.wsgi` on 127.0.0.1 with sync workers; yields the port once it answers."""
    port = free_port()
    command = [sys.executable, "-m", "gunicorn", "backend.wsgi", "--workers", str(workers)]
    command += ["--bind", f"127.0.0.1:{port}", "--timeout", "120", "--backlog", "2048", "--graceful-timeout", "10"]
    with log.open("wb") as output:
        process = subprocess.Popen(command, cwd=REPO_ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + START_TIMEOUT_S
            while request(port, "GET", "/api/venue-types/").status != 200:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"gunicorn did not start:\n{log.read_text(errors='replace')[-3000:]}")
                time.sleep(0.2)
            yield port
        finally:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


# --- the client ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    status: int | None
    body: bytes
    error: str | None


def request(port: int, method: str, path: str, body: bytes | None = None, headers: dict | None = None) -> Answer:
    """One request on a fresh connection (gunicorn's sync workers close after each answer anyway)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT_S)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return Answer(response.status, response.read(), None)
    except (OSError, http.client.HTTPException) as error:
        return Answer(None, b"", type(error).__name__)
    finally:
        connection.close()


def multipart(fields: dict[str, str], photo: bytes) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields.items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="photos"; filename="IMG_0001.jpg"\r\n'
        "Content-Type: image/jpeg\r\n\r\n".encode()
        + photo
        + b"\r\n"
    )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


@dataclass(frozen=True)
class UploadRequest:
    body: bytes
    content_type: str
    key: str


def build_uploads(count: int, venue_types: list[str], rng: random.Random) -> list[UploadRequest]:
    """Reports around Austin, each with a distinct photo (its own seed) and a distinct Idempotency-Key."""
    uploads = []
    for n in range(count):
        fields = {
            "lat": f"{images.AUSTIN[0] + rng.uniform(-0.3, 0.3):.6f}",
            "lon": f"{images.AUSTIN[1] + rng.uniform(-0.3, 0.3):.6f}",
            "accuracy_m": "15",
            "venue_type": rng.choice(venue_types),
            "sign_status": rng.choice(["posted", "missing"]),
        }
        photo = images.jpeg(images.photo_like(*PHOTO_SIZE, seed=SEED + n), quality=80)
        body, content_type = multipart(fields, photo)
        uploads.append(UploadRequest(body, content_type, f"load-{n}-{uuid.uuid4().hex}"))
    return uploads


def send_upload(port: int, upload: UploadRequest) -> Outcome:
    started = time.monotonic()
    headers = {"Content-Type": upload.content_type, "Idempotency-Key": upload.key, "Accept": "application/json"}
    answer = request(port, "POST", "/api/observations/", upload.body, headers)
    seconds = time.monotonic() - started
    observation_id = None
    if answer.status == 201:
        observation_id = uuid.UUID(json.loads(answer.body)["id"]).hex
    return Outcome(UPLOAD, answer.status, answer.error, seconds, observation_id)


def send_read(port: int, kind: str) -> Outcome:
    started = time.monotonic()
    answer = request(port, "GET", READS[kind][0], headers={"Accept": "*/*"})
    return Outcome(kind, answer.status, answer.error, time.monotonic() - started)


def warm_up(port: int, workers: int) -> None:
    """A few of each read and a locate from several threads, so every worker has loaded its code and geo index.

    A worker builds the boundary index on first use; the burst should measure uploads, not that one-off start.
    """
    paths = [path for path, _ in READS.values()] + [f"/api/locate/?lat={images.AUSTIN[0]}&lon={images.AUSTIN[1]}"]
    with ThreadPoolExecutor(max_workers=workers * 2) as pool:
        list(pool.map(lambda path: request(port, "GET", path), paths * workers * 2, timeout=START_TIMEOUT_S * 4))


def run_burst(port: int, uploads: list[UploadRequest]) -> Phase:
    """Every upload from its own thread, all released at once."""
    phase = Phase(f"{len(uploads)} concurrent uploads", planned=len(uploads))
    barrier = threading.Barrier(len(uploads), timeout=REQUEST_TIMEOUT_S)

    def send(upload: UploadRequest) -> Outcome:
        barrier.wait()
        return send_upload(port, upload)

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=len(uploads)) as pool:
        phase.outcomes = list(pool.map(send, uploads, timeout=REQUEST_TIMEOUT_S * 4))
    phase.seconds = time.monotonic() - started
    return phase


def run_soak(port: int, uploads: list[UploadRequest], reads: int, threads: int, time_cap_s: float) -> Phase:
    """Reads and uploads shuffled together, from a pool of threads; work not started before the cap is skipped."""
    rng = random.Random(SEED)
    kinds, weights = list(READS), [weight for _, weight in READS.values()]
    plan: list[UploadRequest | str] = [*uploads, *rng.choices(kinds, weights=weights, k=reads)]
    rng.shuffle(plan)
    phase = Phase(f"{len(plan):,} mixed requests", planned=len(plan))
    deadline = time.monotonic() + time_cap_s

    def send(item: UploadRequest | str) -> Outcome | None:
        if time.monotonic() > deadline:
            return None
        return send_read(port, item) if isinstance(item, str) else send_upload(port, item)

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=threads) as pool:
        results = list(pool.map(send, plan, timeout=time_cap_s + REQUEST_TIMEOUT_S * 2))
    phase.seconds = time.monotonic() - started
    phase.outcomes = [outcome for outcome in results if outcome is not None]
    return phase


# --- what the server kept -----------------------------------------------------------------------------------------


def query(env: dict[str, str], sql: str) -> list[tuple]:
    """Rows from the instance's database, read directly (not through Django)."""
    if "DATABASE_URL" in env:
        with psycopg.connect(env["DATABASE_URL"].replace("postgres://", "postgresql://", 1)) as connection:
            return connection.execute(sql).fetchall()
    with sqlite3.connect(env["SQLITE_PATH"], timeout=30) as connection:
        return connection.execute(sql).fetchall()


def observation_ids(env: dict[str, str]) -> list[str]:
    return [uuid.UUID(str(row[0])).hex for row in query(env, "SELECT public_id FROM compliance_observation")]


def check_integrity(env: dict[str, str], before: set[str], phases: list[Phase], log: Path) -> Integrity:
    """Every 201 recorded exactly once and nothing else added; files and Photo rows match one to one."""
    accepted = [outcome.observation_id for phase in phases for outcome in phase.outcomes if outcome.observation_id]
    recorded = Counter(observation_ids(env))
    named = {name for row in query(env, "SELECT image, thumbnail FROM compliance_photo") for name in row}
    media_root = Path(env["MEDIA_ROOT"])
    on_disk = {path.relative_to(media_root).as_posix() for path in media_root.rglob("*") if path.is_file()}
    server_log = log.read_text(errors="replace")
    return Integrity(
        accepted=len(set(accepted)),
        recorded_new=len(set(recorded) - before),
        missing_ids=sum(1 for observation_id in set(accepted) if recorded[observation_id] == 0),
        duplicated_ids=sum(1 for count in recorded.values() if count > 1) + len(accepted) - len(set(accepted)),
        photo_rows=query(env, "SELECT COUNT(*) FROM compliance_photo")[0][0],
        files_on_disk=len(on_disk),
        orphan_files=len(on_disk - named),
        rows_missing_files=len(named - on_disk),
        locked=server_log.count("database is locked"),
        tracebacks=server_log.count("Traceback"),
    )


# --- the report -------------------------------------------------------------------------------------------------


def percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile, in milliseconds."""
    ordered = sorted(values)
    return 1000 * ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def phase_table(phase: Phase) -> str:
    by_kind: dict[str, list[Outcome]] = {}
    for outcome in phase.outcomes:
        by_kind.setdefault(outcome.kind, []).append(outcome)
    rows = ["| Request | Count | OK (2xx) | p50 ms | p95 ms | p99 ms | max ms |", "|---|---:|---:|---:|---:|---:|---:|"]
    for kind in sorted(by_kind, key=lambda kind: (kind != UPLOAD, kind)):
        seconds = [outcome.seconds for outcome in by_kind[kind]]
        ok = sum(1 for outcome in by_kind[kind] if outcome.status is not None and 200 <= outcome.status < 300)
        p50, p95, p99 = (percentile(seconds, share) for share in (0.50, 0.95, 0.99))
        slowest = 1000 * max(seconds)
        rows.append(f"| `{kind}` | {len(seconds):,} | {ok:,} | {p50:.0f} | {p95:.0f} | {p99:.0f} | {slowest:.0f} |")
    everything = [outcome.seconds for outcome in phase.outcomes]
    rows.append(
        f"| **all** | **{len(everything):,}** | | **{percentile(everything, 0.50):.0f}** "
        f"| **{percentile(everything, 0.95):.0f}** | **{percentile(everything, 0.99):.0f}** "
        f"| **{1000 * max(everything):.0f}** |"
    )
    return "\n".join(rows)


def error_classes(phase: Phase) -> str:
    classes = Counter(
        outcome.error or f"HTTP {outcome.status}"
        for outcome in phase.outcomes
        if outcome.error or outcome.status is None or not 200 <= outcome.status < 300
    )
    return ", ".join(f"{name}: {count}" for name, count in sorted(classes.items())) or "none"


def render(title: str, database: str, args: argparse.Namespace, phases: list[Phase], integrity: Integrity) -> str:
    sections = []
    for phase in phases:
        held = len(phase.outcomes)
        sections.append(
            f"""### {phase.name}

{held:,} of {phase.planned:,} requests held in {phase.seconds:.1f} s: {held / phase.seconds:.0f} requests/s. \
Errors (non-2xx answers and transport errors): {error_classes(phase)}.

{phase_table(phase)}
"""
        )
    reproduce = COMMAND + (" --postgres" if args.postgres else " --database postgres://…" if args.database else "")
    return f"""{title}

Database: {database}. Server: `gunicorn backend.wsgi --workers {args.workers}` (sync workers), DEBUG off, \
whitenoise manifest static files, throttles raised (one client address sends everything), \
{args.threads} client threads over loopback, one connection per request. Uploads are distinct \
{PHOTO_SIZE[0]}x{PHOTO_SIZE[1]} JPEG photos around Austin, TX, each with its own Idempotency-Key; the soak is \
{1 - args.upload_share:.0%} reads / {args.upload_share:.0%} uploads, shuffled (seed {SEED}). \
The instance starts with the reference data and the demo data (approved observations at 1,500 venues); a short \
warm-up (each read and a locate, {args.workers * 2} times, not counted) lets every worker load its code and \
boundary index first.

Every client thread keeps one request in flight, so latency here is mostly time spent queued for one of the \
{args.workers} workers (in flight ÷ throughput ≈ median latency); throughput is bounded by the machine's CPUs, which \
the client shares.

{"".join(section + chr(10) for section in sections)}\
Integrity after both phases:

| Check | Result |
|---|---:|
| submissions answered 201 | {integrity.accepted:,} |
| new observations in the database | {integrity.recorded_new:,} |
| lost (201 but not in the database) | {integrity.missing_ids} |
| duplicated (recorded or answered twice) | {integrity.duplicated_ids} |
| Photo rows / files on disk | {integrity.photo_rows:,} / {integrity.files_on_disk:,} |
| orphan files (no Photo row) | {integrity.orphan_files} |
| Photo rows whose files are missing | {integrity.rows_missing_files} |
| "database is locked" in the server log | {integrity.locked} |
| tracebacks in the server log | {integrity.tracebacks} |

- Machine: {report.machine(f"Django {django.__version__}", f"gunicorn {gunicorn.__version__}")}.
- Date: {datetime.date.today().isoformat()}.
- Reproduce: `{reproduce}`
"""


def write_section(title: str, section: str) -> None:
    document = DOC_PATH.read_text(encoding="utf-8") if DOC_PATH.exists() else DOC_HEADER
    DOC_PATH.write_text(report.replace_section(document, title, section), encoding="utf-8")
    print(f"Updated {DOC_PATH.relative_to(REPO_ROOT)}")


# --- main ---------------------------------------------------------------------------------------------------------


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--database", help="an empty PostgreSQL database, postgres://… on loopback")
    where.add_argument("--postgres", action="store_true", help="start a throwaway PostgreSQL cluster (needs root)")
    parser.add_argument("--burst", type=int, default=BURST, help="uploads released at once")
    parser.add_argument("--requests", type=int, default=REQUESTS, help="mixed requests in the soak")
    parser.add_argument("--upload-share", type=float, default=UPLOAD_SHARE, help="share of uploads in the soak")
    parser.add_argument("--threads", type=int, default=THREADS, help="client threads in the soak")
    parser.add_argument("--workers", type=int, default=WORKERS, help="gunicorn workers")
    parser.add_argument("--time-cap", type=float, default=TIME_CAP_S, help="seconds the soak may take at most")
    parser.add_argument("--no-doc", action="store_true", help="print only; leave docs/reliability.md alone")
    args = parser.parse_args()
    if args.database and not args.database.startswith(("postgres://127.0.0.1", "postgresql://127.0.0.1")):
        parser.error("--database must be a postgres:// address on 127.0.0.1")
    if not 1 <= args.burst <= 500 or not 1 <= args.requests <= 100_000 or not 1 <= args.threads <= 256:
        parser.error("keep --burst within 1..500, --requests within 1..100000 and --threads within 1..256")
    return args


def measure(args: argparse.Namespace, root: Path, database_url: str | None) -> tuple[list[Phase], Integrity]:
    env = server_environment(root, database_url)
    for command in (("migrate", "--noinput"), ("load_reference_data",), ("load_demo_data",)):
        manage(*command, env=env)
    manage("collectstatic", "--noinput", env=env)
    log = root / "gunicorn.log"
    with gunicorn_server(env, log, args.workers) as port:
        venue_types = [row[0] for row in query(env, "SELECT slug FROM compliance_venuetype ORDER BY slug")]
        soak_uploads = round(args.requests * args.upload_share)
        print(f"Preparing {args.burst + soak_uploads:,} distinct photos…")
        uploads = build_uploads(args.burst + soak_uploads, venue_types, random.Random(SEED))
        warm_up(port, args.workers)
        before = set(observation_ids(env))
        print(f"Burst: {args.burst} uploads at once…")
        burst = run_burst(port, uploads[: args.burst])
        print(f"  {burst.seconds:.1f} s; soak: {args.requests:,} mixed requests, {args.threads} threads…")
        soak = run_soak(port, uploads[args.burst :], args.requests - soak_uploads, args.threads, args.time_cap)
        print(f"  {soak.seconds:.1f} s")
        phases = [burst, soak]
        integrity = check_integrity(env, before, phases, log)
    if integrity.locked or integrity.tracebacks:
        kept = REPO_ROOT / "benchmarks" / "load_soak-server.log"
        shutil.copy(log, kept)
        print(f"Server log kept in {kept.relative_to(REPO_ROOT)}")
    return phases, integrity


def main() -> int:
    """Run both phases, print and record them; non-zero exit on any failure."""
    args = parse_arguments()
    with tempfile.TemporaryDirectory(prefix="signwatch-load-") as folder:
        root = Path(folder)
        os.chmod(root, 0o755)  # the postgres user must reach its cluster folder inside
        if args.postgres:
            with throwaway_postgres(root) as database_url:
                phases, integrity = measure(args, root, database_url)
            database, title = "PostgreSQL (throwaway cluster on loopback)", "## PostgreSQL"
        elif args.database:
            phases, integrity = measure(args, root, args.database)
            database, title = "PostgreSQL", "## PostgreSQL"
        else:
            phases, integrity = measure(args, root, None)
            database, title = "SQLite file (WAL, IMMEDIATE transactions)", "## SQLite"
    section = render(title, database, args, phases, integrity)
    print(section)
    if not args.no_doc:
        write_section(title, section)
    failures = sum(1 for phase in phases for outcome in phase.outcomes if outcome.failed)
    skipped = sum(phase.planned - len(phase.outcomes) for phase in phases)
    if failures or not integrity.ok or skipped:
        print(
            f"FAIL: {failures} failed requests, {skipped} not sent within the cap, integrity {integrity}",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
