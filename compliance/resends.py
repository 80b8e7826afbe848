"""Knowing a resent report by its bytes alone, so the server answers it without parsing it.

A phone's outbox sends a report again, with the same Idempotency-Key, when it did not hear the answer. The key
alone must not be enough to read the first answer (anyone could replay a key they saw), so the key is bound to
what was sent: a digest of the request body. The digest leaves out the multipart boundary, which a browser draws
afresh for every send of the same form, and is taken while the body streams past: on the first send as Django's
parser reads it, on a resend while the body is only drained. A resend then costs one pass of SHA-256 over its
bytes: no form parsing, no temporary files, no photo decoded.
"""

from __future__ import annotations

import hashlib
from typing import Protocol

from django.http import HttpRequest
from django.http.multipartparser import parse_header_parameters

CHUNK_BYTES = 64 * 1024


class Readable(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...


class BoundaryBlindDigest:
    """SHA-256 of a byte stream fed in chunks, every occurrence of one boundary string removed first.

    The digest is that of `body.replace(boundary, b"")` however the body is cut into chunks: occurrences are found
    left to right without overlap, as bytes.replace finds them, and one split across two chunks is found too. Each
    chunk is hashed in place (through a memoryview) between the occurrences found in it: only the few bytes held
    back between chunks are ever copied.
    """

    def __init__(self, boundary: bytes) -> None:
        self._boundary = boundary
        # The tail of the stream not yet hashed: it may be the start of a boundary the next chunk completes.
        self._keep = max(0, len(boundary) - 1)
        self._pending = b""
        self._hash = hashlib.sha256()

    def update(self, chunk: bytes) -> None:
        boundary, keep = self._boundary, self._keep
        if not boundary:
            self._hash.update(chunk)
            return
        start = 0
        if self._pending:
            # An occurrence that starts in the held-back tail ends within the chunk's first len(boundary) - 1 bytes.
            joint = self._pending + chunk[:keep]
            found = joint.find(boundary)
            if found >= 0:
                self._hash.update(joint[:found])
                start = found + len(boundary) - len(self._pending)
            elif len(chunk) < keep:  # a chunk too short to settle the tail: the joint is held back instead
                cut = max(0, len(joint) - keep)
                self._hash.update(joint[:cut])
                self._pending = joint[cut:]
                return
            else:
                self._hash.update(self._pending)
            self._pending = b""
        view = memoryview(chunk)
        while (found := chunk.find(boundary, start)) >= 0:
            self._hash.update(view[start:found])
            start = found + len(boundary)
        cut = max(start, len(chunk) - keep)
        self._hash.update(view[start:cut])
        self._pending = chunk[cut:]

    def hexdigest(self) -> str:
        final = self._hash.copy()
        final.update(self._pending)
        return final.hexdigest()


class DigestingStream:
    """A request body stream that digests what is read from it, by Django's parser or by drain()."""

    def __init__(self, stream: Readable, boundary: bytes) -> None:
        self._stream = stream
        self.digest = BoundaryBlindDigest(boundary)

    def read(self, size: int = -1, /) -> bytes:
        chunk = self._stream.read(size)
        self.digest.update(chunk)
        return chunk

    def readline(self, size: int = -1, /) -> bytes:
        chunk = self._stream.readline(size)  # type: ignore[attr-defined]
        self.digest.update(chunk)
        return chunk

    def drain(self) -> str:
        """Read what is left of the body without keeping it; the digest of the whole body."""
        while self.read(CHUNK_BYTES):
            pass
        return self.digest.hexdigest()


def watch(request: HttpRequest) -> DigestingStream:
    """Digest the request's body as it is read from now on (call before anything reads it)."""
    _, parameters = parse_header_parameters(request.META.get("CONTENT_TYPE", ""))
    boundary = parameters.get("boundary", "")
    stream = DigestingStream(request._stream, boundary.encode("latin-1", "replace"))  # type: ignore[attr-defined]
    request._stream = stream  # type: ignore[attr-defined]
    return stream
