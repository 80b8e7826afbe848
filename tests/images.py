"""Fixture images built in code: photos carrying identifying metadata, odd modes, and files that must be refused."""

from __future__ import annotations

import io
import random
import struct
import zipfile
import zlib
from dataclasses import dataclass

import pillow_heif
from PIL import Image, ImageCms, ImageDraw
from PIL.PngImagePlugin import PngInfo

pillow_heif.register_heif_opener()

# What a volunteer's phone writes into a photo, and what must never reach storage.
CREATOR = "Jane Volunteer Doe"
SERIAL = "SN-ZX81-4471"
COMMENT = "uploaded by jane.doe@example.org"
CAMERA = "Pixel 8 Pro"
IDENTIFYING_TEXTS = (CREATOR, SERIAL, COMMENT, "jane.doe", CAMERA)

# Texas State Capitol grounds, Austin, as EXIF degrees/minutes/seconds: 30 16' 1.92" N, 97 44' 35.16" W.
AUSTIN = (30.2672, -97.7431)
AUSTIN_LATITUDE = ((30, 1), (16, 1), (192, 100))
AUSTIN_LONGITUDE = ((97, 1), (44, 1), (3516, 100))
TAKEN_AT = "2024:05:17 14:32:08"
TAKEN_AT_OFFSET = "-05:00"  # Central Daylight Time

RED = (220, 30, 30)
BLUE = (30, 60, 220)
WHITE = (255, 255, 255)

ORIENTATION = 0x0112
DATE_TIME = 0x0132
ARTIST = 0x013B
MODEL = 0x0110
EXIF_POINTER = 0x8769
GPS_POINTER = 0x8825
DATE_TIME_ORIGINAL = 0x9003
OFFSET_TIME_ORIGINAL = 0x9011
BODY_SERIAL_NUMBER = 0xA431
GPS_LATITUDE_REF, GPS_LATITUDE, GPS_LONGITUDE_REF, GPS_LONGITUDE = 1, 2, 3, 4

Rational = tuple[int, int]


@dataclass(frozen=True)
class Long:
    """A 32-bit TIFF LONG, for offsets (a bare int is written as a 16-bit SHORT)."""

    value: int


ExifValue = str | int | Long | bytes | tuple[Rational, ...]
Ifd = dict[int, ExifValue]


# --- pictures ----------------------------------------------------------------------------------------------------


def marked_picture(width: int = 400, height: int = 300) -> Image.Image:
    """White, with a red block top-left and a blue block bottom-left: any turn or flip shows in the pixels."""
    picture = Image.new("RGB", (width, height), WHITE)
    draw = ImageDraw.Draw(picture)
    draw.rectangle((0, 0, width // 4, height // 4), fill=RED)
    draw.rectangle((0, height - height // 4, width // 4, height), fill=BLUE)
    return picture


def photo_like(width: int, height: int, *, seed: int, grain: float = 0.12) -> Image.Image:
    """Gradients, shapes and sensor-like grain, reproducible from the seed; different seeds, different scenes."""
    rng = random.Random(seed)
    turns = list(Image.Transpose)
    red, blue = (Image.linear_gradient("L").transpose(rng.choice(turns)).resize((width, height)) for _ in range(2))
    green = Image.radial_gradient("L").resize((width, height))
    picture = Image.merge("RGB", (red, green, blue))
    draw = ImageDraw.Draw(picture)
    for _ in range(12):
        x, y = rng.randrange(width), rng.randrange(height)
        w, h = rng.randrange(width // 10, width // 2), rng.randrange(height // 10, height // 2)
        colour = (rng.randrange(256), rng.randrange(256), rng.randrange(256))
        shape = draw.ellipse if rng.random() < 0.5 else draw.rectangle
        shape((x, y, x + w, y + h), fill=colour)
    noise = Image.frombytes("L", (width, height), rng.randbytes(width * height)).convert("RGB")
    return Image.blend(picture, noise, grain)


# --- EXIF --------------------------------------------------------------------------------------------------------


def exif_bytes(
    *, ifd0: Ifd | None = None, exif: Ifd | None = None, gps: Ifd | None = None, thumbnail: bytes | None = None
) -> bytes:
    """An APP1-ready EXIF block ("Exif\\0\\0" + little-endian TIFF), with an IFD1 thumbnail if given."""
    ifd0 = dict(ifd0 or {})
    if exif:
        ifd0[EXIF_POINTER] = Long(0)
    if gps:
        ifd0[GPS_POINTER] = Long(0)
    ifd1: Ifd = {0x0103: 6, 0x0201: Long(0), 0x0202: Long(len(thumbnail))} if thumbnail else {}
    # Every IFD's size is known before its pointers are: lay them out one after another, then fill pointers in.
    offset = 8 + _ifd_size(ifd0)
    exif_offset, offset = offset, offset + (_ifd_size(exif) if exif else 0)
    gps_offset, offset = offset, offset + (_ifd_size(gps) if gps else 0)
    ifd1_offset, offset = offset, offset + (_ifd_size(ifd1) if ifd1 else 0)
    if exif:
        ifd0[EXIF_POINTER] = Long(exif_offset)
    if gps:
        ifd0[GPS_POINTER] = Long(gps_offset)
    if ifd1:
        ifd1[0x0201] = Long(offset)
    tiff = b"II*\x00" + struct.pack("<I", 8) + _ifd(ifd0, 8, ifd1_offset if ifd1 else 0)
    if exif:
        tiff += _ifd(exif, exif_offset, 0)
    if gps:
        tiff += _ifd(gps, gps_offset, 0)
    if ifd1:
        tiff += _ifd(ifd1, ifd1_offset, 0) + (thumbnail or b"")
    return b"Exif\x00\x00" + tiff


def gps_ifd(
    latitude: tuple[Rational, ...] = AUSTIN_LATITUDE,
    longitude: tuple[Rational, ...] = AUSTIN_LONGITUDE,
    refs: tuple[str, str] = ("N", "W"),
) -> Ifd:
    """A GPS IFD; Austin, Texas unless told otherwise."""
    return {
        0x0000: b"\x02\x02\x00\x00",  # GPSVersionID
        GPS_LATITUDE_REF: refs[0],
        GPS_LATITUDE: latitude,
        GPS_LONGITUDE_REF: refs[1],
        GPS_LONGITUDE: longitude,
    }


def phone_exif(*, orientation: int = 1, gps: Ifd | None = None, thumbnail: bytes | None = None) -> bytes:
    """EXIF as a phone writes it: camera model, artist, body serial, capture time with offset, and GPS."""
    return exif_bytes(
        ifd0={ORIENTATION: orientation, MODEL: CAMERA, ARTIST: CREATOR, DATE_TIME: "2024:05:18 09:00:00"},
        exif={DATE_TIME_ORIGINAL: TAKEN_AT, OFFSET_TIME_ORIGINAL: TAKEN_AT_OFFSET, BODY_SERIAL_NUMBER: SERIAL},
        gps=gps_ifd() if gps is None else gps,
        thumbnail=thumbnail,
    )


def _ifd(entries: Ifd, offset: int, next_ifd: int) -> bytes:
    """One IFD at the given file offset, followed by the values that do not fit in its 4-byte slots."""
    data_offset = offset + 2 + 12 * len(entries) + 4
    table, overflow = b"", b""
    for tag in sorted(entries):
        kind, count, payload = _encode_value(entries[tag])
        if len(payload) <= 4:
            slot = payload.ljust(4, b"\x00")
        else:
            slot = struct.pack("<I", data_offset + len(overflow))
            overflow += payload + b"\x00" * (len(payload) % 2)  # values start on word boundaries
        table += struct.pack("<HHI", tag, kind, count) + slot
    return struct.pack("<H", len(entries)) + table + struct.pack("<I", next_ifd) + overflow


def _ifd_size(entries: Ifd) -> int:
    return len(_ifd(entries, 0, 0))


def _encode_value(value: ExifValue) -> tuple[int, int, bytes]:
    """TIFF (type, count, bytes) of a value: ASCII, SHORT, LONG, UNDEFINED or RATIONAL."""
    if isinstance(value, str):
        payload = value.encode("ascii") + b"\x00"
        return 2, len(payload), payload
    if isinstance(value, Long):
        return 4, 1, struct.pack("<I", value.value)
    if isinstance(value, int):
        return 3, 1, struct.pack("<H", value)
    if isinstance(value, bytes):
        return 7, len(value), value
    return 5, len(value), b"".join(struct.pack("<II", numerator, denominator) for numerator, denominator in value)


# --- JPEG --------------------------------------------------------------------------------------------------------


def jpeg(picture: Image.Image, *, quality: int = 90, segments: tuple[bytes, ...] = (), **save_options: object) -> bytes:
    """The picture as a JPEG, with extra marker segments spliced in right after SOI."""
    buffer = io.BytesIO()
    picture.save(buffer, "JPEG", quality=quality, **save_options)
    data = buffer.getvalue()
    return data[:2] + b"".join(segments) + data[2:]


def segment(marker: int, payload: bytes) -> bytes:
    """One JPEG marker segment (0xFF, marker, big-endian length including itself, payload)."""
    return bytes((0xFF, marker)) + struct.pack(">H", len(payload) + 2) + payload


def xmp_packet() -> bytes:
    """An XMP packet naming the photographer and repeating the GPS position, as Lightroom or a phone writes it."""
    return (
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        '<rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:exif="http://ns.adobe.com/exif/1.0/"'
        ' exif:GPSLatitude="30,16.032N" exif:GPSLongitude="97,44.586W">'
        f"<dc:creator><rdf:Seq><rdf:li>{CREATOR}</rdf:li></rdf:Seq></dc:creator>"
        '</rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="w"?>'
    ).encode()


def iptc_segment() -> bytes:
    """An APP13 Photoshop/IPTC segment carrying the photographer's name as By-line."""
    byline = CREATOR.encode()
    iptc = b"\x1c\x02\x50" + struct.pack(">H", len(byline)) + byline
    resource = b"8BIM" + struct.pack(">H", 0x0404) + b"\x00\x00" + struct.pack(">I", len(iptc)) + iptc
    return segment(0xED, b"Photoshop 3.0\x00" + resource + b"\x00" * (len(iptc) % 2))


def icc_profile() -> bytes:
    """An sRGB ICC profile, whose description text must not reach storage either."""
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


# Display P3 (what iPhones shoot in) as ICC describes it: the primaries adapted to the D50 connection space, as in
# Apple's own profile, and a plain gamma curve (u8Fixed8 0x0233 = 2.1992) standing in for its sRGB-like curve.
DISPLAY_P3_COLORANTS = ((0.51512, 0.24120, -0.00105), (0.29198, 0.69225, 0.04189), (0.15710, 0.06657, 0.78407))
DISPLAY_P3_GAMMA = 0x0233 / 256
D50 = (0.9642, 1.0, 0.8249)


def display_p3_profile(*, colour_space: bytes = b"RGB ", description: str = "Display P3 (test)") -> bytes:
    """A matrix/curve ICC v2 display profile for Display P3, written byte by byte (Pillow can only make sRGB)."""
    gamma_curve = _icc_curve(DISPLAY_P3_GAMMA)
    return _icc_profile(
        colour_space,
        description,
        [
            (b"rXYZ", _icc_xyz(DISPLAY_P3_COLORANTS[0])),
            (b"gXYZ", _icc_xyz(DISPLAY_P3_COLORANTS[1])),
            (b"bXYZ", _icc_xyz(DISPLAY_P3_COLORANTS[2])),
            (b"rTRC", gamma_curve),
            (b"gTRC", gamma_curve),
            (b"bTRC", gamma_curve),
        ],
    )


def grey_profile(*, gamma: float) -> bytes:
    """An ICC v2 greyscale display profile: one tone curve, a plain gamma (1.0 means linear light)."""
    return _icc_profile(b"GRAY", "Grey (test)", [(b"kTRC", _icc_curve(gamma))])


def _icc_xyz(values: tuple[float, float, float]) -> bytes:
    return b"XYZ \0\0\0\0" + b"".join(_s15f16(value) for value in values)


def _s15f16(value: float) -> bytes:
    return struct.pack(">i", round(value * 65536))


def _icc_curve(gamma: float) -> bytes:
    return b"curv\0\0\0\0" + struct.pack(">IH", 1, round(gamma * 256)) + b"\0\0"  # u8Fixed8


def _icc_profile(colour_space: bytes, description: str, colour_tags: list[tuple[bytes, bytes]]) -> bytes:
    """An ICC v2 display profile with a description, the D50 white point and the given colour tags."""
    text = description.encode("ascii") + b"\0"
    tags = [
        (b"desc", b"desc\0\0\0\0" + struct.pack(">I", len(text)) + text + bytes(4 + 4 + 2 + 1 + 67)),
        (b"wtpt", _icc_xyz(D50)),
        *colour_tags,
        (b"cprt", b"text\0\0\0\0No copyright, test data\0"),
    ]
    table_size = 4 + 12 * len(tags)
    offset = 128 + table_size
    table, body = struct.pack(">I", len(tags)), b""
    for signature, data in tags:
        padded = data + bytes(-len(data) % 4)
        table += signature + struct.pack(">II", offset + len(body), len(data))
        body += padded
    size = 128 + table_size + len(body)
    header = (
        struct.pack(">I", size)
        + b"lcms"
        + struct.pack(">I", 0x02100000)
        + b"mntr"
        + colour_space
        + b"XYZ "
        + struct.pack(">6H", 2024, 1, 1, 0, 0, 0)
        + b"acsp"
        + bytes(4 + 4 + 4 + 4 + 8 + 4)  # platform, flags, manufacturer, model, attributes, rendering intent
        + b"".join(_s15f16(value) for value in D50)
        + bytes(4 + 16 + 28)  # creator, profile id, reserved
    )
    assert len(header) == 128
    return header + table + body


def telltale_jpeg(*, orientation: int = 6) -> bytes:
    """The worst case: a marked photo with every kind of identifying metadata a phone or editor can add.

    EXIF (orientation, GPS in Austin, capture time, camera model, artist, body serial, and an embedded thumbnail
    of a different picture), XMP with creator and GPS, IPTC by-line, an ICC profile and a COM comment.
    """
    other_picture = Image.new("RGB", (160, 120), (250, 210, 0))
    ImageDraw.Draw(other_picture).ellipse((40, 20, 120, 100), fill=(0, 160, 0))
    return jpeg(
        marked_picture(),
        exif=phone_exif(orientation=orientation, thumbnail=jpeg(other_picture, quality=70)),
        comment=COMMENT,
        icc_profile=icc_profile(),
        segments=(segment(0xE1, b"http://ns.adobe.com/xap/1.0/\x00" + xmp_packet()), iptc_segment()),
    )


def multi_picture_jpeg() -> bytes:
    """An MPO (multi-picture JPEG, as some phones write for depth or stereo): the marked picture, then another."""
    buffer = io.BytesIO()
    marked_picture().save(buffer, "MPO", save_all=True, append_images=[photo_like(400, 300, seed=2)])
    return buffer.getvalue()


def truncated_jpeg() -> bytes:
    """A photo cut off part-way through its pixel data, as an interrupted upload leaves it."""
    data = jpeg(photo_like(640, 480, seed=3))
    return data[: len(data) * 6 // 10]


# --- other accepted formats ----------------------------------------------------------------------------------------


def heic(picture: Image.Image | None = None, *, exif: bytes | None = None, quality: int = 60) -> bytes:
    """A HEIC as iPhones write it (pillow-heif, HEVC), carrying the phone's EXIF."""
    buffer = io.BytesIO()
    picture = picture or marked_picture()
    picture.save(buffer, "HEIF", quality=quality, exif=exif if exif is not None else phone_exif())
    return buffer.getvalue()


def png(picture: Image.Image, **save_options: object) -> bytes:
    """The picture as a PNG."""
    buffer = io.BytesIO()
    picture.save(buffer, "PNG", compress_level=1, **save_options)
    return buffer.getvalue()


def png_with_text() -> bytes:
    """A PNG with tEXt, zTXt and iTXt chunks naming the photographer, and an eXIf chunk with GPS."""
    info = PngInfo()
    info.add_text("Author", CREATOR)
    info.add_text("Comment", COMMENT, zip=True)
    info.add_itxt("Description", f"camera serial {SERIAL}", lang="en", tkey="Description")
    return png(marked_picture(), pnginfo=info, exif=phone_exif())


def webp(picture: Image.Image | None = None, *, exif: bytes | None = None) -> bytes:
    """A WebP with the phone's EXIF and an XMP packet."""
    buffer = io.BytesIO()
    picture = picture or marked_picture()
    picture.save(buffer, "WEBP", quality=80, exif=exif if exif is not None else phone_exif(), xmp=xmp_packet())
    return buffer.getvalue()


def with_phone_metadata(source_format: str) -> bytes:
    """The marked picture in an accepted format, carrying the phone's EXIF (GPS, time, serial...)."""
    if source_format == "JPEG":
        return telltale_jpeg(orientation=1)
    if source_format == "PNG":
        return png_with_text()
    if source_format == "HEIF":
        return heic()
    return webp()


# --- files that must be refused ------------------------------------------------------------------------------------


def png_chunk(kind: bytes, payload: bytes) -> bytes:
    """One PNG chunk: length, type, payload, CRC."""
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))


def bilevel_png(width: int, height: int, *, complete: bool) -> bytes:
    """A 1-bit greyscale PNG written chunk by chunk, small on disk whatever its header claims.

    complete=False gives a header and a token IDAT, as a decompression bomb would; complete=True gives the real,
    all-black pixel rows, which zlib squeezes to almost nothing.
    """
    header = png_chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0))
    compressor = zlib.compressobj(9)
    if complete:
        row = b"\x00" * (1 + (width + 7) // 8)  # filter byte, then the packed bits
        pixels = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    else:
        pixels = compressor.compress(b"\x00" * 64) + compressor.flush()
    return b"\x89PNG\r\n\x1a\n" + header + png_chunk(b"IDAT", pixels) + png_chunk(b"IEND", b"")


def html_named_jpg() -> bytes:
    """What a file called sign.jpg may really hold."""
    return b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"


def svg() -> bytes:
    """An SVG: an image to a browser, a script carrier to us."""
    return (
        b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="400" height="300">'
        b'<script>alert(1)</script><rect width="400" height="300" fill="red"/></svg>'
    )


def gif() -> bytes:
    """A GIF: a real image, but not a format we take."""
    buffer = io.BytesIO()
    marked_picture().save(buffer, "GIF")
    return buffer.getvalue()


def avif() -> bytes:
    """An AVIF: the same ISO container as HEIC, a different codec, not a format we take."""
    buffer = io.BytesIO()
    marked_picture().save(buffer, "AVIF", quality=50)
    return buffer.getvalue()


def zip_archive() -> bytes:
    """A ZIP holding a JPEG."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("sign.jpg", jpeg(marked_picture()))
    return buffer.getvalue()


def pdf() -> bytes:
    """The start of a PDF."""
    return b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
