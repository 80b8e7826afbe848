"""The basemap archive served with HTTP range requests, and the settings that point browsers at it."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from backend.settings import _pmtiles_origins
from compliance import byteranges
from tests.vector_tiles import world_archive


@pytest.fixture
def archive(settings, tmp_path):
    path = world_archive(tmp_path / "world.pmtiles")
    settings.MAP_PMTILES_FILE = str(path)
    settings.MAP_PMTILES_URL = "/basemap.pmtiles"
    return path.read_bytes()


def test_a_range_is_answered_206_with_exactly_those_bytes(client, archive):
    response = client.get("/basemap.pmtiles", HTTP_RANGE="bytes=0-126")
    assert response.status_code == 206
    assert response.content == archive[:127]
    assert response["Content-Range"] == f"bytes 0-126/{len(archive)}"
    assert response["Accept-Ranges"] == "bytes"
    assert response["Content-Type"] == "application/vnd.pmtiles"
    assert response.content.startswith(b"PMTiles\x03")


def test_a_range_past_the_end_is_cut_to_the_file(client, archive):
    response = client.get("/basemap.pmtiles", HTTP_RANGE=f"bytes=100-{len(archive) + 5000}")
    assert response.status_code == 206
    assert response.content == archive[100:]
    assert response["Content-Range"] == f"bytes 100-{len(archive) - 1}/{len(archive)}"


def test_a_suffix_range_gives_the_last_bytes(client, archive):
    response = client.get("/basemap.pmtiles", HTTP_RANGE="bytes=-10")
    assert response.status_code == 206
    assert response.content == archive[-10:]


def test_no_range_gives_the_whole_archive(client, archive):
    response = client.get("/basemap.pmtiles")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == archive
    assert response["Accept-Ranges"] == "bytes"


def test_a_range_starting_past_the_end_is_416(client, archive):
    response = client.get("/basemap.pmtiles", HTTP_RANGE=f"bytes={len(archive)}-")
    assert response.status_code == 416
    assert response["Content-Range"] == f"bytes */{len(archive)}"


def test_a_range_of_an_older_version_gets_the_whole_new_file(client, archive):
    response = client.get("/basemap.pmtiles", HTTP_RANGE="bytes=0-9", HTTP_IF_RANGE='"an-old-etag"')
    assert response.status_code == 200
    current = client.get("/basemap.pmtiles", HTTP_RANGE="bytes=0-9", HTTP_IF_RANGE=response["ETag"])
    assert current.status_code == 206


@pytest.mark.parametrize("header", ["bytes=0-9,20-29", "items=0-9", "bytes=9-0", "bytes=abc", "bytes=-"])
def test_a_range_header_not_understood_gets_the_whole_file(client, archive, header):
    assert client.get("/basemap.pmtiles", HTTP_RANGE=header).status_code == 200


def test_writes_are_refused(client, archive):
    assert client.post("/basemap.pmtiles").status_code == 405


def test_without_an_archive_the_address_is_404(client, settings):
    settings.MAP_PMTILES_FILE = ""
    assert client.get("/basemap.pmtiles").status_code == 404


def test_a_missing_archive_file_is_404_not_500(client, settings, tmp_path):
    settings.MAP_PMTILES_FILE = str(tmp_path / "gone.pmtiles")
    assert client.get("/basemap.pmtiles", HTTP_RANGE="bytes=0-9").status_code == 404


@pytest.mark.parametrize(
    ("header", "size", "expected"),
    [("bytes=0-0", 10, (0, 0)), ("bytes=5-", 10, (5, 9)), ("bytes=-3", 10, (7, 9)), ("bytes=-30", 10, (0, 9))],
)
def test_requested_range(header, size, expected):
    assert byteranges.requested_range(header, size) == expected


def test_an_empty_suffix_is_not_satisfiable():
    with pytest.raises(byteranges.RangeNotSatisfiable):
        byteranges.requested_range("bytes=-0", 10)


def test_an_archive_in_a_bucket_joins_the_content_security_policy():
    assert _pmtiles_origins("https://signwatch-maps.s3.us-east-2.amazonaws.com/us.pmtiles") == [
        "https://signwatch-maps.s3.us-east-2.amazonaws.com"
    ]
    assert _pmtiles_origins("/basemap.pmtiles") == []
    assert _pmtiles_origins("") == []


@pytest.mark.parametrize("url", ["ftp://maps.example.org/us.pmtiles", "//maps.example.org/us.pmtiles", "us.pmtiles"])
def test_a_bad_archive_address_stops_the_app(url):
    with pytest.raises(ImproperlyConfigured, match="MAP_PMTILES_URL"):
        _pmtiles_origins(url)


def test_map_pages_load_the_basemap_scripts_only_with_an_archive(db, client, settings):
    assert "protomaps-leaflet" not in client.get("/submit/").content.decode()
    settings.MAP_PMTILES_URL = "https://maps.example.org/us.pmtiles"
    page = client.get("/submit/").content.decode()
    assert "vendor/pmtiles-4.5.0/pmtiles.js" in page
    assert "vendor/protomaps-leaflet-5.1.0/protomaps-leaflet.js" in page
    assert '"pmtilesUrl": "https://maps.example.org/us.pmtiles"' in page
