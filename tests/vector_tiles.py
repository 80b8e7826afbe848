"""Vector tiles and PMTiles archives built in code for the basemap tests: no download, a few hundred bytes.

A Mapbox Vector Tile is a protobuf message (github.com/mapbox/vector-tile-spec, version 2.1); the few fields a
polygon needs are encoded here by hand. The `pmtiles` package writes the archive around the tiles.
"""

from __future__ import annotations

import gzip
from pathlib import Path

from pmtiles.tile import Compression, TileType, zxy_to_tileid
from pmtiles.writer import Writer

EXTENT = 4096


def _varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _zigzag(value: int) -> int:
    return (value << 1) ^ (value >> 31)


def _field(number: int, payload: bytes) -> bytes:
    """A length-delimited field (wire type 2)."""
    return _varint(number << 3 | 2) + _varint(len(payload)) + payload


def _varint_field(number: int, value: int) -> bytes:
    return _varint(number << 3) + _varint(value)


def _polygon_geometry(ring: list[tuple[int, int]]) -> bytes:
    """MoveTo the first point, LineTo the others, ClosePath: the commands of one exterior ring."""
    commands = [1 | 1 << 3]
    x, y = ring[0]
    commands += [_zigzag(x), _zigzag(y)]
    commands.append(2 | (len(ring) - 1) << 3)
    for next_x, next_y in ring[1:]:
        commands += [_zigzag(next_x - x), _zigzag(next_y - y)]
        x, y = next_x, next_y
    commands.append(7 | 1 << 3)
    return b"".join(_varint(command) for command in commands)


def mvt(layers: dict[str, list[tuple[int, int]]]) -> bytes:
    """A tile with one polygon per layer, each given as its exterior ring in tile coordinates (0..4096, y down)."""
    tile = b""
    for feature_id, (name, ring) in enumerate(layers.items(), start=1):
        feature = _varint_field(1, feature_id) + _varint_field(3, 3) + _field(4, _polygon_geometry(ring))
        layer = _varint_field(15, 2) + _field(1, name.encode()) + _field(2, feature) + _varint_field(5, EXTENT)
        tile += _field(3, layer)
    return tile


WHOLE_TILE = [(-64, -64), (EXTENT + 64, -64), (EXTENT + 64, EXTENT + 64), (-64, EXTENT + 64)]
MAX_ZOOM = 2  # not 0: protomaps-leaflet reads a maxDataZoom of 0 as "unset" and asks for zoom 15


def world_archive(path: Path) -> Path:
    """A world to zoom 2: land everywhere, and water over the western hemisphere (the whole United States)."""
    with path.open("wb") as file:
        writer = Writer(file)
        for zoom in range(MAX_ZOOM + 1):
            for x in range(2**zoom):
                for y in range(2**zoom):
                    western = x < 2**zoom / 2 or zoom == 0
                    layers = {"earth": WHOLE_TILE, **({"water": WHOLE_TILE} if western else {})}
                    writer.write_tile(zxy_to_tileid(zoom, x, y), gzip.compress(mvt(layers)))
        writer.finalize(
            {
                "tile_type": TileType.MVT,
                "tile_compression": Compression.GZIP,
                "min_lon_e7": -1800000000,
                "min_lat_e7": -850000000,
                "max_lon_e7": 1800000000,
                "max_lat_e7": 850000000,
                "center_zoom": 0,
                "center_lon_e7": 0,
                "center_lat_e7": 0,
            },
            {"attribution": "SignWatch test tiles", "vector_layers": [{"id": "earth"}, {"id": "water"}]},
        )
    return path
