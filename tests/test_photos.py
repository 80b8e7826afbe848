"""Photo intake: what is accepted, what is refused, what is read, and that nothing identifying is stored."""

from __future__ import annotations

import hashlib
import io
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageCms, ImageDraw, ImageFile

from compliance import photos
from compliance.api.errors import PHOTO_STATUSES
from tests import images

REPO_ROOT = Path(__file__).resolve().parent.parent
ACCEPTED_FORMATS = ("JPEG", "PNG", "HEIF", "WEBP")
SOS, EOI = 0xDA, 0xD9
# What a metadata-free baseline JPEG from Pillow may hold before and between its scans: SOI, APP0 (JFIF only),
# quantisation tables, start of frame, Huffman tables, restart interval, start of scan, end of image.
ALLOWED_MARKERS = {0xD8, 0xE0, 0xDB, 0xC0, 0xC4, 0xDD, SOS, EOI}


def jpeg_markers(data: bytes) -> list[tuple[int, bytes]]:
    """Every marker segment of a JPEG, in order, as (marker, payload); entropy-coded data is walked, not searched."""
    assert data[:2] == b"\xff\xd8", "does not start with SOI"
    markers: list[tuple[int, bytes]] = [(0xD8, b"")]
    position = 2
    while position < len(data):
        assert data[position] == 0xFF, f"expected a marker at byte {position}"
        while data[position] == 0xFF:  # fill bytes
            position += 1
        marker = data[position]
        position += 1
        if marker == EOI:
            markers.append((EOI, b""))
            assert position == len(data), "bytes after EOI"
            return markers
        length = int.from_bytes(data[position : position + 2], "big")
        markers.append((marker, data[position + 2 : position + length]))
        position += length
        if marker == SOS:  # skip entropy-coded data: 0xFF is followed by 0x00 (stuffing) or a restart marker
            while not (data[position] == 0xFF and data[position + 1] not in (0x00, *range(0xD0, 0xD8))):
                position += 1
    raise AssertionError("no EOI")


def assert_no_metadata(jpeg: bytes) -> None:
    """The JPEG holds pixels and the JFIF header only: no EXIF, XMP, IPTC, ICC, comment or embedded image."""
    markers = jpeg_markers(jpeg)
    kinds = [marker for marker, _ in markers]
    assert set(kinds) <= ALLOWED_MARKERS, [hex(kind) for kind in kinds if kind not in ALLOWED_MARKERS]
    assert kinds.count(0xD8) == 1 and kinds.count(EOI) == 1
    assert all(payload.startswith(b"JFIF\x00") for marker, payload in markers if marker == 0xE0)
    for telltale in (b"Exif", b"http://ns.adobe.com", b"Photoshop", b"8BIM", b"ICC_PROFILE", b"sRGB", b"lcms"):
        assert telltale not in jpeg
    for text in images.IDENTIFYING_TEXTS:
        assert text.lower().encode() not in jpeg.lower()
    decoded = Image.open(io.BytesIO(jpeg))
    assert decoded.format == "JPEG" and decoded.mode == "RGB"
    assert not decoded.getexif() and not decoded.info.get("icc_profile") and not decoded.info.get("comment")


def pixel(jpeg: bytes, x: int, y: int) -> tuple[int, int, int]:
    """The colour at (x, y) of a JPEG; negative coordinates count from the right or bottom edge."""
    picture = Image.open(io.BytesIO(jpeg)).convert("RGB")
    return picture.getpixel((x % picture.width, y % picture.height))  # type: ignore[return-value]


def near(colour: tuple[int, int, int], expected: tuple[int, int, int], tolerance: int = 40) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(colour, expected, strict=True))


# --- nothing identifying is stored ---------------------------------------------------------------------------------


def test_telltale_fixture_really_carries_the_metadata():
    data = images.telltale_jpeg()
    kinds = {marker for marker, _ in jpeg_markers(data)}
    assert {0xE1, 0xE2, 0xED, 0xFE} <= kinds  # EXIF and XMP, ICC, IPTC, comment
    for text in (images.CREATOR, images.SERIAL, images.COMMENT):
        assert text.encode() in data
    assert data.count(b"\xff\xd8") == 2  # the photo and its embedded thumbnail of another picture
    source = Image.open(io.BytesIO(data))
    assert source.getexif().get_ifd(0x8769)[images.BODY_SERIAL_NUMBER] == images.SERIAL


def test_stored_jpeg_and_thumbnail_carry_no_metadata():
    photo = photos.process(images.telltale_jpeg())
    assert_no_metadata(photo.jpeg)
    assert_no_metadata(photo.thumbnail)


@pytest.mark.parametrize("source_format", ACCEPTED_FORMATS)
def test_every_accepted_format_becomes_a_jpeg_without_metadata(source_format):
    photo = photos.process(images.with_phone_metadata(source_format))
    assert photo.source_format == source_format
    assert (photo.width, photo.height) == (400, 300)
    assert_no_metadata(photo.jpeg)
    assert_no_metadata(photo.thumbnail)


def test_png_text_chunks_do_not_survive():
    data = images.png_with_text()
    for chunk in (b"tEXt", b"zTXt", b"iTXt", b"eXIf"):
        assert chunk in data
    photo = photos.process(data)
    assert_no_metadata(photo.jpeg)
    assert pixel(photo.jpeg, 10, 10) == pytest.approx(images.RED, abs=12)


def test_heic_becomes_a_jpeg():
    photo = photos.process(images.heic())
    assert photo.source_format == "HEIF"
    assert Image.open(io.BytesIO(photo.jpeg)).format == "JPEG"
    assert near(pixel(photo.jpeg, 10, 10), images.RED)


def test_webp_becomes_a_jpeg():
    photo = photos.process(images.webp())
    assert photo.source_format == "WEBP"
    assert near(pixel(photo.jpeg, 10, -10), images.BLUE)


def test_multi_picture_jpeg_keeps_only_its_first_picture():
    data = images.multi_picture_jpeg()
    assert Image.open(io.BytesIO(data)).n_frames == 2
    photo = photos.process(data)
    assert photo.source_format == "JPEG"
    assert_no_metadata(photo.jpeg)
    assert near(pixel(photo.jpeg, 10, 10), images.RED)


# --- orientation -----------------------------------------------------------------------------------------------------


def test_exif_orientation_turns_the_pixels():
    # Orientation 6: the camera was turned a quarter clockwise, so the stored top-left ends up top-right.
    photo = photos.process(images.telltale_jpeg(orientation=6))
    assert (photo.width, photo.height) == (300, 400)
    assert near(pixel(photo.jpeg, -10, 10), images.RED)
    assert near(pixel(photo.jpeg, 10, 10), images.BLUE)
    assert near(pixel(photo.jpeg, 10, -10), images.WHITE)
    assert (photo.thumbnail_width, photo.thumbnail_height) == (240, 320)
    assert near(pixel(photo.thumbnail, -8, 8), images.RED)


def test_heic_orientation_is_applied_exactly_once():
    photo = photos.process(images.heic(exif=images.phone_exif(orientation=6)))
    assert (photo.width, photo.height) == (300, 400)
    assert near(pixel(photo.jpeg, -10, 10), images.RED)
    assert near(pixel(photo.jpeg, 10, 10), images.BLUE)


# --- location and time -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("source_format", ACCEPTED_FORMATS)
def test_gps_and_capture_time_are_read_before_stripping(source_format):
    facts = photos.process(images.with_phone_metadata(source_format)).exif
    assert facts.latitude == pytest.approx(images.AUSTIN[0], abs=1e-6)
    assert facts.longitude == pytest.approx(images.AUSTIN[1], abs=1e-6)
    assert facts.captured_at == datetime(2024, 5, 17, 14, 32, 8, tzinfo=timezone(timedelta(hours=-5)))


def test_capture_time_without_offset_is_naive_local_time():
    exif = images.exif_bytes(exif={images.DATE_TIME_ORIGINAL: images.TAKEN_AT})
    facts = photos.process(images.jpeg(images.marked_picture(), exif=exif)).exif
    assert facts.captured_at == datetime(2024, 5, 17, 14, 32, 8)
    assert facts.captured_at.tzinfo is None
    assert facts.latitude is None and facts.longitude is None


def test_capture_time_falls_back_to_datetime():
    exif = images.exif_bytes(ifd0={images.DATE_TIME: "2023-11-02 08:15:00"})
    facts = photos.process(images.jpeg(images.marked_picture(), exif=exif)).exif
    assert facts.captured_at == datetime(2023, 11, 2, 8, 15)


@pytest.mark.parametrize("value", ["0000:00:00 00:00:00", "    :  :     :  :  ", "2024:13:40 25:61:00", "yesterday"])
def test_unparsable_capture_time_is_ignored(value):
    exif = images.exif_bytes(exif={images.DATE_TIME_ORIGINAL: value, images.OFFSET_TIME_ORIGINAL: "+02:00"})
    assert photos.process(images.jpeg(images.marked_picture(), exif=exif)).exif.captured_at is None


def test_unusable_offset_leaves_capture_time_naive():
    exif = images.exif_bytes(exif={images.DATE_TIME_ORIGINAL: images.TAKEN_AT, images.OFFSET_TIME_ORIGINAL: "   :  "})
    assert photos.process(images.jpeg(images.marked_picture(), exif=exif)).exif.captured_at.tzinfo is None


@pytest.mark.parametrize(
    "gps",
    [
        pytest.param(images.gps_ifd(latitude=((30, 0), (16, 1), (0, 1))), id="zero-denominator-is-nan"),
        pytest.param(images.gps_ifd(((0, 1), (0, 1), (0, 1)), ((0, 1), (0, 1), (0, 1))), id="null-island"),
        pytest.param(images.gps_ifd(latitude=((95, 1), (0, 1), (0, 1))), id="latitude-out-of-range"),
        pytest.param(images.gps_ifd(longitude=((97, 1), (75, 1), (0, 1))), id="minutes-out-of-range"),
        pytest.param(images.gps_ifd(refs=("N", "")), id="no-hemisphere"),
        pytest.param(images.gps_ifd(refs=("X", "W")), id="bad-hemisphere"),
        pytest.param(images.gps_ifd(latitude=((30, 1), (16, 1), (1, 1), (2, 1))), id="four-parts"),
    ],
)
def test_invalid_gps_is_ignored(gps):
    exif = images.exif_bytes(gps=gps, exif={images.DATE_TIME_ORIGINAL: images.TAKEN_AT})
    facts = photos.process(images.jpeg(images.marked_picture(), exif=exif)).exif
    assert (facts.latitude, facts.longitude) == (None, None)
    assert facts.captured_at == datetime(2024, 5, 17, 14, 32, 8)  # the rest of the EXIF is still read


def test_southern_and_eastern_hemispheres_are_negative_and_positive():
    gps = images.gps_ifd(((33, 1), (52, 1), (0, 1)), ((151, 1), (12, 1), (36, 1)), refs=("S", "E"))
    facts = photos.process(images.jpeg(images.marked_picture(), exif=images.exif_bytes(gps=gps))).exif
    assert facts.latitude == pytest.approx(-33.866667, abs=1e-6)
    assert facts.longitude == pytest.approx(151.21, abs=1e-6)


def test_photo_without_exif_has_no_facts():
    facts = photos.process(images.jpeg(images.marked_picture())).exif
    assert facts == photos.ExifFacts(latitude=None, longitude=None, captured_at=None)


# --- refusals ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("build", "code", "status"),
    [
        (lambda: b"", "empty_file", 400),
        (images.html_named_jpg, "unsupported_media_type", 415),
        (images.svg, "unsupported_media_type", 415),
        (images.gif, "unsupported_media_type", 415),
        (images.avif, "unsupported_media_type", 415),
        (images.zip_archive, "unsupported_media_type", 415),
        (images.pdf, "unsupported_media_type", 415),
        (images.truncated_jpeg, "corrupt_image", 400),
        (lambda: images.png(images.marked_picture())[:-300], "corrupt_image", 400),
        (lambda: b"\xff\xd8\xff\xe0\x00\x10JFIF", "corrupt_image", 400),
        (lambda: images.heic()[:600], "corrupt_image", 400),
        (lambda: images.jpeg(images.marked_picture(48, 48)), "image_too_small", 400),
        (lambda: images.png(images.marked_picture(1000, 63)), "image_too_small", 400),
        (lambda: images.jpeg(images.marked_picture(1000, 200)), "bad_aspect_ratio", 400),
        (lambda: images.png(images.marked_picture(200, 1000)), "bad_aspect_ratio", 400),
        (lambda: images.bilevel_png(20_000, 20_000, complete=False), "image_too_large", 413),
        (lambda: images.bilevel_png(12_001, 1_000, complete=False), "image_too_large", 413),
        (lambda: b"\xff\xd8\xff" + bytes(15 * 1024 * 1024), "file_too_large", 413),
    ],
    ids=[
        "empty",
        "html-named-jpg",
        "svg",
        "gif",
        "avif",
        "zip",
        "pdf",
        "truncated-jpeg",
        "truncated-png",
        "jpeg-header-only",
        "truncated-heic",
        "tiny",
        "under-min-side",
        "wide",
        "tall",
        "bomb-header",
        "over-max-side",
        "over-byte-cap",
    ],
)
def test_refused_uploads_get_code_and_status(build, code, status):
    with pytest.raises(photos.PhotoRejected) as refusal:
        photos.process(build())
    assert (refusal.value.code, PHOTO_STATUSES[refusal.value.code]) == (code, status)  # the status is the API's
    assert refusal.value.detail.endswith(".") and len(refusal.value.detail) > 20


def test_truncated_jpeg_passes_pillow_verify_but_is_refused():
    data = images.truncated_jpeg()
    Image.open(io.BytesIO(data)).verify()  # why verify() is not enough
    with pytest.raises(photos.PhotoRejected, match="damaged or incomplete"):
        photos.process(data)


def test_byte_cap_is_checked_before_anything_else():
    with pytest.raises(photos.PhotoRejected) as refusal:
        photos.process(images.telltale_jpeg(), limits=photos.IntakeLimits(max_bytes=1_000))
    assert refusal.value.code == "file_too_large"


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")  # Pillow's own, lower-priority alarm
def test_real_100_megapixel_png_is_refused_by_the_pixel_cap():
    data = images.bilevel_png(10_000, 10_000, complete=True)
    assert len(data) < 100_000
    with pytest.raises(photos.PhotoRejected) as refusal:
        photos.process(data)
    assert refusal.value.code == "image_too_large"


def test_oversized_header_is_refused_without_decoding(monkeypatch):
    def no_decoding(self):
        raise AssertionError("pixels were decoded")

    monkeypatch.setattr(ImageFile.ImageFile, "load", no_decoding)
    data = images.bilevel_png(20_000, 20_000, complete=False)
    start = time.perf_counter()
    with pytest.raises(photos.PhotoRejected, match="pixels"):
        photos.process(data)
    assert time.perf_counter() - start < 0.05


def test_pixel_cap_is_checked_on_the_header_before_decoding(monkeypatch):
    monkeypatch.setattr(ImageFile.ImageFile, "load", lambda self: pytest.fail("pixels were decoded"))
    data = images.png(images.marked_picture(200, 150))
    with pytest.raises(photos.PhotoRejected) as refusal:
        photos.process(data, limits=photos.IntakeLimits(max_pixels=200 * 150 - 1))
    assert refusal.value.code == "image_too_large"


def test_48_megapixel_photo_is_accepted_and_decoded_at_quarter_scale():
    data = images.jpeg(Image.new("RGB", (8064, 6048), (90, 120, 150)), quality=80)
    photo = photos.process(data)
    assert (photo.width, photo.height) == (2016, 1512)
    assert (photo.thumbnail_width, photo.thumbnail_height) == (320, 240)


def test_truncated_jpeg_is_refused_even_if_something_turned_pillows_switch_on(monkeypatch):
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)
    with pytest.raises(photos.PhotoRejected) as refused:
        photos.process(images.truncated_jpeg())
    assert refused.value.code == "corrupt_image"
    assert ImageFile.LOAD_TRUNCATED_IMAGES is False


# --- sizes and modes ---------------------------------------------------------------------------------------------


def test_4000x3000_jpeg_is_decoded_at_half_scale_with_no_resize():
    # Resizing a full decode would give 2048 x 1536; 2000 x 1500 is libjpeg's 1/2-scale decode itself.
    photo = photos.process(images.jpeg(images.photo_like(4000, 3000, seed=1), quality=85))
    assert (photo.width, photo.height) == (2000, 1500)
    assert (photo.thumbnail_width, photo.thumbnail_height) == (320, 240)


def test_large_png_is_scaled_to_a_2048_long_side():
    photo = photos.process(images.png(images.photo_like(3000, 2000, seed=1)))
    assert (photo.width, photo.height) == (2048, 1365)
    assert (photo.thumbnail_width, photo.thumbnail_height) == (320, 213)
    assert Image.open(io.BytesIO(photo.jpeg)).size == (2048, 1365)
    assert Image.open(io.BytesIO(photo.thumbnail)).size == (320, 213)


def test_small_photo_is_never_scaled_up():
    photo = photos.process(images.jpeg(images.marked_picture(200, 100)))
    assert (photo.width, photo.height, photo.thumbnail_width, photo.thumbnail_height) == (200, 100, 200, 100)


def test_progressive_jpeg_is_accepted_and_stored_baseline():
    photo = photos.process(images.jpeg(images.photo_like(1200, 900, seed=4), progressive=True))
    assert (photo.width, photo.height) == (1200, 900)
    assert 0xC2 not in {marker for marker, _ in jpeg_markers(photo.jpeg)}


def test_cmyk_jpeg_becomes_rgb_with_its_colours():
    picture = Image.new("CMYK", (300, 200), (0, 0, 0, 0))  # no ink: white
    ImageDraw.Draw(picture).rectangle((0, 0, 100, 100), fill=(0, 255, 255, 0))  # magenta + yellow: red
    photo = photos.process(images.jpeg(picture))
    assert near(pixel(photo.jpeg, 20, 20), (255, 0, 0), tolerance=50)
    assert near(pixel(photo.jpeg, -20, -20), images.WHITE, tolerance=10)


def test_16_bit_png_is_scaled_to_8_bits_not_clipped():
    grey = Image.linear_gradient("L").resize((256, 256)).convert("I").point(lambda value: value * 257)
    data = images.png(grey.convert("I;16"))
    assert Image.open(io.BytesIO(data)).mode == "I;16"
    photo = photos.process(data)
    assert near(pixel(photo.jpeg, 128, 0), (0, 0, 0), tolerance=8)
    assert near(pixel(photo.jpeg, 128, 128), (128, 128, 128), tolerance=8)
    assert near(pixel(photo.jpeg, 128, -1), images.WHITE, tolerance=8)


def test_palette_png_transparency_is_composited_on_white():
    picture = Image.new("P", (200, 200), 0)
    picture.putpalette([0, 0, 0, *images.RED])
    ImageDraw.Draw(picture).rectangle((0, 0, 99, 199), fill=1)
    photo = photos.process(images.png(picture, transparency=0))
    assert near(pixel(photo.jpeg, 20, 100), images.RED)
    assert near(pixel(photo.jpeg, 180, 100), images.WHITE, tolerance=5)


@pytest.mark.parametrize("mode", ["RGBA", "LA", "L", "1", "P"])
def test_other_png_modes_become_rgb(mode):
    picture = images.marked_picture()
    if mode in ("RGBA", "LA"):
        picture.putalpha(Image.new("L", picture.size, 255))
    photo = photos.process(images.png(picture.convert(mode)))
    assert Image.open(io.BytesIO(photo.jpeg)).mode == "RGB"
    assert near(pixel(photo.jpeg, -10, 10), images.WHITE, tolerance=10)


# --- colour ------------------------------------------------------------------------------------------------------

# The sRGB primaries adapted to D50 (Bradford), the matrix Little CMS builds for its sRGB profile.
SRGB_TO_XYZ_D50 = (
    (0.4360747, 0.3850649, 0.1430804),
    (0.2225045, 0.7168786, 0.0606169),
    (0.0139322, 0.0971045, 0.7141733),
)


def display_p3_in_srgb(colour: tuple[int, int, int]) -> tuple[int, int, int]:
    """What a Display P3 colour is in sRGB, worked out with the ICC matrices and curves rather than Little CMS."""
    linear = (np.array(colour) / 255) ** images.DISPLAY_P3_GAMMA
    xyz = np.array(images.DISPLAY_P3_COLORANTS).T @ linear
    srgb = np.clip(np.linalg.solve(np.array(SRGB_TO_XYZ_D50), xyz), 0, 1)
    encoded = np.where(srgb <= 0.0031308, 12.92 * srgb, 1.055 * srgb ** (1 / 2.4) - 0.055)
    return tuple(round(float(value) * 255) for value in encoded)  # type: ignore[return-value]


def tagged(picture: Image.Image, source_format: str, icc: bytes) -> bytes:
    """The picture saved in the format with an embedded colour profile, as a phone shooting in P3 saves it."""
    buffer = io.BytesIO()
    options = {"JPEG": {"quality": 95}, "PNG": {}, "HEIF": {"quality": 95}, "WEBP": {"lossless": True}}[source_format]
    picture.save(buffer, source_format, icc_profile=icc, **options)
    return buffer.getvalue()


# Orange-brown, a sign's blue and a mid grey: in P3 the first two are noticeably duller than the same numbers in
# sRGB, which is why a photo stored without its profile looks faded; grey barely moves.
P3_COLOURS = ((200, 120, 80), (60, 90, 200), (128, 128, 128))


@pytest.mark.parametrize("source_format", ACCEPTED_FORMATS)
def test_display_p3_photo_is_stored_in_srgb(source_format):
    picture = Image.new("RGB", (3 * 400, 400))
    for index, colour in enumerate(P3_COLOURS):
        ImageDraw.Draw(picture).rectangle((index * 400, 0, index * 400 + 399, 399), fill=colour)
    data = tagged(picture, source_format, images.display_p3_profile())
    assert Image.open(io.BytesIO(data)).info["icc_profile"] == images.display_p3_profile()
    photo = photos.process(data)
    for index, colour in enumerate(P3_COLOURS):
        expected = display_p3_in_srgb(colour)
        assert near(pixel(photo.jpeg, index * 400 + 200, 200), expected, tolerance=4), (colour, expected)
        assert near(pixel(photo.thumbnail, (index * 320 + 160) // 3, 50), expected, tolerance=4)
    assert display_p3_in_srgb(P3_COLOURS[0])[2] < P3_COLOURS[0][2] - 8  # the test can tell converted from not
    assert_no_metadata(photo.jpeg)
    assert_no_metadata(photo.thumbnail)


def test_large_p3_photo_is_converted_after_scaling():
    photo = photos.process(tagged(Image.new("RGB", (4000, 3000), (200, 120, 80)), "JPEG", images.display_p3_profile()))
    assert (photo.width, photo.height) == (2000, 1500)
    assert near(pixel(photo.jpeg, 1000, 750), display_p3_in_srgb((200, 120, 80)), tolerance=3)


@pytest.mark.parametrize(
    "icc",
    [
        pytest.param(images.display_p3_profile(colour_space=b"GRAY"), id="profile-for-another-colour-space"),
        pytest.param(b"\x00\x00\x01\x00" + os.urandom(252), id="garbage"),
        pytest.param(images.display_p3_profile()[:100], id="cut-short"),
    ],
)
def test_unusable_colour_profile_keeps_the_colours_and_the_photo(icc):
    photo = photos.process(tagged(Image.new("RGB", (200, 100), (200, 120, 80)), "JPEG", icc))
    assert near(pixel(photo.jpeg, 100, 50), (200, 120, 80), tolerance=3)
    assert_no_metadata(photo.jpeg)


def test_srgb_tagged_photo_keeps_its_colours():
    photo = photos.process(tagged(Image.new("RGB", (200, 100), (200, 120, 80)), "JPEG", images.icc_profile()))
    assert near(pixel(photo.jpeg, 100, 50), (200, 120, 80), tolerance=3)


@pytest.fixture
def colour_tables(monkeypatch):
    """Conversions and colour tables kept from nothing, and a table for an RGB profile from its first picture on."""
    monkeypatch.setattr(photos, "_CONVERSIONS", {})
    monkeypatch.setattr(photos, "_TABLED", [])
    monkeypatch.setattr(photos, "TABLE_AFTER_PIXELS", 0)
    return photos


def p3_transform() -> ImageCms.ImageCmsTransform:
    p3 = ImageCms.ImageCmsProfile(io.BytesIO(images.display_p3_profile()))
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))
    return ImageCms.buildTransform(p3, srgb, "RGB", "RGB", ImageCms.Intent.PERCEPTUAL)


def random_colours(width: int, height: int, *, seed: int) -> Image.Image:
    return Image.fromarray(np.random.default_rng(seed).integers(0, 256, (height, width, 3), dtype=np.uint8), "RGB")


def test_colour_table_gives_exactly_what_little_cms_gives():
    transform = p3_transform()
    picture = random_colours(1000, 600, seed=17)  # 600,000 colours, all but a few distinct
    ImageDraw.Draw(picture).rectangle((0, 0, 7, 7), fill=P3_COLOURS[0])  # unequal channels, none may trade places
    expected = ImageCms.applyTransform(picture, transform)
    by_table = photos.srgb_by_table(picture, photos.colour_table(transform))
    assert by_table.mode == "RGB" and by_table.size == picture.size
    assert by_table.tobytes() == expected.tobytes()
    assert near(by_table.getpixel((0, 0)), display_p3_in_srgb(P3_COLOURS[0]), tolerance=4)  # converted, not copied


def test_busy_p3_profile_gets_a_table_and_the_same_photo(colour_tables, monkeypatch):
    monkeypatch.setattr(photos, "TABLE_AFTER_PIXELS", 400_000)  # two photos of 300,000 pixels
    picture = random_colours(600, 500, seed=3)
    for index, colour in enumerate(P3_COLOURS):
        ImageDraw.Draw(picture).rectangle((index * 200, 0, index * 200 + 199, 199), fill=colour)
    data = tagged(picture, "PNG", images.display_p3_profile())
    by_little_cms = [photos.process(data) for _ in range(2)]
    assert not photos._TABLED  # 300,000 then 600,000 pixels counted: the third photo pays for the table
    by_table = photos.process(data)
    assert [conversion.table is not None for conversion in photos._TABLED] == [True]
    assert by_table == by_little_cms[0] == by_little_cms[1]
    for index, colour in enumerate(P3_COLOURS):
        assert near(pixel(by_table.jpeg, index * 200 + 100, 100), display_p3_in_srgb(colour), tolerance=4)


@pytest.mark.parametrize("source_format", ["JPEG", "HEIF"])
def test_display_p3_photo_converted_by_table_matches_the_icc_arithmetic(colour_tables, source_format):
    picture = Image.new("RGB", (3 * 400, 400))
    for index, colour in enumerate(P3_COLOURS):
        ImageDraw.Draw(picture).rectangle((index * 400, 0, index * 400 + 399, 399), fill=colour)
    photo = photos.process(tagged(picture, source_format, images.display_p3_profile()))
    assert len(photos._TABLED) == 1
    for index, colour in enumerate(P3_COLOURS):
        assert near(pixel(photo.jpeg, index * 400 + 200, 200), display_p3_in_srgb(colour), tolerance=4), colour


def test_threads_converting_while_the_table_is_built_store_the_same_photo(colour_tables):
    data = tagged(random_colours(400, 300, seed=11), "PNG", images.display_p3_profile())
    with ThreadPoolExecutor(max_workers=4) as pool:
        stored = list(pool.map(lambda _: photos.process(data), range(8)))
    assert all(photo == stored[0] for photo in stored)  # whether by Little CMS or by the table
    assert len(photos._TABLED) == len(photos._CONVERSIONS) == 1  # built once


def test_at_most_two_colour_tables_are_kept(colour_tables):
    picture = random_colours(300, 200, seed=5)
    profiles = [images.display_p3_profile(description=f"Display P3 (test {number})") for number in range(3)]
    for icc in profiles:
        photos.process(tagged(picture, "PNG", icc))
    kept = [conversion for conversion in photos._CONVERSIONS.values() if conversion.table is not None]
    assert len(photos._CONVERSIONS) == 3 and len(kept) == photos.TABLES_KEPT == 2
    assert kept == photos._TABLED and sum(conversion.table.nbytes for conversion in kept) == 2 * 64 * 1024 * 1024
    first = next(iter(photos._CONVERSIONS.values()))
    assert first.table is None and first not in kept  # the least recently used one was dropped


def test_grey_photo_with_a_grey_profile_is_converted_by_little_cms(colour_tables):
    # Mid grey in linear light is 188 in sRGB: a converted picture can be told from one left alone.
    data = tagged(Image.new("L", (200, 100), 128), "JPEG", images.grey_profile(gamma=1.0))
    photo = photos.process(data)
    assert near(pixel(photo.jpeg, 100, 50), (188, 188, 188), tolerance=3)
    assert [conversion.mode for conversion in photos._CONVERSIONS.values()] == ["L"]
    assert not photos._TABLED  # tables are for 8-bit RGB only


# --- hashes ------------------------------------------------------------------------------------------------------


def test_sha256_of_received_and_stored_bytes():
    data = images.telltale_jpeg()
    photo = photos.process(data)
    assert photo.received_sha256 == hashlib.sha256(data).hexdigest()
    assert photo.clean_sha256 == hashlib.sha256(photo.jpeg).hexdigest()
    assert photo.received_bytes == len(data)


def test_processing_is_deterministic():
    data = images.jpeg(images.photo_like(1200, 900, seed=5))
    assert photos.process(data) == photos.process(data)


def test_same_picture_reencoded_and_resized_has_a_near_perceptual_hash():
    picture = images.photo_like(2400, 1800, seed=7)
    original = photos.process(images.jpeg(picture, quality=92)).perceptual_hash
    smaller = photos.process(images.jpeg(picture.resize((900, 675)), quality=60)).perceptual_hash
    as_webp = photos.process(images.webp(picture.resize((1600, 1200)), exif=b"")).perceptual_hash
    assert photos.hamming_distance(original, smaller) <= 6
    assert photos.hamming_distance(original, as_webp) <= 6


def test_perceptual_hash_of_the_thumbnail_is_that_of_the_whole_picture_within_two_bits():
    # Hashes stored when they were taken from the whole picture must still find duplicates of the same photo.
    for seed in range(6):
        picture = images.photo_like(1200, 900, seed=seed)  # lossless and under 2048 px: what was hashed before
        photo = photos.process(images.png(picture))
        assert photos.hamming_distance(photo.perceptual_hash, photos.perceptual_hash(picture)) <= 2, seed


def test_different_pictures_have_distant_perceptual_hashes():
    first = photos.process(images.jpeg(images.photo_like(1200, 900, seed=7))).perceptual_hash
    second = photos.process(images.jpeg(images.photo_like(1200, 900, seed=8))).perceptual_hash
    assert photos.hamming_distance(first, second) >= 20


def test_perceptual_hash_fits_a_signed_64_bit_column():
    for seed in range(8):
        value = photos.process(images.jpeg(images.photo_like(400, 300, seed=seed))).perceptual_hash
        assert -(2**63) <= value < 2**63


def test_hamming_distance_counts_differing_bits_of_signed_hashes():
    assert photos.hamming_distance(0, 0) == 0
    assert photos.hamming_distance(0, -1) == 64
    assert photos.hamming_distance(-(2**63), 0) == 1
    assert photos.hamming_distance(0b1011, 0b0001) == 2


# --- the module itself ---------------------------------------------------------------------------------------------


def test_module_imports_without_django_settings():
    environment = {key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"}
    result = subprocess.run(
        [sys.executable, "-c", "from compliance import photos; print(photos.DEFAULT_LIMITS.max_pixels)"],
        cwd=REPO_ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "60000000"
