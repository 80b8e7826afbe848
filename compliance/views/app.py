"""The web app manifest: what a phone needs to put the report form on its home screen as an app."""

from __future__ import annotations

import json

from django.http import HttpRequest, HttpResponse
from django.templatetags.static import static
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

THEME_COLOUR = "#12324a"  # the site header's colour: the phone's status bar matches it
BACKGROUND_COLOUR = "#ffffff"
ICONS = (
    ("icons/icon-192.png", "192x192", "any"),
    ("icons/icon-512.png", "512x512", "any"),
    ("icons/icon-maskable-512.png", "512x512", "maskable"),
)


@require_safe
def web_app_manifest(request: HttpRequest) -> HttpResponse:
    """The manifest, in the language the browser asks for (LocaleMiddleware reads its Accept-Language)."""
    manifest = {
        "id": reverse("submit"),
        "name": _("SignWatch: report a hotline sign"),
        "short_name": "SignWatch",
        "description": _("Photograph a trafficking hotline sign, or the wall where the law says one must be."),
        "lang": translation.get_language(),
        "start_url": reverse("submit"),
        "scope": "/",
        "display": "standalone",
        "orientation": "portrait",
        "theme_color": THEME_COLOUR,
        "background_color": BACKGROUND_COLOUR,
        "icons": [
            {"src": static(path), "sizes": sizes, "type": "image/png", "purpose": purpose}
            for path, sizes, purpose in ICONS
        ],
    }
    response = HttpResponse(json.dumps(manifest, ensure_ascii=False), content_type="application/manifest+json")
    response["Cache-Control"] = "public, max-age=3600"
    return response
