"""Point to jurisdiction lookup, distances, tile keys and the committed boundary files (no database needed)."""

from __future__ import annotations

import csv
import itertools
import json
import math
import random
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import shapely

from compliance import geo

REPO_ROOT = Path(__file__).resolve().parent.parent
JURISDICTIONS_CSV = REPO_ROOT / "compliance" / "data" / "jurisdictions.csv"
SIMPLIFIED_GEOJSON = REPO_ROOT / "frontend" / "static" / "geo" / "states-simplified.geojson"


def _csv_rows() -> list[dict[str, str]]:
    """Rows of jurisdictions.csv."""
    with JURISDICTIONS_CSV.open(newline="", encoding="utf-8") as stream:
        return list(csv.DictReader(stream))


def _outcome(lat: float, lon: float) -> geo.Placement | None:
    """locate(), with None for points outside the supported area."""
    try:
        return geo.locate(lat, lon)
    except geo.OutsideSupportedArea:
        return None


# --- point to jurisdiction ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("place", "lat", "lon", "code"),
    [
        ("Colorado State Capitol, Denver", 39.7393, -104.9848, "CO"),
        ("Texas State Capitol, Austin", 30.2747, -97.7404, "TX"),
        ("California State Capitol, Sacramento", 38.5766, -121.4932, "CA"),
        ("Iowa State Capitol, Des Moines", 41.5912, -93.6038, "IA"),
        ("New York State Capitol, Albany", 42.6525, -73.7572, "NY"),
        ("Detroit Institute of Arts, Detroit", 42.3594, -83.0646, "MI"),
        ("San Ysidro, San Diego, 1.4 km north of the Mexican border", 32.5550, -117.0440, "CA"),
        ("Key West, middle of the island", 24.5557, -81.7826, "FL"),
        ("US Capitol, Washington", 38.8899, -77.0091, "DC"),
        ("Kansas City, Missouri, city hall", 39.1000, -94.5786, "MO"),
        ("Kansas City, Kansas, city hall", 39.1146, -94.6261, "KS"),
        ("Honolulu", 21.3069, -157.8583, "HI"),
        ("Anchorage", 61.2181, -149.9003, "AK"),
        ("Adak, Aleutians, west of 170 W", 51.8800, -176.6400, "AK"),
        ("Attu Island, Aleutians, east of the antimeridian", 52.9000, 172.9000, "AK"),
        ("Plaza de Armas, Old San Juan", 18.4656, -66.1166, "PR"),
        ("Cathedral-Basilica, Hagatna", 13.4757, 144.7520, "GU"),
        ("Pago Pago", -14.2794, -170.7006, "AS"),
        ("Saipan", 15.1850, 145.7450, "MP"),
        ("Charlotte Amalie, St Thomas", 18.3419, -64.9307, "VI"),
    ],
)
def test_point_inside_a_jurisdiction_resolves_to_it_without_snapping(place: str, lat: float, lon: float, code: str):
    assert geo.locate(lat, lon) == geo.Placement(code, 0.0), place


def test_end_of_navy_pier_snaps_to_illinois_across_the_clipped_shoreline():
    # The pier reaches ~1 km into Lake Michigan; the cartographic boundary stops at the shoreline.
    placement = geo.locate(41.8917, -87.6005)
    assert placement.code == "IL"
    assert 0 < placement.distance_m < geo.SNAP_DISTANCE_M


def test_point_just_offshore_reports_a_real_distance_in_metres():
    # Off Miami Beach: snapped to Florida, at a distance that is plausible in metres (not degrees).
    placement = geo.locate(25.7907, -80.1200)
    assert placement.code == "FL"
    assert 100 < placement.distance_m < geo.SNAP_DISTANCE_M


@pytest.mark.parametrize(
    ("place", "lat", "lon"),
    [
        ("Windsor, Ontario, near Devonshire Mall, ~7 km from Michigan", 42.2700, -83.0000),
        ("Tijuana, near Estadio Caliente, ~4 km south of the border", 32.5070, -117.0050),
        ("Mid-Atlantic", 35.0, -45.0),
        ("Bering Sea just west of the antimeridian", 51.95, 179.9),
        ("Bering Sea just east of the antimeridian", 52.0, -179.99),
        ("Antimeridian itself", 52.0, 180.0),
        ("North Pole", 90.0, 0.0),
    ],
)
def test_point_far_from_every_jurisdiction_is_outside(place: str, lat: float, lon: float):
    with pytest.raises(geo.OutsideSupportedArea):
        geo.locate(lat, lon)


@pytest.mark.parametrize(
    ("lat", "lon"),
    [
        (0.0, 0.0),
        (math.nan, -100.0),
        (40.0, math.nan),
        (math.inf, -100.0),
        (40.0, -math.inf),
        (91.0, -100.0),
        (-91.0, -100.0),
        (40.0, 181.0),
        (40.0, -181.0),
    ],
)
def test_unusable_coordinates_are_outside_with_a_reason(lat: float, lon: float):
    with pytest.raises(geo.OutsideSupportedArea) as caught:
        geo.locate(lat, lon)
    assert caught.value.reason
    assert isinstance(caught.value, ValueError)


def test_cell_cache_agrees_with_exact_lookup():
    rng = random.Random(20240601)
    index = geo._get_index()
    # Mostly around the contiguous US, plus boxes around Alaska, Hawaii and the territories.
    boxes = [(24, 50, -125, -66), (51, 72, -180, -129), (18, 23, -161, -154), (17, 19, -68, -64), (13, 21, 144, 146)]
    for south, north, west, east in boxes:
        for _ in range(1_500):
            lat, lon = rng.uniform(south, north), rng.uniform(west, east)
            try:
                expected: geo.Placement | None = geo._locate_exact(index, lat, lon)
            except geo.OutsideSupportedArea:
                expected = None
            assert _outcome(lat, lon) == expected, (lat, lon)


def test_concurrent_lookups_match_sequential_ones():
    rng = random.Random(7)
    points = [(rng.uniform(24, 50), rng.uniform(-125, -66)) for _ in range(4_000)]
    sequential = [_outcome(lat, lon) for lat, lon in points]
    with ThreadPoolExecutor(max_workers=8) as pool:
        concurrent = list(pool.map(lambda point: _outcome(*point), points))
    assert concurrent == sequential


def test_snapping_wraps_around_the_antimeridian(monkeypatch: pytest.MonkeyPatch):
    # The Census data has no land within 2 km of 180 degrees, so use a made-up islet just west of it.
    islet = shapely.box(179.990, 10.000, 179.995, 10.005)
    monkeypatch.setattr(geo, "_index", geo._build_index({"XX": islet}))
    assert geo.locate(10.0025, 179.992) == geo.Placement("XX", 0.0)
    across = geo.locate(10.0025, -179.998)  # 0.007 degrees east of the islet, on the other side of 180
    assert across.code == "XX"
    assert across.distance_m == pytest.approx(0.007 * 111_195 * math.cos(math.radians(10.0025)), rel=0.01)
    with pytest.raises(geo.OutsideSupportedArea):
        geo.locate(10.0025, -179.95)


def test_jurisdiction_codes_match_the_csv():
    assert geo.jurisdiction_codes() == sorted(row["code"] for row in _csv_rows())


# --- distances ---------------------------------------------------------------------------------------------------


def test_one_degree_of_latitude_is_about_111_2_km():
    assert geo.distance_m(40.0, -100.0, 41.0, -100.0) == pytest.approx(111_195, rel=1e-3)


def test_distance_between_jfk_and_lax_is_about_3_974_km():
    assert geo.distance_m(40.6413, -73.7781, 33.9416, -118.4085) == pytest.approx(3_974_000, rel=5e-3)


def test_distance_across_the_antimeridian_is_short():
    assert geo.distance_m(0.0, 179.9, 0.0, -179.9) == pytest.approx(22_239, rel=1e-3)


def test_distance_from_a_point_to_itself_is_zero():
    assert geo.distance_m(39.7393, -104.9848, 39.7393, -104.9848) == 0.0


# --- tile keys ---------------------------------------------------------------------------------------------------


def test_tile_key_matches_the_bing_quadkey_example():
    # Bing Maps Tile System docs: tile (3, 5) at level 3 has quadkey "213", i.e. 2*16 + 1*4 + 3 = 39.
    assert geo.tile_key(-50.0, -20.0, zoom=3) == int("213", 4)


def test_tile_key_of_the_world_corners_and_centre():
    assert geo.tile_key(89.0, -180.0) == 0  # clamped to the Mercator limit: top-left tile
    assert geo.tile_key(-89.0, 180.0) == 4**geo.TILE_ZOOM - 1  # bottom-right tile
    assert geo.tile_key(0.0, 0.0, zoom=1) == 3  # the south-east quarter starts at (0, 0)


@pytest.mark.parametrize(("lat", "lon"), [(39.7393, -104.9848), (18.4656, -66.1166), (-14.2794, -170.7006)])
def test_tile_key_of_a_child_tile_starts_with_its_parent_key(lat: float, lon: float):
    fine = geo.tile_key(lat, lon)
    for zoom in range(geo.TILE_ZOOM + 1):
        assert fine >> (2 * (geo.TILE_ZOOM - zoom)) == geo.tile_key(lat, lon, zoom)


def test_parent_tile_range_contains_every_child_key():
    lat, lon, zoom = 39.7393, -104.9848, 10
    [(start, end)] = geo.tile_key_ranges(lon, lat, lon, lat, zoom)
    assert end - start + 1 == 4 ** (geo.TILE_ZOOM - zoom)
    assert start <= geo.tile_key(lat, lon) <= end


def test_tile_key_ranges_cover_every_point_of_the_bbox():
    rng = random.Random(3)
    west, south, east, north = -105.3, 39.5, -104.6, 40.1  # around Denver
    ranges = geo.tile_key_ranges(west, south, east, north, zoom=9)
    assert ranges == sorted(ranges)
    assert all(previous_end + 1 < start for (_, previous_end), (start, _) in itertools.pairwise(ranges))
    for _ in range(2_000):
        key = geo.tile_key(rng.uniform(south, north), rng.uniform(west, east))
        assert any(start <= key <= end for start, end in ranges)


def test_tile_key_ranges_across_the_antimeridian_cover_both_sides():
    ranges = geo.tile_key_ranges(179.0, 51.0, -179.0, 53.0, zoom=6)
    for lon in (179.5, -179.5):
        key = geo.tile_key(52.0, lon)
        assert any(start <= key <= end for start, end in ranges)
    outside = geo.tile_key(52.0, 170.0)
    assert not any(start <= outside <= end for start, end in ranges)


def test_tile_key_ranges_reject_a_zoom_too_fine_for_the_bbox():
    with pytest.raises(ValueError, match="coarser zoom"):
        geo.tile_key_ranges(-125.0, 24.0, -66.0, 50.0, zoom=14)


# --- committed data files ----------------------------------------------------------------------------------------


def test_jurisdictions_csv_lists_50_states_dc_and_5_territories():
    rows = _csv_rows()
    assert len(rows) == 56
    assert [row["code"] for row in rows] == sorted({row["code"] for row in rows})
    kinds = [row["kind"] for row in rows]
    assert (kinds.count("state"), kinds.count("district"), kinds.count("territory")) == (50, 1, 5)
    assert {row["code"] for row in rows if row["kind"] == "territory"} == {"AS", "GU", "MP", "PR", "VI"}
    assert all(len(row["fips"]) == 2 and row["fips"].isdigit() for row in rows)


def test_simplified_map_has_one_non_empty_feature_per_jurisdiction():
    collection = json.loads(SIMPLIFIED_GEOJSON.read_text(encoding="utf-8"))
    features = collection["features"]
    codes = [feature["properties"]["code"] for feature in features]
    assert len(features) == 56
    assert len(set(codes)) == 56
    assert sorted(codes) == [row["code"] for row in _csv_rows()]
    for feature in features:
        geometry = shapely.geometry.shape(feature["geometry"])
        assert feature["properties"]["name"]
        assert not geometry.is_empty and geometry.is_valid, feature["properties"]["code"]


def test_bbox_around_holds_every_point_of_the_circle() -> None:
    south, west, north, east = geo.bbox_around(41.88, -87.63, 60)
    for bearing in range(0, 360, 15):
        # A point 59.9 m away in each direction lies inside the box.
        dlat = 59.9 / 111_195 * math.cos(math.radians(bearing))
        dlon = 59.9 / (111_195 * math.cos(math.radians(41.88))) * math.sin(math.radians(bearing))
        assert south <= 41.88 + dlat <= north
        assert west <= -87.63 + dlon <= east
    assert north - south < 0.002  # and the box stays small


def test_bbox_around_wraps_the_antimeridian() -> None:
    _south, west, _north, east = geo.bbox_around(52.0, 179.9999, 500)
    assert west > east  # the box crosses 180°: west is near +180, east near -180


def test_cell_key_is_the_ancestor_tile() -> None:
    key = geo.tile_key(41.88, -87.63)
    for level in (4, 8, 12):
        assert geo.cell_key(key, level) == geo.tile_key(41.88, -87.63, level)
