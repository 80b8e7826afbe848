"""Optical character recognition of a stored photo: the lines of text on it, each with its confidence and box.

The engine is RapidOCR on ONNX Runtime (`rapidocr-onnxruntime` 1.4): its wheel carries the PP-OCRv4 detection and
recognition models and the angle classifier (about 15 MB), so it reads offline on a CPU with nothing fetched at run
time; it was checked in a network namespace with no network at all. `rapidocr` 3.x was not chosen because it
downloads its models on first use, which a server without internet access (or a privacy-minded deployment) cannot
do; Tesseract needs a system package and its own language data and reads photographed signs less well.
PP-OCRv4's recognition model reads Latin letters, digits and Chinese, which covers English and Spanish signs.
"""

from __future__ import annotations

import functools
import io
import threading
import time
from dataclasses import dataclass
from importlib import metadata
from typing import Any

from PIL import Image, ImageOps

from compliance.signreading import TextLine

ENGINE_NAME = "rapidocr-onnxruntime"
# Photos are read at this long side: digits on a sign photographed at arm's length stay 20+ px high, and the
# detector's time grows with the pixel count (1600 px took twice as long as 1024 px, with the same recall).
READ_LONG_SIDE = 1024
# One inference thread per process: parallelism comes from running one db_worker per core. On this 2-core machine,
# two threads per process under load spent twice the CPU (spinning) and took three times as long.
ENGINE_THREADS = 1


class OcrUnavailable(Exception):
    """The OCR engine is not installed or cannot start."""


@dataclass(frozen=True)
class OcrResult:
    lines: list[TextLine]
    engine: str
    engine_version: str
    seconds: float


@functools.cache
def engine_version() -> str:
    """The installed engine's version, recorded with each reading."""
    try:
        return metadata.version(ENGINE_NAME)
    except metadata.PackageNotFoundError:
        return ""


_engine_lock = threading.Lock()


@functools.cache
def _engine() -> Any:
    # Loaded once per process (about a second), then reused by every reading in that worker.
    try:
        from rapidocr_onnxruntime import RapidOCR
    except ImportError as missing:  # pragma: no cover - the engine is a declared dependency
        raise OcrUnavailable(f"{ENGINE_NAME} is not installed") from missing
    return RapidOCR(intra_op_num_threads=ENGINE_THREADS, inter_op_num_threads=ENGINE_THREADS)


def prepared(image_bytes: bytes) -> Image.Image:
    """The photo as RGB at most READ_LONG_SIDE on its long side, decoded at reduced scale where it is larger."""
    source = Image.open(io.BytesIO(image_bytes))
    source.draft("RGB", (READ_LONG_SIDE, READ_LONG_SIDE))
    picture = ImageOps.exif_transpose(source).convert("RGB")
    picture.thumbnail((READ_LONG_SIDE, READ_LONG_SIDE), Image.Resampling.LANCZOS)
    return picture


def read(image_bytes: bytes) -> OcrResult:
    """The lines of text on a photo, top to bottom, with boxes as fractions of the photo's width and height."""
    import numpy as np

    started = time.perf_counter()
    picture = prepared(image_bytes)
    width, height = picture.size
    engine = _engine()
    # onnxruntime sessions run one inference at a time safely; threads in one process take turns.
    with _engine_lock:
        raw, _elapsed = engine(
            np.ascontiguousarray(np.asarray(picture)[:, :, ::-1])
        )  # the engine expects OpenCV's BGR order
    lines = [
        TextLine(
            text=str(text),
            confidence=float(score),
            box=tuple((round(float(x) / width, 4), round(float(y) / height, 4)) for x, y in box),
        )
        for box, text, score in (raw or [])
    ]
    lines.sort(key=lambda line: (line.box[0][1], line.box[0][0]) if line.box else (0.0, 0.0))
    return OcrResult(lines, ENGINE_NAME, engine_version(), round(time.perf_counter() - started, 3))
