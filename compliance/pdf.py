"""The one door to WeasyPrint: reports, letters and signs import it from here.

Importing WeasyPrint turns on Pillow's process-wide LOAD_TRUNCATED_IMAGES (so that damaged images in a document
still draw). Photo intake must refuse truncated uploads rather than store them padded with grey, and our PDFs embed
only our own re-encoded JPEGs, which are never truncated: so the switch goes back off as soon as WeasyPrint loads.
"""

from __future__ import annotations

import weasyprint
from PIL import ImageFile

ImageFile.LOAD_TRUNCATED_IMAGES = False

HTML = weasyprint.HTML
