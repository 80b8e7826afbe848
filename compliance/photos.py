"""Photo intake: check an uploaded photo, read its location and time, and re-encode it with no metadata at all.

Pure module: bytes in, bytes and facts out; no Django models, storage or database. Volunteers who photograph
hotline signs can face retaliation, so nothing the uploader's device wrote into the file (EXIF, XMP, IPTC, ICC
profile, comments, embedded thumbnails, camera serial numbers) may survive: the stored JPEG is encoded afresh from
pixels alone.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import math
import operator
import re
import statistics
import struct
import threading
import zlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from io import BytesIO
from typing import Any

import numpy as np
import numpy.typing as npt
import pillow_heif
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from PIL import ExifTags, Image, ImageCms, ImageFile, ImageOps

pillow_heif.register_heif_opener()  # iPhones upload HEIC; registered once, for the whole process

logger = logging.getLogger(__name__)

MIB = 1024 * 1024
OUTPUT_LONG_SIDE = 2048
THUMBNAIL_LONG_SIDE = 320
JPEG_QUALITY = 85
# Decode JPEGs at 1/2, 1/4 or 1/8 scale when the result keeps at least this share of the output size: the small
# shortfall costs no visible detail and spares most of the decoding and all of the resizing.
DRAFT_MIN_SHARE = 0.9

# Why a photo can be refused (PhotoRejected.code).
REJECTION_CODES = frozenset(
    {
        "empty_file",
        "file_too_large",
        "unsupported_media_type",
        "corrupt_image",
        "image_too_large",
        "image_too_small",
        "bad_aspect_ratio",
    }
)

# Pillow and pillow-heif report malformed input through all of these, depending on the format and the stage.
_DECODE_ERRORS = (OSError, SyntaxError, ValueError, EOFError, RuntimeError, struct.error, zlib.error)
_METADATA_ERRORS = (OSError, SyntaxError, ValueError, TypeError, KeyError, IndexError, struct.error)

# Picture modes whose embedded colour profile we apply, with the colour space the profile must declare for them.
_PROFILE_COLOUR_SPACES = {"RGB": "RGB", "CMYK": "CMYK", "L": "GRAY"}
_SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))
_CONVERSIONS: dict[tuple[bytes, str], _Conversion] = {}  # by profile digest and mode, most recently used last
_CONVERSIONS_KEPT = 16
_CONVERSIONS_LOCK = threading.Lock()  # guards _CONVERSIONS, _TABLED and every _Conversion's counter and table
# An 8-bit RGB profile's conversion becomes a lookup table of all 2**24 colours (64 MiB) once Little CMS has
# converted as many pixels with it as building the table costs (it is the same work: 2**24 pixels through the same
# transform). A profile seen once, or only on small pictures, never pays for a table; a busy one pays once, and the
# total is at most about twice the cheaper of the two choices in hindsight (the rent-or-buy argument).
TABLE_COLOURS = 1 << 24
TABLE_AFTER_PIXELS = TABLE_COLOURS
# 128 MiB per process kept at most (64 MiB more for a moment while a third is built; it then replaces the least
# recently used one).
TABLES_KEPT = 2
_TABLED: list[_Conversion] = []  # the conversions holding a table, most recently used last
_TABLE_CHUNK_SIDE = 1024  # built 2**20 colours at a time, so building needs little memory beyond the table itself

# ISO BMFF brands of HEVC-coded HEIF, as iPhones and Android phones write them. AVIF shares the container but is
# not something we accept.
_HEIF_BRANDS = frozenset({b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"hevm", b"hevs"})

# pHash: a 2-D DCT-II of 32 x 32 grey cells, keeping the 8 x 8 lowest frequencies (the cosine rows below).
_HASH_GRID = 32
_HASH_FREQUENCIES = 8
_DCT_BASIS = tuple(
    tuple(math.cos(math.pi * (2 * position + 1) * frequency / (2 * _HASH_GRID)) for position in range(_HASH_GRID))
    for frequency in range(_HASH_FREQUENCIES)
)

_EXIF_DATETIME = re.compile(r"(\d{4})[:-](\d{2})[:-](\d{2})[ T](\d{2}):(\d{2}):(\d{2})")
_EXIF_OFFSET = re.compile(r"([+-])(\d{2}):(\d{2})")


@dataclass(frozen=True)
class IntakeLimits:
    """What an upload may weigh and measure; everything outside is refused before any pixel is decoded."""

    max_bytes: int = 15 * MIB
    max_pixels: int = 60_000_000  # a 48 MP iPhone photo (8064 x 6048) fits
    max_side: int = 12_000
    min_side: int = 64  # smaller than this, a sign cannot be read: not evidence
    max_aspect_ratio: float = 4.0  # either way


DEFAULT_LIMITS = IntakeLimits()


class PhotoRejected(Exception):
    """The upload was refused: .code names the reason (one of REJECTION_CODES), .detail is for the volunteer."""

    def __init__(self, code: str, detail: str | Promise) -> None:
        if code not in REJECTION_CODES:
            raise ValueError(f"unknown rejection code {code!r}")
        self.code = code
        self.detail = str(detail)  # translated now, in the language of the request being served
        super().__init__(self.detail)


@dataclass(frozen=True)
class ExifFacts:
    """Where and when the photo was taken, as the device recorded it; None where absent or unusable.

    captured_at is timezone-aware when the file gives the offset (OffsetTimeOriginal or OffsetTime), and naive,
    in the device's local time, when it does not.
    """

    latitude: float | None
    longitude: float | None
    captured_at: datetime | None


@dataclass(frozen=True)
class CleanPhoto:
    """The re-encoded photo and thumbnail (JPEG, no metadata) and the facts recorded about the upload."""

    jpeg: bytes
    width: int
    height: int
    thumbnail: bytes
    thumbnail_width: int
    thumbnail_height: int
    source_format: str  # "JPEG", "PNG", "HEIF" or "WEBP", from the content
    received_bytes: int
    received_sha256: str
    clean_sha256: str
    perceptual_hash: int  # pHash, signed 64-bit to fit a BigIntegerField; compare with hamming_distance
    exif: ExifFacts


def process(data: bytes, *, limits: IntakeLimits = DEFAULT_LIMITS) -> CleanPhoto:
    """Check an uploaded photo against the limits and return it re-encoded without metadata, with its facts."""
    if not data:
        raise PhotoRejected("empty_file", _("The file is empty. Please choose the photo again."))
    if len(data) > limits.max_bytes:
        raise PhotoRejected(
            "file_too_large",
            _("This file is %(size).1f MB; photos can be at most %(limit).0f MB.")
            % {"size": len(data) / MIB, "limit": limits.max_bytes / MIB},
        )
    source_format = sniff_format(data)
    if source_format is None:
        raise PhotoRejected(
            "unsupported_media_type",
            _("This file is not a photo we can accept. Please upload a JPEG, PNG, HEIC or WebP photo."),
        )
    image = _open(data, source_format)
    _check_dimensions(image.size, limits)
    if source_format == "JPEG":
        _draft(image, OUTPUT_LONG_SIDE)
    try:
        image.load()
    except _DECODE_ERRORS:
        raise _corrupt() from None
    _check_dimensions(image.size, limits)  # pillow-heif takes the size from the decoded picture, not the header
    exif = _exif_facts(image)
    profile = _colour_profile(image)
    picture = _oriented(image)
    if profile is None:
        picture = _fit(_to_rgb(picture), OUTPUT_LONG_SIDE)
    else:  # scaled first, so the colour transform works on at most 2048 px instead of the full picture
        picture = _to_srgb(_fit(picture, OUTPUT_LONG_SIDE), profile)
    thumbnail = _fit(picture, THUMBNAIL_LONG_SIDE)
    jpeg = _encode(picture)
    return CleanPhoto(
        jpeg=jpeg,
        width=picture.width,
        height=picture.height,
        thumbnail=_encode(thumbnail),
        thumbnail_width=thumbnail.width,
        thumbnail_height=thumbnail.height,
        source_format=source_format,
        received_bytes=len(data),
        received_sha256=hashlib.sha256(data).hexdigest(),
        clean_sha256=hashlib.sha256(jpeg).hexdigest(),
        # From the thumbnail: 32 x 32 cells averaged from 320 px or from 2048 px are the same cells but for rounding
        # and the resampling filter's reach across their edges, so the hash is the same or a bit or two off, well
        # within a near duplicate's distance, and photos stored before are still found; it costs a seventh as much.
        perceptual_hash=perceptual_hash(thumbnail),
        exif=exif,
    )


def sniff_format(data: bytes) -> str | None:
    """The accepted image format the bytes begin with ("JPEG", "PNG", "HEIF", "WEBP"), or None; names are ignored."""
    if data.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    if data[4:8] == b"ftyp":
        box_size = int.from_bytes(data[:4], "big")
        brands = data[8:12] + data[16 : min(box_size, 64)]  # major brand, then the compatible ones
        if any(brands[i : i + 4] in _HEIF_BRANDS for i in range(0, len(brands) - 3, 4)):
            return "HEIF"
    return None


def perceptual_hash(image: Image.Image) -> int:
    """A 64-bit DCT perceptual hash (pHash) of the picture as a signed integer: near pictures get near hashes."""
    # The lowest 8 x 8 frequencies of the picture averaged down to 32 x 32 grey cells describe its coarse
    # structure, which re-encoding and resizing leave alone; each bit says whether one is above their median.
    cells = image.convert("L").resize((_HASH_GRID, _HASH_GRID), Image.Resampling.BOX).tobytes()
    rows = [cells[start : start + _HASH_GRID] for start in range(0, len(cells), _HASH_GRID)]
    row_frequencies = [[sum(map(operator.mul, basis, row)) for basis in _DCT_BASIS] for row in rows]
    frequencies = [
        sum(weight * row[across] for weight, row in zip(basis, row_frequencies, strict=True))
        for basis in _DCT_BASIS
        for across in range(_HASH_FREQUENCIES)
    ]
    median = statistics.median(frequencies)
    value = 0
    for frequency in frequencies:
        value = value << 1 | (frequency > median)
    return value - (1 << 64) if value >= 1 << 63 else value


def hamming_distance(a: int, b: int) -> int:
    """How many of the 64 bits differ between two perceptual hashes (signed or unsigned)."""
    return ((a ^ b) & 0xFFFF_FFFF_FFFF_FFFF).bit_count()


def _open(data: bytes, source_format: str) -> ImageFile.ImageFile:
    """Read the header only (Pillow decodes no pixels until load), with the opener the content itself calls for."""
    if ImageFile.LOAD_TRUNCATED_IMAGES:
        # A process-wide Pillow switch (a library turned it on: see compliance/pdf.py); with it on, truncated
        # uploads would be stored padded with grey. Intake's answer must not depend on what else ran: turn it off.
        logger.warning("PIL.ImageFile.LOAD_TRUNCATED_IMAGES was on; turning it off for photo intake")
        ImageFile.LOAD_TRUNCATED_IMAGES = False
    # Our own caps are checked on the header before any pixel is decoded, so Pillow's MAX_IMAGE_PIXELS, a
    # process-wide setting, is left alone; its DecompressionBombError (above twice that) is one more refusal.
    try:
        image = Image.open(BytesIO(data), formats=[source_format])
    except Image.DecompressionBombError:
        raise PhotoRejected("image_too_large", _("This photo has far too many pixels for us to accept.")) from None
    except _DECODE_ERRORS:
        raise _corrupt() from None
    if not isinstance(image, ImageFile.ImageFile):  # always one, for these formats; narrows the type
        raise _corrupt()
    return image


def _check_dimensions(size: tuple[int, int], limits: IntakeLimits) -> None:
    """Refuse pictures too big to decode safely, too small to be evidence, or too long and narrow to be a photo."""
    width, height = size
    if width * height > limits.max_pixels or max(width, height) > limits.max_side:
        raise _too_large(size, limits)
    if min(width, height) < limits.min_side:
        raise PhotoRejected(
            "image_too_small",
            _(
                "This photo is only %(width)d × %(height)d pixels; it must be at least %(min_side)d pixels on each "
                "side for the sign to be readable."
            )
            % {"width": width, "height": height, "min_side": limits.min_side},
        )
    if max(width, height) > limits.max_aspect_ratio * min(width, height):
        raise PhotoRejected(
            "bad_aspect_ratio",
            _(
                "This photo is %(width)d × %(height)d pixels, too long and narrow; its long side can be at most "
                "%(ratio)g times its short side."
            )
            % {"width": width, "height": height, "ratio": limits.max_aspect_ratio},
        )


def _too_large(size: tuple[int, int], limits: IntakeLimits) -> PhotoRejected:
    return PhotoRejected(
        "image_too_large",
        _(
            "This photo is %(width)d × %(height)d pixels; photos can be at most %(megapixels)g megapixels and "
            "%(max_side)d pixels on a side."
        )
        % {"width": size[0], "height": size[1], "megapixels": limits.max_pixels / 1e6, "max_side": limits.max_side},
    )


def _corrupt() -> PhotoRejected:
    return PhotoRejected(
        "corrupt_image",
        _("This photo could not be read: the file may be damaged or incomplete. Please try uploading it again."),
    )


def _draft(image: ImageFile.ImageFile, long_side: int) -> None:
    """Have libjpeg decode at 1/8, 1/4 or 1/2 scale: the strongest reduction that keeps the long side near long_side."""
    width, height = image.size
    scale = 1
    for candidate in (8, 4, 2):
        if max(width, height) / candidate >= DRAFT_MIN_SHARE * long_side:
            scale = candidate
            break
    if scale > 1:
        # Pillow picks the largest scale whose result is at least the requested size, i.e. exactly this one.
        image.draft(None, (width // scale, height // scale))


def _oriented(image: Image.Image) -> Image.Image:
    """The picture turned the way the camera says it was held (EXIF Orientation), as a viewer would show it."""
    # pillow-heif has already applied HEIF's own rotation and reset the EXIF tag, so nothing is turned twice.
    with contextlib.suppress(*_METADATA_ERRORS):  # unreadable EXIF: keep the stored orientation, not refuse
        ImageOps.exif_transpose(image, in_place=True)  # in place: no copy of the whole picture when upright
    return image


def _colour_profile(image: Image.Image) -> ImageCms.ImageCmsProfile | None:
    """The colour profile embedded in the photo, when it describes pixels of the picture's mode; else None.

    iPhones and many Android phones shoot in Display P3 and say so only in the profile. The stored JPEG carries no
    profile (it could carry text about the device), so its pixels must be sRGB, what browsers assume of an untagged
    picture; left as they are, P3 pixels read as sRGB look dull, and a faded red sign is worse evidence.
    """
    icc = image.info.get("icc_profile")
    if not icc or image.mode not in _PROFILE_COLOUR_SPACES or image.has_transparency_data:
        return None
    try:
        profile = ImageCms.ImageCmsProfile(BytesIO(icc))
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
        logger.info("photo intake: unreadable colour profile ignored")
        return None
    # A profile written for another colour space (an RGB profile on a greyscale JPEG) is a lie: ignore it.
    if profile.profile.xcolor_space.strip() != _PROFILE_COLOUR_SPACES[image.mode]:
        return None
    return profile


@dataclass(eq=False)
class _Conversion:
    """How pixels of one embedded profile and picture mode become sRGB: a Little CMS transform, and for 8-bit RGB a
    lookup table once the profile has been used enough to pay for one (TABLE_AFTER_PIXELS)."""

    transform: ImageCms.ImageCmsTransform
    mode: str
    lcms_pixels: int = 0  # converted by Little CMS since the last table was made or dropped
    table: npt.NDArray[np.uint32] | None = None
    building: threading.Lock = field(default_factory=threading.Lock)


def _to_srgb(image: Image.Image, profile: ImageCms.ImageCmsProfile) -> Image.Image:
    """8-bit RGB in sRGB, converted from the picture's own profile; plain conversion if the profile cannot be used.

    The same bytes either way: by Little CMS, or for a busy RGB profile by its lookup table, an exact cache of it.
    """
    try:
        conversion = _conversion_to_srgb(profile, image.mode)
        table = _table_for(conversion, image.width * image.height)
        if table is not None:
            return srgb_by_table(image, table)
        converted = ImageCms.applyTransform(image, conversion.transform)
    except (ImageCms.PyCMSError, OSError, ValueError) as error:
        logger.info("photo intake: colour profile not applied (%s)", error)
        return _to_rgb(image)
    assert converted is not None  # applyTransform returns None only when asked to work in place
    return converted


def _conversion_to_srgb(profile: ImageCms.ImageCmsProfile, mode: str) -> _Conversion:
    """The conversion from a profile to sRGB, built once per distinct profile (phones embed a handful).

    Keyed by the profile's bytes, so a photo never gets a transform built from another photo's profile. Built with
    no pixel cache: Little CMS then never writes to the transform while applying it, so workers' threads may share
    it.
    """
    key = (hashlib.sha256(profile.tobytes()).digest(), mode)
    with _CONVERSIONS_LOCK:
        conversion = _CONVERSIONS.pop(key, None)
        if conversion is None:
            transform = ImageCms.buildTransform(
                profile, _SRGB, mode, "RGB", ImageCms.Intent.PERCEPTUAL, flags=ImageCms.Flags.NOCACHE
            )
            conversion = _Conversion(transform, mode)
        _CONVERSIONS[key] = conversion
        while len(_CONVERSIONS) > _CONVERSIONS_KEPT:
            _drop_table(_CONVERSIONS.pop(next(iter(_CONVERSIONS))))
    return conversion


def _table_for(conversion: _Conversion, pixels: int) -> npt.NDArray[np.uint32] | None:
    """The conversion's lookup table for a picture of this many pixels, built now if it has paid for itself; None
    means convert with Little CMS (the picture's pixels are then counted towards a table)."""
    if conversion.mode != "RGB":  # CMYK and grey pictures are rare: Little CMS converts them
        return None
    with _CONVERSIONS_LOCK:
        if conversion.table is not None:
            _TABLED.remove(conversion)
            _TABLED.append(conversion)
            return conversion.table
        if conversion.lcms_pixels < TABLE_AFTER_PIXELS:
            conversion.lcms_pixels += pixels
            return None
    # One thread builds (as long as Little CMS takes on five or six 12 MP photos scaled to 3 MP); the others go on
    # converting with Little CMS meanwhile instead of waiting for it.
    if not conversion.building.acquire(blocking=False):
        return None
    try:
        table = colour_table(conversion.transform)
    finally:
        conversion.building.release()
    with _CONVERSIONS_LOCK:
        if conversion.table is None:
            conversion.table = table
            _TABLED.append(conversion)
            while len(_TABLED) > TABLES_KEPT:
                _drop_table(_TABLED[0])
        return conversion.table


def _drop_table(conversion: _Conversion) -> None:
    """Free the conversion's table, if it has one; it must pay for itself again before it is rebuilt. Hold the lock."""
    if conversion.table is not None:
        _TABLED.remove(conversion)
        conversion.table = None
    conversion.lcms_pixels = 0


def colour_table(transform: ImageCms.ImageCmsTransform) -> npt.NDArray[np.uint32]:
    """What an 8-bit RGB to RGB transform makes of every one of the 2**24 colours, by Little CMS itself (64 MiB).

    Entry R + 256 G + 65536 B holds the converted colour's bytes R, G, B, pad as a little-endian integer: the order
    in which Pillow packs an RGB picture as "RGBX", so the picture's own packed pixels are the indexes.
    """
    table = np.empty(TABLE_COLOURS, dtype="<u4")
    chunk = _TABLE_CHUNK_SIDE * _TABLE_CHUNK_SIDE
    for start in range(0, TABLE_COLOURS, chunk):
        colours = np.arange(start, start + chunk, dtype="<u4")  # pixel i of the chunk is colour start + i
        picture = Image.frombytes("RGB", (_TABLE_CHUNK_SIDE, _TABLE_CHUNK_SIDE), colours, "raw", "RGBX")
        converted = ImageCms.applyTransform(picture, transform)
        assert converted is not None  # applyTransform returns None only when asked to work in place
        table[start : start + chunk] = np.frombuffer(converted.tobytes("raw", "RGBX"), dtype="<u4")
    return table


def srgb_by_table(image: Image.Image, table: npt.NDArray[np.uint32]) -> Image.Image:
    """An 8-bit RGB picture with each pixel replaced by its entry in a colour table (see colour_table)."""
    packed = np.frombuffer(image.tobytes("raw", "RGBX"), dtype="<u4")
    colours = np.bitwise_and(packed, TABLE_COLOURS - 1, dtype="<u4")  # the pad byte is not part of the colour
    return Image.frombytes("RGB", image.size, table.take(colours), "raw", "RGBX")


def _to_rgb(image: Image.Image) -> Image.Image:
    """Plain 8-bit RGB: transparency composited on white, 16-bit grey scaled down, CMYK and palettes converted."""
    if image.mode.startswith("I"):
        # 16-bit greyscale PNG: Pillow's conversion clips at 255, which would turn the picture white.
        image = image.convert("I").point(lambda value: value / 257).convert("L")
    if image.has_transparency_data:
        rgba = image.convert("RGBA")
        return Image.alpha_composite(Image.new("RGBA", rgba.size, "white"), rgba).convert("RGB")
    return image if image.mode == "RGB" else image.convert("RGB")


def _fit(image: Image.Image, long_side: int) -> Image.Image:
    """The picture scaled down so its long side is at most long_side; never scaled up."""
    width, height = image.size
    if max(width, height) <= long_side:
        return image
    factor = long_side / max(width, height)
    size = (max(1, round(width * factor)), max(1, round(height * factor)))
    # reducing_gap box-averages by a whole factor first and leaves the rest to Lanczos: much faster for big
    # reductions, and with a gap of 3 Pillow documents the result as indistinguishable from a full resample.
    return image.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)


def _encode(image: Image.Image) -> bytes:
    """Baseline JPEG from the pixels alone: only the JFIF header, no EXIF, XMP, ICC profile or comment."""
    # Pillow copies a comment (and may copy more, in later versions) from image.info into what it saves; the info
    # dict travels through convert, resize and transpose, so it is emptied rather than trusted.
    image.info = {}
    buffer = BytesIO()
    image.save(buffer, "JPEG", quality=JPEG_QUALITY, optimize=False, progressive=False)
    return buffer.getvalue()


def _exif_facts(image: Image.Image) -> ExifFacts:
    """GPS position and capture time from the EXIF block, before it is discarded; unusable values become None."""
    try:
        exif = image.getexif()
        gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
        details = exif.get_ifd(ExifTags.IFD.Exif)
    except _METADATA_ERRORS:
        return ExifFacts(latitude=None, longitude=None, captured_at=None)
    latitude = _gps_degrees(gps.get(ExifTags.GPS.GPSLatitude), gps.get(ExifTags.GPS.GPSLatitudeRef), "N", "S", 90)
    longitude = _gps_degrees(gps.get(ExifTags.GPS.GPSLongitude), gps.get(ExifTags.GPS.GPSLongitudeRef), "E", "W", 180)
    if latitude is None or longitude is None or (latitude == 0 and longitude == 0):
        # (0, 0) is what devices write when they have no fix, not a photo taken in the Gulf of Guinea.
        latitude = longitude = None
    captured_at = _exif_datetime(
        details.get(ExifTags.Base.DateTimeOriginal), details.get(ExifTags.Base.OffsetTimeOriginal)
    ) or _exif_datetime(exif.get(ExifTags.Base.DateTime), details.get(ExifTags.Base.OffsetTime))
    return ExifFacts(latitude=latitude, longitude=longitude, captured_at=captured_at)


def _gps_degrees(value: Any, ref: Any, positive: str, negative: str, limit: float) -> float | None:
    """Signed decimal degrees from EXIF degrees/minutes/seconds rationals and a hemisphere letter, or None."""
    hemisphere = _exif_text(ref).upper()
    if hemisphere not in (positive, negative):
        return None  # without the hemisphere the sign is a guess, and a wrong sign is a wrong state
    parts = value if isinstance(value, tuple | list) else (value,)  # Pillow unwraps one-element arrays
    if not 1 <= len(parts) <= 3:
        return None
    try:
        # Pillow reads a zero denominator as NaN, which the isfinite check below refuses.
        degrees, minutes, seconds = (*(float(part) for part in parts), 0.0, 0.0)[:3]
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    if not all(math.isfinite(part) and part >= 0 for part in (degrees, minutes, seconds)):
        return None
    if minutes >= 60 or seconds >= 60:
        return None
    result = degrees + minutes / 60 + seconds / 3600
    if result > limit:
        return None
    return -result if hemisphere == negative else result


def _exif_datetime(value: Any, offset: Any) -> datetime | None:
    """An EXIF "YYYY:MM:DD HH:MM:SS" time, aware when an "+HH:MM" offset is given, naive otherwise; or None."""
    match = _EXIF_DATETIME.fullmatch(_exif_text(value))
    if match is None:
        return None
    year, month, day, hour, minute, second = (int(field) for field in match.groups())
    try:
        moment = datetime(year, month, day, hour, minute, second)  # EXIF times are local, zone unknown
    except ValueError:
        return None  # "0000:00:00 00:00:00" and other impossible dates
    offset_match = _EXIF_OFFSET.fullmatch(_exif_text(offset))
    if offset_match is None:
        return moment
    sign, hours, minutes = offset_match.groups()
    delta = timedelta(hours=int(hours), minutes=int(minutes))
    try:
        return moment.replace(tzinfo=timezone(-delta if sign == "-" else delta))
    except ValueError:
        return moment  # an offset of a day or more is nonsense; keep the local time


def _exif_text(value: Any) -> str:
    """An EXIF ASCII value as text without its NUL padding; empty for anything else."""
    if isinstance(value, bytes):
        value = value.decode("ascii", "replace")
    return value.strip("\x00 ") if isinstance(value, str) else ""
