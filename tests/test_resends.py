"""The digest that binds an Idempotency-Key to its request: the same however the body arrives in chunks."""

from __future__ import annotations

import hashlib
import io
import itertools
import random

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test.client import encode_multipart

from compliance import resends

BOUNDARY = "----WebKitFormBoundaryA1b2C3d4E5f6G7h8"


def multipart_body(boundary: str = BOUNDARY, notes: str = "Sign behind the counter") -> bytes:
    photo = SimpleUploadedFile("IMG_0001.jpg", bytes(random.Random(7).randrange(256) for _ in range(3000)))
    return encode_multipart(boundary, {"venue_type": "truck_stop", "notes": notes, "photos": [photo]})


def digest_of(chunks: list[bytes], boundary: str | bytes = BOUNDARY) -> str:
    digest = resends.BoundaryBlindDigest(boundary.encode() if isinstance(boundary, str) else boundary)
    for chunk in chunks:
        digest.update(chunk)
    return digest.hexdigest()


def whole(body: bytes, boundary: bytes) -> str:
    return hashlib.sha256(body.replace(boundary, b"")).hexdigest()


def cut(body: bytes, *points: int) -> list[bytes]:
    edges = [0, *points, len(body)]
    return [body[start:end] for start, end in itertools.pairwise(edges)]


def test_the_digest_is_sha256_of_the_body_without_its_boundary():
    # Digests stored with reports sent before this code must still match their resends: the definition is fixed.
    body = b'--XyZ\r\nContent-Disposition: form-data; name="notes"\r\n\r\nhello\r\n--XyZ--\r\n'
    assert digest_of([body], "XyZ") == hashlib.sha256(body.replace(b"XyZ", b"")).hexdigest()
    assert digest_of([body], "XyZ") == "54e55bb47896b0fc313c6acce7448fef040bdee42795e0f1b70eabe05f638611"


def test_a_body_split_at_every_point_around_each_boundary_digests_the_same():
    body = multipart_body()
    marker = BOUNDARY.encode()
    expected = whole(body, marker)
    starts = [i for i in range(len(body)) if body.startswith(marker, i)]
    assert len(starts) == 4  # two fields and a photo, then the closing delimiter
    for start in starts:
        # Just before, exactly at, inside, exactly after and just after each occurrence of the boundary.
        for point in range(start - 2, start + len(marker) + 3):
            assert digest_of(cut(body, point)) == expected, point
            assert digest_of(cut(body, point, point + 1)) == expected, point  # a one-byte chunk after the cut
            assert digest_of(cut(body, point, point)) == expected, point  # an empty read in between


@pytest.mark.parametrize("size", [1, 2, 5, len(BOUNDARY) - 1, len(BOUNDARY), len(BOUNDARY) + 1, 4096, 64 * 1024])
def test_a_body_read_in_chunks_of_any_size_digests_the_same(size):
    body = multipart_body()
    assert digest_of([body[i : i + size] for i in range(0, len(body), size)]) == whole(body, BOUNDARY.encode())


@pytest.mark.parametrize(
    ("boundary", "body"),
    [
        (b"ab", b"aabbab" * 9 + b"aab"),  # removing one occurrence makes another: bytes.replace does not look again
        (b"aa", b"a" * 41),  # an occurrence overlapping the next: left to right, without overlap
        (b"aba", b"ababababa" * 7),
        (b"x", b"xyxxyx" * 5),
        (b"", b"nothing to remove"),
    ],
)
def test_self_overlapping_boundaries_are_removed_as_bytes_replace_removes_them(boundary, body):
    chooser = random.Random(20240601)
    expected = whole(body, boundary) if boundary else hashlib.sha256(body).hexdigest()
    for _ in range(300):
        points = sorted(chooser.randrange(len(body) + 1) for _ in range(chooser.randrange(6)))
        assert digest_of(cut(body, *points), boundary) == expected, points


def test_a_new_boundary_for_the_same_report_digests_the_same_and_other_fields_do_not():
    first = digest_of([multipart_body()])
    redrawn = "----WebKitFormBoundaryZ9y8X7w6V5u4T3s2"
    assert digest_of([multipart_body(redrawn)], redrawn) == first
    assert digest_of([multipart_body(notes="Sign behind the counter.")]) != first


def test_reading_and_draining_the_stream_digest_the_same_as_the_whole_body():
    body = multipart_body()
    expected = whole(body, BOUNDARY.encode())
    drained = resends.DigestingStream(io.BytesIO(body), BOUNDARY.encode())
    assert drained.drain() == expected

    parsed = resends.DigestingStream(io.BytesIO(body), BOUNDARY.encode())
    parsed.readline()  # the parser's reads, then the rest drained
    parsed.read(1000)
    assert parsed.drain() == expected
