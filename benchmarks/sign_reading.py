"""Evaluate sign reading on the labelled set generated in code (tests/sign_photos.py): recall, precision, time.

    .venv/bin/python benchmarks/sign_reading.py [--per-condition N] [--moderated]

Each generated photo goes through the real intake (compliance.photos.process: the stored JPEG is what is read), then
compliance.ocr and compliance.signreading, as the background task does. Prints recall and precision of the national
hotline, the text line and Florida's state hotline, false positives on photos without a hotline sign, time per photo
(wall and CPU) with the machine's load, and writes the "## Sign reading" section of docs/benchmarks.md.
With --moderated it also reports, from the instance's database (DATABASE_URL, or the project's SQLite file), how
often the stored readings agree with the moderators' decisions.
Exits non-zero if a target is missed: hotline recall >= 95%, false positives <= 2% on sign-free photos, median time
per photo <= 1.5 s.
"""

from __future__ import annotations

import argparse
import datetime
import os
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))  # run as a plain script, so the project is not on the path by itself

from benchmarks import report  # noqa: E402 -- needs the path set up above
from compliance import ocr, photos, signreading  # noqa: E402 -- needs the path set up above
from tests import sign_photos  # noqa: E402 -- the same generated photos the tests use

TITLE = "## Sign reading"
RECALL_TARGET = 0.95
FALSE_POSITIVE_TARGET = 0.02
SECONDS_TARGET = 1.5
FLORIDA = signreading.ExpectedNumber("Florida Human Trafficking Hotline", "1-855-FLA-SAFE", is_state_hotline=True)
CAST = signreading.ExpectedNumber("number the law names", "1-888-539-2373")  # California's notice names it


def ratio(numerator: int, denominator: int) -> float:
    return numerator / denominator if denominator else float("nan")


def percent(value: float) -> str:
    return f"{value * 100:.1f}%"


def evaluate(per_condition: int) -> dict:
    rows = []
    for item in sign_photos.evaluation_set(per_condition=per_condition):
        stored = photos.process(item.jpeg).jpeg
        wall, cpu = time.perf_counter(), time.process_time()
        result = ocr.read(stored)
        found = signreading.read_text(result.lines, [FLORIDA] if item.name.startswith("florida") else [CAST])
        rows.append(
            {
                "item": item,
                "wall": time.perf_counter() - wall,
                "cpu": time.process_time() - cpu,
                "hotline": found.hotline_found,
                "text_line": found.text_line_found,
                "state": found.state_hotline_found,
                "wrong": bool(found.possibly_wrong_numbers),
                "languages": set(found.languages),
            }
        )
        print(
            f"{item.name:26} {rows[-1]['wall']:5.2f} s  hotline {found.hotline_found!s:5} "
            f"(truth {item.hotline!s:5})  text line {found.text_line_found!s:5} (truth {item.text_line!s:5})  "
            f"{','.join(found.languages)}"
        )
    return summarise(rows)


def summarise(rows: list[dict]) -> dict:
    def detection(key: str, truth: str) -> tuple[int, int, int]:
        hits = sum(1 for r in rows if r[key] and getattr(r["item"], truth))
        truths = sum(1 for r in rows if getattr(r["item"], truth))
        said = sum(1 for r in rows if r[key])
        return hits, truths, said

    signless = [r for r in rows if r["item"].kind in ("no_sign", "other_poster")]
    wrong = [r for r in rows if r["item"].kind == "wrong_number"]
    florida = [r for r in rows if r["item"].state_hotline]
    by_condition: dict[str, list[bool]] = defaultdict(list)
    for r in rows:
        if r["item"].hotline:
            by_condition[r["item"].conditions[0]].append(r["hotline"])
    language_checks = [
        (language in r["languages"]) for r in rows if r["item"].kind == "sign" for language in r["item"].languages
    ]
    walls = sorted(r["wall"] for r in rows)
    return {
        "photos": len(rows),
        "hotline": detection("hotline", "hotline"),
        "text_line": detection("text_line", "text_line"),
        "false_positives": sum(1 for r in signless if r["hotline"] or r["text_line"]),
        "signless": len(signless),
        "wrong_taken_for_hotline": sum(1 for r in wrong if r["hotline"]),
        "wrong_flagged": sum(1 for r in wrong if r["wrong"]),
        "wrong": len(wrong),
        "florida_found": sum(1 for r in florida if r["state"]),
        "florida": len(florida),
        "languages_right": sum(language_checks),
        "languages": len(language_checks),
        "by_condition": {name: (sum(hits), len(hits)) for name, hits in by_condition.items()},
        "wall_median": statistics.median(walls),
        "wall_mean": statistics.fmean(walls),
        "wall_p95": walls[min(len(walls) - 1, int(len(walls) * 0.95))],
        "cpu_mean": statistics.fmean(r["cpu"] for r in rows),
    }


def render(figures: dict, load_before: tuple[float, ...], load_after: tuple[float, ...]) -> str:
    hits, truths, said = figures["hotline"]
    text_hits, text_truths, text_said = figures["text_line"]
    conditions = " · ".join(
        f"{name} {hits_}/{total}" for name, (hits_, total) in sorted(figures["by_condition"].items())
    )
    return f"""{TITLE}

`.venv/bin/python benchmarks/sign_reading.py` — {datetime.date.today():%Y-%m-%d}, {
        report.machine(f"{ocr.ENGINE_NAME} {ocr.engine_version()}")
    }; photos read at {ocr.READ_LONG_SIDE} px on the long side, {ocr.ENGINE_THREADS} inference thread.

The labelled set is generated in code (`tests/sign_photos.py`): {figures["photos"]} photos: hotline signs in four
DejaVu fonts, five colour schemes and the six written forms of the number, English, Spanish and bilingual, the
California notice (national number, CAST's and the text line) and Florida's (1-855-FLA-SAFE), each photographed
plain, small in the frame, in perspective, blurred, under glare, in low light, partly covered; plus photos of a bare
wall, of other posters and of hotline signs with a wrong number. Each goes through the real intake first, so the
stored JPEG is what is read.

| measure | result | target |
|---|---|---|
| national hotline recall | {hits}/{truths} = {percent(ratio(hits, truths))} | ≥ {percent(RECALL_TARGET)} |
| national hotline precision | {hits}/{said} = {percent(ratio(hits, said))} | |
| false positives on sign-free photos (wall, other posters) | {figures["false_positives"]}/{figures["signless"]} = {
        percent(ratio(figures["false_positives"], figures["signless"]))
    } | ≤ {percent(FALSE_POSITIVE_TARGET)} |
| wrong-number signs taken for the hotline | {figures["wrong_taken_for_hotline"]}/{figures["wrong"]} | 0 |
| wrong-number signs whose number is flagged | {figures["wrong_flagged"]}/{figures["wrong"]} | |
| text line recall | {text_hits}/{text_truths} = {percent(ratio(text_hits, text_truths))} | |
| text line precision | {text_hits}/{text_said} = {percent(ratio(text_hits, text_said))} | |
| Florida state hotline found | {figures["florida_found"]}/{figures["florida"]} | |
| languages of the sign recognised | {figures["languages_right"]}/{figures["languages"]} | |
| time per photo, median (mean, 95th percentile) | {figures["wall_median"]:.2f} s ({figures["wall_mean"]:.2f} s, {
        figures["wall_p95"]:.2f} s) | ≤ {SECONDS_TARGET} s |
| CPU time per photo, mean | {figures["cpu_mean"]:.2f} s | |

Hotline recall by condition: {conditions}.

Load average when the run started: {" / ".join(f"{v:.1f}" for v in load_before)} (1 / 5 / 15 min), when it ended:
{" / ".join(f"{v:.1f}" for v in load_after)}; other engineers' test suites shared the 2 cores, so wall time is
above what a quiet machine gives; CPU time per photo is the figure that does not depend on the load. With one
inference thread a reading uses one core, so on an otherwise idle machine its wall time should be close to its
CPU time (not measured: the machine was never idle during this work):
{figures["cpu_mean"]:.2f} s, {"within" if figures["cpu_mean"] <= SECONDS_TARGET else "over"} the {SECONDS_TARGET} s
target; the wall-time target {"is met" if figures["wall_median"] <= SECONDS_TARGET else "is not met under this load"}.
"""


def moderated_agreement() -> str:
    """How often the readings stored in this instance's database agree with its moderators, over every state."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")
    django.setup()
    from compliance import reports
    from compliance.models import Jurisdiction

    totals = [reports.machine_reading(j, since=datetime.date.min) for j in Jurisdiction.objects.all()]
    compared = sum(t.compared for t in totals)
    agreed = sum(t.agreed for t in totals)
    read, legible = sum(t.read for t in totals), sum(t.legible for t in totals)
    if not compared:
        return "From moderated data: this instance's database holds no approved report with a reading yet.\n"
    return (
        f"From moderated data ({compared} approved reports with a reading): the reading agreed with the moderator "
        f"on {agreed} ({percent(ratio(agreed, compared))}); the number was legible on {legible} of {read} posted "
        "signs read.\n"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-condition", type=int, default=6, help="sign photos per condition (default 6)")
    parser.add_argument("--no-write", action="store_true", help="print only; leave docs/benchmarks.md alone")
    parser.add_argument("--moderated", action="store_true", help="also measure agreement on the database's reports")
    args = parser.parse_args()
    ocr.read(sign_photos.to_jpeg(sign_photos.english_sign(sign_photos.NATIONAL_FORMS[0])))  # load the engine once
    load_before = os.getloadavg()
    figures = evaluate(args.per_condition)
    section = render(figures, load_before, os.getloadavg())
    if args.moderated:
        section += "\n" + moderated_agreement()
    print(section)
    if not args.no_write:
        report.write_section(TITLE, section)
    hits, truths, _ = figures["hotline"]
    missed = [
        ratio(hits, truths) < RECALL_TARGET,
        ratio(figures["false_positives"], figures["signless"]) > FALSE_POSITIVE_TARGET,
        figures["wall_median"] > SECONDS_TARGET,
    ]
    return 1 if any(missed) else 0


if __name__ == "__main__":
    sys.exit(main())
