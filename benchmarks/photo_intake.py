"""Benchmark photo intake: photos.process against one bare Pillow decode of the same bytes.

    .venv/bin/python benchmarks/photo_intake.py

Prints the figures and writes them into the "## Photo intake" section of docs/benchmarks.md, leaving any other
section alone. Exits non-zero if a target is missed: a 12 MP JPEG at most TARGET_RATIO times a bare decode of
it, a 12 MP Display P3 JPEG (by its colour table, as all but a profile's first photos are) and a 12 MP HEIC at
most IPHONE_TARGET_RATIO times.
"""

from __future__ import annotations

import datetime
import io
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import PIL
import pillow_heif
from PIL import Image, ImageCms

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))  # run as a plain script, so the project is not on the path by itself

from benchmarks import report  # noqa: E402 -- needs the path set up above
from compliance import photos  # noqa: E402 -- needs the path set up above
from tests import images  # noqa: E402 -- the same photo-like pictures the tests use

SECTION_TITLE = "## Photo intake"
COMMAND = ".venv/bin/python benchmarks/photo_intake.py"

SEED = 20240601
RUNS = 15  # per case; the median is reported, so a run disturbed by another process does not count
TABLE_RUNS = 3  # builds of the Display P3 colour table, timed on their own
TARGET_RATIO = 2.0  # a 12 MP JPEG
IPHONE_TARGET_RATIO = 1.5  # a 12 MP Display P3 JPEG and a 12 MP HEIC, what iPhones upload


@dataclass(frozen=True)
class Case:
    """One upload to time, described for the report."""

    name: str
    data: bytes
    # When a profile's colour table is built (photos.TABLE_AFTER_PIXELS): never, to time Little CMS converting the
    # first photos of a profile; at once, to time the steady state after the table has paid for itself.
    table_after_pixels: int = photos.TABLE_AFTER_PIXELS


@dataclass(frozen=True)
class Timing:
    """Median milliseconds of a bare decode and of photos.process, for one case."""

    case: Case
    decode_ms: float
    process_ms: float
    output: tuple[int, int]

    @property
    def ratio(self) -> float:
        """How many bare decodes one photos.process costs."""
        return self.process_ms / self.decode_ms


def cases() -> list[Case]:
    """12 MP JPEGs (untagged and Display P3) and HEIC, the common phone uploads; a 48 MP JPEG, the largest accepted."""
    twelve = images.photo_like(4000, 3000, seed=SEED)
    heic = io.BytesIO()
    # x265's slowest presets take ~20 s on this picture; "ultrafast" makes a file of the same size in 2 s.
    twelve.save(heic, "HEIF", quality=50, enc_params={"preset": "ultrafast"})
    # Less grain and quality 85 keep 48 MP within the 15 MiB cap, as phones' own 48 MP JPEGs are.
    forty_eight = images.photo_like(8064, 6048, seed=SEED, grain=0.08)
    display_p3 = images.jpeg(twelve, quality=92, icc_profile=images.display_p3_profile())
    return [
        Case("12 MP JPEG (4000 x 3000, quality 92)", images.jpeg(twelve, quality=92)),
        # Little CMS first: once the profile has a table, the process uses it whatever the threshold says.
        Case("12 MP JPEG in Display P3, by Little CMS (a profile's first photos)", display_p3, sys.maxsize),
        Case("12 MP JPEG in Display P3, by the colour table", display_p3, table_after_pixels=0),
        Case("12 MP HEIC (4000 x 3000, x265 quality 50)", heic.getvalue()),
        Case("48 MP JPEG (8064 x 6048, quality 85)", images.jpeg(forty_eight, quality=85)),
    ]


def bare_decode(data: bytes) -> None:
    """What any handling of the photo costs at least: one full decode of its pixels."""
    Image.open(io.BytesIO(data)).load()


def measure(case: Case) -> Timing:
    """Time both on the same bytes, alternating, after one warm-up each: CPU time of this process, so another
    program busy on the machine does not count (every step here runs on this one thread)."""
    kept = photos.TABLE_AFTER_PIXELS
    photos.TABLE_AFTER_PIXELS = case.table_after_pixels
    try:
        return measure_runs(case)
    finally:
        photos.TABLE_AFTER_PIXELS = kept


def measure_runs(case: Case) -> Timing:
    bare_decode(case.data)
    photo = photos.process(case.data)  # also builds the colour table, for the case that wants one
    decodes, processes = [], []
    for _ in range(RUNS):
        start = time.process_time()
        bare_decode(case.data)
        decodes.append(time.process_time() - start)
        start = time.process_time()
        photos.process(case.data)
        processes.append(time.process_time() - start)
    return Timing(
        case=case,
        decode_ms=statistics.median(decodes) * 1000,
        process_ms=statistics.median(processes) * 1000,
        output=(photo.width, photo.height),
    )


def table_build_ms() -> float:
    """Median CPU milliseconds to build the Display P3 colour table: every colour through Little CMS once."""
    p3 = ImageCms.ImageCmsProfile(io.BytesIO(images.display_p3_profile()))
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))
    transform = ImageCms.buildTransform(p3, srgb, "RGB", "RGB", ImageCms.Intent.PERCEPTUAL)
    builds = []
    for _ in range(TABLE_RUNS):
        start = time.process_time()
        photos.colour_table(transform)
        builds.append(time.process_time() - start)
    return statistics.median(builds) * 1000


def render(timings: list[Timing], build_ms: float) -> str:
    """The Markdown section, title included."""
    plain, by_lcms, by_table = timings[0], timings[1], timings[2]
    rows = "\n".join(
        f"| {t.case.name} | {len(t.case.data) / 1e6:.1f} MB | {t.decode_ms:.0f} | {t.process_ms:.0f} "
        f"| {t.ratio:.2f}x | {t.output[0]} x {t.output[1]} |"
        for t in timings
    )
    return f"""{SECTION_TITLE}

`compliance.photos.process` (check, decode, read EXIF, orient, scale to a {photos.OUTPUT_LONG_SIDE} px long side, \
make a {photos.THUMBNAIL_LONG_SIDE} px thumbnail, re-encode both without metadata, hash) against one bare full \
decode of the same bytes (`Image.open(BytesIO(data)).load()`). Pictures are gradients, shapes and grain (seed \
{SEED}), so they compress like phone photos; each figure is the median CPU time of {RUNS} runs, the two \
alternating.

| Upload | Size | Bare decode (ms) | `process` (ms) | Ratio | Stored |
|---|---:|---:|---:|---:|---:|
{rows}

{targets(timings)}

- JPEGs are decoded at \
reduced DCT scale (`Image.draft`), which is why they can cost less than a full decode; HEIC has no such shortcut.
- A photo with a colour profile (iPhones shoot in Display P3) is converted to sRGB after scaling, because the \
stored JPEG carries no profile. Little CMS converts the first photos of a profile \
({by_lcms.process_ms - plain.process_ms:.0f} ms more than an untagged photo here); once it has converted \
{photos.TABLE_AFTER_PIXELS:,} pixels with one 8-bit RGB profile (five or six of these photos), the process builds \
that profile's lookup table of all {photos.TABLE_COLOURS:,} colours by running them through the same transform \
({build_ms:.0f} ms of CPU, median of {TABLE_RUNS}, once per profile and process) and looks colours up from then \
on ({by_table.process_ms - plain.process_ms:.0f} ms more than untagged). The table gives the very bytes Little CMS \
gives (tests/test_photos.py checks it on random colours). Memory: 64 MiB per table, at most \
{photos.TABLES_KEPT} tables per process ({photos.TABLES_KEPT * 64} MiB; count it per gunicorn worker and per \
`db_worker`); a third busy profile's table replaces the least recently used one. Grey and CMYK photos with a \
profile, and profiles seen rarely or only on small pictures, are converted by Little CMS and never pay for a table.
- Machine: {machine()}.
- Date: {datetime.date.today().isoformat()}.
- Reproduce: `{COMMAND}`
"""


def verdicts(timings: list[Timing]) -> list[tuple[bool, str]]:
    """Each target, met or not, in words: a Display P3 photo as most are converted, by the table."""
    plain, p3, heic = timings[0], timings[2], timings[3]
    return [
        (plain.ratio <= TARGET_RATIO, f"12 MP JPEG: {plain.ratio:.2f}x a bare decode (target ≤ {TARGET_RATIO:g}x)"),
        (
            p3.ratio <= IPHONE_TARGET_RATIO,
            f"12 MP Display P3 JPEG, by its colour table: {p3.ratio:.2f}x a bare decode "
            f"(target ≤ {IPHONE_TARGET_RATIO:g}x)",
        ),
        (
            heic.ratio <= IPHONE_TARGET_RATIO,
            f"12 MP HEIC: {heic.ratio:.2f}x a bare decode (target ≤ {IPHONE_TARGET_RATIO:g}x)",
        ),
    ]


def targets(timings: list[Timing]) -> str:
    return "\n".join(f"- {'PASS' if ok else 'FAIL'}: {text}" for ok, text in verdicts(timings))


def machine() -> str:
    """Where the figures came from."""
    return report.machine(
        f"Pillow {PIL.__version__}", f"pillow-heif {pillow_heif.__version__} (libheif {pillow_heif.libheif_version()})"
    )


def main() -> int:
    """Run the benchmark, print and record it; non-zero exit if a target is missed."""
    timings = [measure(case) for case in cases()]
    section = render(timings, table_build_ms())
    print(section)
    report.write_section(SECTION_TITLE, section)
    return 0 if all(ok for ok, _ in verdicts(timings)) else 1


if __name__ == "__main__":
    sys.exit(main())
