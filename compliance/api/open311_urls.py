"""Open311 GeoReport v2, read-only, under /open311/v2/, in XML and JSON (see compliance/api/open311.py)."""

from django.urls import path, re_path

import compliance.converters  # noqa: F401 - registers <georeport_format:…>
from compliance.api import open311

# The extension picks the format: XML is the specification's default, JSON the one most tools ask for.
urlpatterns = [
    path("v2/discovery.<georeport_format:fmt>", open311.discovery, name="open311-discovery"),
    path("v2/services.<georeport_format:fmt>", open311.services, name="open311-services"),
    path("v2/services/<slug:service_code>.<georeport_format:fmt>", open311.service_definition, name="open311-service"),
    path("v2/requests.<georeport_format:fmt>", open311.service_requests, name="open311-requests"),
    path("v2/requests/<uuid:public_id>.<georeport_format:fmt>", open311.service_request, name="open311-request"),
    # Anything else (another format, an unknown id shape) is GeoReport's error list, not an HTML page.
    re_path(r"^.*$", open311.not_found),
]
