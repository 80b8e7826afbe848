"""HTTP byte ranges (RFC 9110 §14): which part of a file a `Range: bytes=...` header asks for."""

from __future__ import annotations

import re

_SINGLE_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


class RangeNotSatisfiable(Exception):
    """The header asks only for bytes past the end of the file."""


def requested_range(header: str | None, size: int) -> tuple[int, int] | None:
    """The first and last byte (inclusive) of a single-range header; None means send the whole file.

    A header this reader does not understand (several ranges, another unit) is ignored, as the RFC allows: the
    client gets the whole file with 200. Only a well-formed range that starts past the end is refused.
    """
    match = _SINGLE_RANGE.match((header or "").strip())
    if match is None:
        return None
    first, last = match.groups()
    if not first and not last:
        return None
    if not first:  # a suffix: the last N bytes
        length = int(last)
        if length == 0:
            raise RangeNotSatisfiable(header)
        return max(0, size - length), size - 1
    start = int(first)
    end = min(int(last), size - 1) if last else size - 1
    if last and int(last) < start:
        return None  # invalid: ignored, whole file
    if start >= size:
        raise RangeNotSatisfiable(header)
    return start, end
