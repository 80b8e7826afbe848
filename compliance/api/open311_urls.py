"""Open311 GeoReport v2, read-only, under /open311/v2/ (see compliance/api/open311.py)."""

from django.urls import path, re_path

from compliance.api import open311

urlpatterns = [
    path("v2/discovery.json", open311.discovery, name="open311-discovery"),
    path("v2/services.json", open311.services, name="open311-services"),
    path("v2/requests.json", open311.service_requests, name="open311-requests"),
    path("v2/requests/<uuid:public_id>.json", open311.service_request, name="open311-request"),
    # Anything else (another format, an unknown id shape) is GeoReport's error list, not an HTML page.
    re_path(r"^.*$", open311.not_found),
]
