"""The street basemap archive (PMTiles), served by SignWatch itself with HTTP range requests.

The browser's PMTiles reader asks for a few kilobytes at a time (the header, a directory, the tiles in view), never
the whole archive, which for the United States is gigabytes. Operators who keep the archive in S3 point
MAP_PMTILES_URL at the bucket instead and this view is not used.
"""

from __future__ import annotations

import os

from django.conf import settings
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.utils.http import http_date
from django.views.decorators.http import require_safe

from compliance import byteranges

CONTENT_TYPE = "application/vnd.pmtiles"


@require_safe
def pmtiles_archive(request: HttpRequest) -> HttpResponse:
    """The archive named by MAP_PMTILES_FILE: the part a Range header asks for (206), else all of it (200)."""
    path = settings.MAP_PMTILES_FILE
    if not path:
        raise Http404("No basemap archive is configured")
    try:
        stat = os.stat(path)
    except OSError as error:
        raise Http404("The basemap archive is missing") from error
    etag = f'"{stat.st_size:x}-{int(stat.st_mtime):x}"'
    headers = {
        "Accept-Ranges": "bytes",
        "ETag": etag,
        "Last-Modified": http_date(stat.st_mtime),
        "Cache-Control": "public, max-age=86400",
    }
    # If-Range: a range of another version of the file would be garbage, so a changed file is sent whole.
    if_range = request.headers.get("If-Range")
    range_header = request.headers.get("Range") if if_range in (None, etag) else None
    try:
        wanted = byteranges.requested_range(range_header, stat.st_size)
    except byteranges.RangeNotSatisfiable:
        response = HttpResponse(status=416, headers=headers)
        response["Content-Range"] = f"bytes */{stat.st_size}"
        return response
    if wanted is None:
        response = FileResponse(open(path, "rb"), content_type=CONTENT_TYPE, headers=headers)  # noqa: SIM115
        return response
    start, end = wanted
    with open(path, "rb") as archive:
        archive.seek(start)
        body = archive.read(end - start + 1)
    response = HttpResponse(body, status=206, content_type=CONTENT_TYPE, headers=headers)
    response["Content-Range"] = f"bytes {start}-{end}/{stat.st_size}"
    return response
