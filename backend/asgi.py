"""ASGI entry point, with the request body cap in front of Django."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")

django_application = get_asgi_application()

from compliance.bodylimit import ASGIBodyLimit  # noqa: E402 - needs the settings configured above

application = ASGIBodyLimit(django_application)
