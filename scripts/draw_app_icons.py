"""Draw the web app icons (frontend/static/icons/) with Pillow: a hotline sign on the site's dark blue.

Run from the project folder after changing the design: `.venv/bin/python scripts/draw_app_icons.py`. The PNGs are
committed, so serving SignWatch never runs this. A maskable icon keeps everything inside the central circle of 80%
of its width, the part every phone's mask (circle, squircle, rounded square) leaves visible.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

ICONS = Path(__file__).resolve().parent.parent / "frontend" / "static" / "icons"
NAVY = (18, 50, 74)  # the site header's colour (#12324a)
PAPER = (255, 255, 255)
AMBER = (240, 180, 0)  # the focus ring's colour (#f0b400)
SCALE = 4  # drawn large, then shrunk: smooth edges without an anti-aliasing library


def draw(size: int, *, content_share: float) -> Image.Image:
    """The icon at `size` px, its sign filling `content_share` of the width, centred."""
    big = size * SCALE
    image = Image.new("RGB", (big, big), NAVY)
    pen = ImageDraw.Draw(image)
    box = big * content_share
    left, top = (big - box) / 2, (big - box) / 2
    # The sign: a white plate with an amber band across the top (a poster on a wall).
    plate = (left + box * 0.1, top + box * 0.05, left + box * 0.9, top + box * 0.95)
    pen.rounded_rectangle(plate, radius=box * 0.06, fill=PAPER)
    pen.rounded_rectangle((plate[0], plate[1], plate[2], plate[1] + box * 0.2), radius=box * 0.06, fill=AMBER)
    pen.rectangle((plate[0], plate[1] + box * 0.12, plate[2], plate[1] + box * 0.2), fill=AMBER)
    # Lines of text on the sign, then a map pin: where the sign is.
    for row in range(3):
        y = plate[1] + box * (0.3 + row * 0.1)
        pen.rounded_rectangle(
            (plate[0] + box * 0.1, y, plate[2] - box * 0.1, y + box * 0.045), radius=box * 0.02, fill=NAVY
        )
    centre_x, centre_y, radius = left + box * 0.5, top + box * 0.7, box * 0.1
    pen.polygon(
        [
            (centre_x - radius * 0.8, centre_y + radius * 0.5),
            (centre_x + radius * 0.8, centre_y + radius * 0.5),
            (centre_x, centre_y + radius * 2.1),
        ],
        fill=NAVY,
    )
    pen.ellipse((centre_x - radius, centre_y - radius, centre_x + radius, centre_y + radius), fill=NAVY)
    pen.ellipse(
        (centre_x - radius * 0.4, centre_y - radius * 0.4, centre_x + radius * 0.4, centre_y + radius * 0.4), fill=PAPER
    )
    return image.resize((size, size), Image.Resampling.LANCZOS)


def main() -> None:
    ICONS.mkdir(parents=True, exist_ok=True)
    outputs = {
        "icon-192.png": draw(192, content_share=0.9),
        "icon-512.png": draw(512, content_share=0.9),
        "icon-maskable-512.png": draw(512, content_share=0.62),  # inside the 80% safe circle
        "apple-touch-icon.png": draw(180, content_share=0.9),
    }
    for name, image in outputs.items():
        image.save(ICONS / name, optimize=True)
    print(f"Drew {len(outputs)} icons in {ICONS}")


if __name__ == "__main__":
    main()
