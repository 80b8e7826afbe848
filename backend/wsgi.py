"""WSGI entry point (gunicorn backend.wsgi), with the request body cap in front of Django."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")

django_application = get_wsgi_application()

from compliance.bodylimit import WSGIBodyLimit  # noqa: E402 - needs the settings configured above

application = WSGIBodyLimit(django_application)
