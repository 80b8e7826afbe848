"""Photo storage on an S3-protocol server (moto's, on 127.0.0.1), set up as backend/settings.py does for a bucket."""

from __future__ import annotations

import socket
import time
import uuid
from collections.abc import Iterator

import boto3
import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from moto.server import ThreadedMotoServer
from rest_framework.test import APIClient

from compliance.models import Observation, Photo
from tests import images
from tests.conftest import stored_files

CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing", "region_name": "us-east-1"}
ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers"


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    """An S3 server in a thread of this process, on a free loopback port."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        yield f"http://{host}:{port}"
    finally:
        server.stop()


@pytest.fixture
def s3(s3_endpoint):
    return boto3.client("s3", endpoint_url=s3_endpoint, **CREDENTIALS)


@pytest.fixture
def bucket(s3) -> str:
    name = f"signwatch-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=name)
    return name


def use_s3_storage(settings, *, endpoint_url: str, bucket_name: str) -> None:
    """Point default_storage at a bucket with the options backend/settings.py builds from AWS_* variables."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": bucket_name,
                "endpoint_url": endpoint_url,
                "region_name": CREDENTIALS["region_name"],
                "access_key": CREDENTIALS["aws_access_key_id"],
                "secret_key": CREDENTIALS["aws_secret_access_key"],
                "default_acl": "private",
                "querystring_auth": True,
                "file_overwrite": False,
            },
        },
    }
    # Assigning STORAGES sends setting_changed, whose handler drops the storage default_storage had built.
    assert default_storage.__class__.__name__ == "S3Storage"
    assert default_storage.bucket_name == bucket_name


@pytest.fixture
def bucket_storage(settings, s3_endpoint, bucket) -> str:
    use_s3_storage(settings, endpoint_url=s3_endpoint, bucket_name=bucket)
    return bucket


def post(api: APIClient, photo: bytes):
    """A one-photo report at a Texas truck stop, sent as the submit page sends it."""
    data = {
        "lat": images.AUSTIN[0],
        "lon": images.AUSTIN[1],
        "venue_type": "truck_stop",
        "sign_status": "posted",
        "photos": [SimpleUploadedFile("IMG_0001.jpg", photo)],
    }
    return api.post("/api/observations/", data, format="multipart")


def object_names(s3, bucket: str) -> set[str]:
    return {item["Key"] for item in s3.list_objects_v2(Bucket=bucket).get("Contents", [])}


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_photo_is_stored_in_the_bucket_clean_and_private_and_served_to_moderators(
    api, client, moderator, s3, bucket_storage, media_root
):
    response = post(api, images.telltale_jpeg())
    assert response.status_code == 201, response.json()

    photo = Photo.objects.get(observation__public_id=response.json()["id"])
    assert object_names(s3, bucket_storage) == {photo.image.name, photo.thumbnail.name}
    stored = {
        name: s3.get_object(Bucket=bucket_storage, Key=name)["Body"].read() for name in object_names(s3, bucket_storage)
    }
    for name, data in stored.items():
        assert data.startswith(b"\xff\xd8"), name
        assert b"Exif" not in data
        for text in images.IDENTIFYING_TEXTS:
            assert text.encode() not in data
        grantees = [
            grant["Grantee"].get("URI") for grant in s3.get_object_acl(Bucket=bucket_storage, Key=name)["Grants"]
        ]
        assert ALL_USERS not in grantees  # photos leave only through SignWatch's own views
    assert stored_files(media_root) == []  # nothing went to the local folder

    client.force_login(moderator)
    served = client.get(f"/photos/{photo.public_id}.jpg")
    assert served.status_code == 200
    assert served["Content-Type"] == "image/jpeg"
    assert b"".join(served.streaming_content) == stored[photo.image.name]
    thumbnail = client.get(f"/photos/{photo.public_id}/thumb.jpg")
    assert b"".join(thumbnail.streaming_content) == stored[photo.thumbnail.name]


def test_failed_database_write_removes_the_photos_from_the_bucket(db, s3, bucket_storage, monkeypatch):
    def fail(*args, **kwargs):
        raise RuntimeError("the database went away mid-write")

    monkeypatch.setattr(Photo.objects, "bulk_create", fail)
    response = post(APIClient(raise_request_exception=False), images.jpeg(images.photo_like(640, 480, seed=7)))

    assert response.status_code == 500
    assert response.json()["code"] == "server_error"
    assert Observation.objects.count() == 0 and Photo.objects.count() == 0
    assert object_names(s3, bucket_storage) == set()  # no orphan objects


@pytest.mark.parametrize("storage_fault", ["missing_bucket", "unreachable_server"])
def test_upload_while_storage_is_unavailable_answers_503_and_records_nothing(
    db, settings, s3_endpoint, storage_fault, media_root
):
    if storage_fault == "missing_bucket":
        use_s3_storage(settings, endpoint_url=s3_endpoint, bucket_name=f"absent-{uuid.uuid4().hex[:12]}")
    else:
        use_s3_storage(settings, endpoint_url=f"http://127.0.0.1:{_free_port()}", bucket_name="signwatch")

    started = time.monotonic()
    response = post(APIClient(raise_request_exception=False), images.jpeg(images.photo_like(640, 480, seed=8)))
    print(f"\n{storage_fault}: answered {response.status_code} in {time.monotonic() - started:.2f} s")

    assert response.status_code == 503, response.content
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] == "storage_unavailable"
    assert Observation.objects.count() == 0 and Photo.objects.count() == 0
    assert stored_files(media_root) == []
