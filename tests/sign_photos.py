"""Labelled photos of hotline signs, built in code: the sign-reading tests use a few, benchmarks/sign_reading.py all.

Each photo is a sign drawn with Pillow (DejaVu fonts, several layouts, colours and ways of writing the number), then
"photographed": placed on a wall, turned in perspective, blurred, washed by glare, darkened or partly covered.
Beside the signs are photos with no sign (a bare wall), with another poster, and with a wrong number, so the
evaluation measures false positives as well as recall.
"""

from __future__ import annotations

import io
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image, ImageDraw, ImageEnhance, ImageFilter, ImageFont

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
# All four are in Debian's fonts-dejavu-core, which .ci/run installs.
FONTS = ("DejaVuSans-Bold.ttf", "DejaVuSans.ttf", "DejaVuSerif-Bold.ttf", "DejaVuSansMono-Bold.ttf")
NATIONAL_FORMS = (
    "1-888-373-7888",
    "888-373-7888",
    "(888) 373-7888",
    "1 (888) 373-7888",
    "1.888.373.7888",
    "8 8 8 3 7 3 7 8 8 8",
)
# Sign colours as (background, text, accent): the national hotline's blue, black on white, white on red...
PALETTES = (
    ((255, 255, 255), (20, 20, 20), (0, 70, 140)),
    ((0, 60, 120), (255, 255, 255), (255, 210, 0)),
    ((250, 235, 200), (60, 30, 10), (170, 20, 20)),
    ((180, 20, 30), (255, 255, 255), (255, 255, 255)),
    ((30, 30, 30), (255, 255, 255), (120, 200, 255)),
)
PHOTO_SIZE = (1600, 1200)


@dataclass(frozen=True)
class SignPhoto:
    """A generated photo and what is on it."""

    name: str
    jpeg: bytes
    kind: str  # sign, no_sign, other_poster, wrong_number
    hotline: bool
    text_line: bool
    languages: tuple[str, ...] = ()
    state_hotline: bool = False
    conditions: tuple[str, ...] = field(default_factory=tuple)


def _font(name: str, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(FONT_DIR / name), size)


def _draw_lines(lines: list[tuple[str, float, bool]], *, font: str, palette, width: int = 900) -> Image.Image:
    """A sign: lines of (text, relative size, accent colour), centred, on a bordered card."""
    background, ink, accent = palette
    base = 44
    fonts = [_font(font, int(base * scale)) for _, scale, _ in lines]
    heights = [f.getbbox("Ag")[3] + 22 for f in fonts]
    height = sum(heights) + 120
    sign = Image.new("RGB", (width, height), background)
    draw = ImageDraw.Draw(sign)
    draw.rectangle((8, 8, width - 9, height - 9), outline=accent, width=10)
    y = 60
    for (text, _, accented), line_font, line_height in zip(lines, fonts, heights, strict=True):
        while line_font.getlength(text) > width - 80 and line_font.size > 14:
            line_font = _font(font, line_font.size - 2)
        x = (width - line_font.getlength(text)) / 2
        draw.text((x, y), text, font=line_font, fill=accent if accented else ink)
        y += line_height
    return sign


def english_sign(number: str, *, text_line: bool = True, font: str = FONTS[0], palette=PALETTES[0]) -> Image.Image:
    lines = [
        ("NATIONAL HUMAN TRAFFICKING HOTLINE", 0.8, True),
        ("If you or someone you know is being", 0.6, False),
        ("forced to work and cannot leave, call", 0.6, False),
        (number, 1.5, True),
    ]
    if text_line:
        lines.append(("Text HELP or INFO to 233733", 0.9, False))
    lines.append(("Toll-free. Confidential. 24 hours a day.", 0.55, False))
    return _draw_lines(lines, font=font, palette=palette)


def spanish_sign(number: str, *, text_line: bool = True, font: str = FONTS[0], palette=PALETTES[0]) -> Image.Image:
    lines = [
        ("LÍNEA NACIONAL CONTRA LA TRATA", 0.8, True),
        ("Si usted o alguien que conoce está obligado", 0.6, False),
        ("a trabajar y no puede salir, llame al", 0.6, False),
        (number, 1.5, True),
    ]
    if text_line:
        lines.append(("Envíe un texto con HELP al 233733", 0.9, False))
    lines.append(("Gratis. Confidencial. 24 horas al día.", 0.55, False))
    return _draw_lines(lines, font=font, palette=palette)


def bilingual_sign(number: str, *, font: str = FONTS[0], palette=PALETTES[0]) -> Image.Image:
    lines = [
        ("Human Trafficking Hotline", 0.8, True),
        ("Línea Nacional contra la Trata de Personas", 0.6, True),
        ("Call / Llame: " + number, 1.1, False),
        ("Text / Envíe: BeFree (233733)", 0.9, False),
        ("Free, confidential, 24/7 · Gratis, confidencial", 0.5, False),
    ]
    return _draw_lines(lines, font=font, palette=palette)


def florida_sign(*, font: str = FONTS[0], palette=PALETTES[0]) -> Image.Image:
    """Florida's law (Fla. Stat. § 787.29) names the state's hotline, 1-855-FLA-SAFE, in English and Spanish."""
    lines = [
        ("If you or someone you know is being forced", 0.55, False),
        ("to engage in an activity and cannot leave,", 0.55, False),
        ("call the Florida Human Trafficking Hotline", 0.6, True),
        ("1-855-FLA-SAFE", 1.4, True),
        ("Llame a la línea de Florida contra la trata", 0.55, False),
        ("1-855-352-7233", 1.0, True),
    ]
    return _draw_lines(lines, font=font, palette=palette)


def california_sign(*, font: str = FONTS[0], palette=PALETTES[0]) -> Image.Image:
    """California's statutory notice (Civ. Code § 52.6): the national number, CAST's, and the text line."""
    lines = [
        ("If you or someone you know is being forced", 0.55, False),
        ("to engage in any activity and cannot leave,", 0.55, False),
        ("call the National Human Trafficking Hotline", 0.6, True),
        ("at 1-888-373-7888 or CAST at 1-888-539-2373", 0.8, True),
        ("or text 233733 (BeFree) for help", 0.7, False),
    ]
    return _draw_lines(lines, font=font, palette=palette)


def other_poster(rng: random.Random, *, font: str = FONTS[1], palette=PALETTES[0]) -> Image.Image:
    """A notice that is not a hotline sign: opening hours, a help-wanted card, a safety rule."""
    posters = [
        [("NOW HIRING", 1.2, True), ("Drivers and cashiers wanted", 0.7, False), ("Ask inside", 0.6, False)],
        [("OPEN 24 HOURS", 1.2, True), ("Showers · Laundry · Diesel", 0.7, False), ("Members save", 0.6, False)],
        [("EMPLOYEES MUST", 1.0, True), ("WASH HANDS", 1.2, True), ("before returning to work", 0.6, False)],
        [("NO SMOKING", 1.3, True), ("within 25 feet of the door", 0.6, False), ("Gracias por no fumar", 0.6, False)],
    ]
    return _draw_lines(rng.choice(posters), font=font, palette=palette)


def wrong_number_sign(rng: random.Random, *, font: str = FONTS[0], palette=PALETTES[0]) -> Image.Image:
    """A hotline sign printed with a wrong number: a transposed pair or a mistyped digit, or an outdated line."""
    wrong = rng.choice(["1-888-337-7888", "1-888-373-7878", "1-888-373-8788", "1-800-373-7888", "1-866-347-2423"])
    return english_sign(wrong, text_line=False, font=font, palette=palette)


# --- photographing a sign ---


def _wall(rng: random.Random) -> Image.Image:
    width, height = PHOTO_SIZE
    tone = rng.choice([(200, 195, 185), (150, 160, 170), (220, 215, 200), (120, 100, 90), (235, 235, 235)])
    wall = Image.new("RGB", (width, height), tone)
    draw = ImageDraw.Draw(wall)
    for y in range(0, height, rng.choice([60, 80, 120])):  # block or panel joints
        shade = tuple(max(0, c - 25) for c in tone)
        draw.line((0, y, width, y), fill=shade, width=3)
    noise = Image.effect_noise((width, height), 18).convert("RGB")
    return Image.blend(wall, noise, 0.12)


def _perspective_coefficients(source: list[tuple[float, float]], target: list[tuple[float, float]]) -> list[float]:
    """Pillow's PERSPECTIVE data mapping target corners back to source corners."""
    import numpy as np

    rows = []
    for (x, y), (u, v) in zip(target, source, strict=True):
        rows.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        rows.append([0, 0, 0, x, y, 1, -v * x, -v * y])
    matrix = np.array(rows, dtype=float)
    values = np.array([c for point in source for c in point], dtype=float)
    return list(np.linalg.solve(matrix, values))


def photograph(
    sign: Image.Image,
    rng: random.Random,
    *,
    scale: float = 0.55,
    tilt: float = 0.0,
    blur: float = 0.0,
    glare: float = 0.0,
    light: float = 1.0,
    occlusion: float = 0.0,
) -> Image.Image:
    """The sign on a wall as a phone sees it: `scale` of the frame's height, tilted, blurred, lit and covered."""
    wall = _wall(rng)
    width, height = wall.size
    sign_height = int(height * scale)
    sign_width = int(sign.width * sign_height / sign.height)
    if sign_width > width * 0.9:
        sign_width = int(width * 0.9)
        sign_height = int(sign.height * sign_width / sign.width)
    card = sign.resize((sign_width, sign_height), Image.Resampling.LANCZOS)
    left = rng.randint(20, max(20, width - sign_width - 20))
    top = rng.randint(20, max(20, height - sign_height - 20))
    wall.paste(card, (left, top))
    if tilt:
        # Seen from one side: the far edge shrinks toward the middle.
        squeeze = tilt * sign_height
        near = [
            (left, top),
            (left + sign_width, top),
            (left + sign_width, top + sign_height),
            (left, top + sign_height),
        ]
        far = [
            (left, top),
            (left + sign_width * (1 - tilt * 0.3), top + squeeze / 2),
            (left + sign_width * (1 - tilt * 0.3), top + sign_height - squeeze / 2),
            (left, top + sign_height),
        ]
        wall = wall.transform(
            wall.size, Image.Transform.PERSPECTIVE, _perspective_coefficients(near, far), Image.Resampling.BICUBIC
        )
    if occlusion:
        # Something in front of the top corner of the sign (a shelf, a plant): never over the number in the middle.
        draw = ImageDraw.Draw(wall)
        cover_w, cover_h = int(sign_width * occlusion), int(sign_height * 0.18)
        draw.rectangle((left - 10, top - 10, left + cover_w, top + cover_h), fill=(70, 90, 60))
    if glare:
        spot = Image.radial_gradient("L").resize((sign_width, sign_width)).point(lambda v: int(255 - v))
        spot = spot.point(lambda v: int(v * glare))
        white = Image.new("RGB", wall.size, (255, 255, 255))
        mask = Image.new("L", wall.size, 0)
        mask.paste(spot, (left + rng.randint(-sign_width // 4, sign_width // 4), top))
        wall = Image.composite(white, wall, mask)
    if blur:
        wall = wall.filter(ImageFilter.GaussianBlur(blur))
    if light != 1.0:
        wall = ImageEnhance.Brightness(wall).enhance(light)
        noise = Image.effect_noise(wall.size, 30).convert("RGB")
        wall = Image.blend(wall, noise, 0.08)
    return wall


def to_jpeg(picture: Image.Image, quality: int = 85) -> bytes:
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=quality)
    return out.getvalue()


CONDITIONS: dict[str, dict[str, float]] = {
    "plain": {},
    "small": {"scale": 0.38},
    "perspective": {"tilt": 0.35},
    "blur": {"blur": 1.6},
    "glare": {"glare": 0.75},
    "low_light": {"light": 0.4},
    "occluded": {"occlusion": 0.45},
    "tilt_blur": {"tilt": 0.25, "blur": 1.0},
}


def evaluation_set(seed: int = 14, *, per_condition: int = 6) -> Iterator[SignPhoto]:
    """The labelled set: signs under every condition, plus photos with no sign, another poster, a wrong number."""
    rng = random.Random(seed)
    for condition, effects in CONDITIONS.items():
        for n in range(per_condition):
            font, palette = rng.choice(FONTS), rng.choice(PALETTES)
            number = NATIONAL_FORMS[(n + len(condition)) % len(NATIONAL_FORMS)]
            layout = n % 5
            if layout == 0:
                sign, languages, text_line = english_sign(number, font=font, palette=palette), ("English",), True
            elif layout == 1:
                sign, languages, text_line = spanish_sign(number, font=font, palette=palette), ("Spanish",), True
            elif layout == 2:
                sign, languages, text_line = (
                    bilingual_sign(number, font=font, palette=palette),
                    ("English", "Spanish"),
                    True,
                )
            elif layout == 3:
                sign, languages, text_line = california_sign(font=font, palette=palette), ("English",), True
            else:
                sign = english_sign(number, text_line=False, font=font, palette=palette)
                languages, text_line = ("English",), False
            picture = photograph(sign, rng, **effects)
            yield SignPhoto(f"sign-{condition}-{n}", to_jpeg(picture), "sign", True, text_line, languages,
                            conditions=(condition,))  # fmt: skip
    for n in range(per_condition):
        picture = photograph(florida_sign(font=rng.choice(FONTS)), rng, scale=0.6)
        yield SignPhoto(f"florida-{n}", to_jpeg(picture), "sign", False, False, ("English", "Spanish"), True)
    for n in range(per_condition * 3):
        yield SignPhoto(f"no-sign-{n}", to_jpeg(_wall(rng)), "no_sign", False, False)
    for n in range(per_condition * 2):
        picture = photograph(other_poster(rng, font=rng.choice(FONTS), palette=rng.choice(PALETTES)), rng)
        yield SignPhoto(f"other-poster-{n}", to_jpeg(picture), "other_poster", False, False)
    for n in range(per_condition * 2):
        picture = photograph(wrong_number_sign(rng, font=rng.choice(FONTS), palette=rng.choice(PALETTES)), rng)
        yield SignPhoto(f"wrong-number-{n}", to_jpeg(picture), "wrong_number", False, False, ("English",))
