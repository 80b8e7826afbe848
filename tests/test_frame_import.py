"""Importing the venue frame from OpenStreetMap extracts generated in code: .osm, .osm.pbf and Overpass JSON."""

from __future__ import annotations

import datetime
import io
import json

import pytest
from django.core.management import CommandError, call_command

from compliance import osm
from compliance.models import Observation, Venue
from tests.osm_extracts import (
    AUSTIN,
    DALLAS,
    HOUSTON,
    MAPPED_TAGS,
    MEXICO_CITY,
    MID_ATLANTIC,
    OKLAHOMA_CITY,
    Extract,
)


def import_file(path, *extra) -> str:
    out = io.StringIO()
    call_command("import_osm_venues", str(path), *extra, stdout=out)
    return out.getvalue()


def frame_venues():
    return {(v.osm_type, v.osm_id): v for v in Venue.objects.filter(osm_id__isnull=False).select_related("venue_type")}


def test_every_rule_in_the_tag_file_is_exercised_by_the_mapped_tags():
    rules = osm.load_rules()
    assert {rule.venue_type for rule in rules} == {expected for _, expected in MAPPED_TAGS if expected}
    for tags, expected in MAPPED_TAGS:
        assert osm.venue_type_for(tags, rules) == expected, tags


def every_mapped_tag_as_node_and_area() -> Extract:
    """Each tag combination twice in Texas: as a node, and as a closed way (an area) 0.05° further north."""
    extract = Extract()
    for number, (tags, _) in enumerate(MAPPED_TAGS, start=1):
        point = (AUSTIN[0] + 0.01 * number, AUSTIN[1])
        extract.node(1000 + number, point, {**tags, "name": f"Node {number}"}, version=3)
        extract.area(2000 + number, (point[0] + 0.5, point[1]), {**tags, "name": f"Area {number}"}, version=5)
    extract.multipolygon(3001, HOUSTON, {"tourism": "hotel", "name": "Big Hotel"}, version=2)
    return extract


@pytest.mark.parametrize("suffix", [".osm.pbf", ".osm", ".json"])
def test_every_mapped_tag_becomes_its_venue_type_as_node_area_and_multipolygon(db, tmp_path, suffix):
    extract = every_mapped_tag_as_node_and_area()
    path = tmp_path / f"texas{suffix}"
    extract.write_overpass(path) if suffix == ".json" else extract.write(path)

    output = import_file(path)

    venues = frame_venues()
    mapped = [(number, expected) for number, (_, expected) in enumerate(MAPPED_TAGS, start=1) if expected]
    assert len(venues) == 2 * len(mapped) + 1
    for number, expected in mapped:
        node = venues[("n", 1000 + number)]
        assert (node.venue_type.slug, node.osm_version, node.name) == (expected, 3, f"Node {number}")
        assert (node.latitude, node.longitude) == pytest.approx((AUSTIN[0] + 0.01 * number, AUSTIN[1]), abs=1e-7)
        area = venues[("w", 2000 + number)]
        assert (area.venue_type.slug, area.osm_version, area.name) == (expected, 5, f"Area {number}")
        # An area's point is its centroid: the centre of the square around it.
        assert (area.latitude, area.longitude) == pytest.approx((node.latitude + 0.5, node.longitude), abs=1e-7)
        assert node.jurisdiction.code == area.jurisdiction.code == "TX"
        assert node.closed_on is None and node.current_status == ""
    hotel = venues[("r", 3001)]
    assert hotel.venue_type.slug == "hotel_motel" and hotel.name == "Big Hotel" and hotel.osm_version == 2
    assert (hotel.latitude, hotel.longitude) == pytest.approx(HOUSTON, abs=1e-7)
    assert hotel.osm_url == "https://www.openstreetmap.org/relation/3001"
    assert f"{2 * len(mapped) + 1} created" in output


def test_points_outside_every_jurisdiction_are_skipped_and_counted(db, tmp_path):
    extract = Extract()
    extract.node(1, AUSTIN, {"amenity": "bus_station"})
    extract.node(2, MEXICO_CITY, {"amenity": "bus_station"})
    extract.area(3, MID_ATLANTIC, {"tourism": "hotel"})
    extract.node(4, OKLAHOMA_CITY, {"amenity": "bus_station"})

    output = import_file(extract.write(tmp_path / "mixed.osm.pbf"))

    assert set(frame_venues()) == {("n", 1), ("n", 4)}
    assert "2 outside" in output


def test_a_jurisdiction_limit_skips_and_counts_venues_elsewhere_and_leaves_their_frame_alone(db, tmp_path):
    first = Extract()
    first.node(1, AUSTIN, {"amenity": "bus_station"})
    first.node(2, OKLAHOMA_CITY, {"amenity": "bus_station"})
    import_file(first.write(tmp_path / "both.osm"))
    texas_only = Extract()
    texas_only.node(1, AUSTIN, {"amenity": "bus_station"})

    output = import_file(texas_only.write(tmp_path / "texas.osm"), "--jurisdiction", "tx")

    venues = frame_venues()
    assert venues[("n", 2)].closed_on is None  # Oklahoma's frame is not Texas's import to close
    assert "1 unchanged" in output and "0 other jurisdiction" in output
    output = import_file(first.write(tmp_path / "both.osm"), "--jurisdiction", "TX")
    assert "1 other jurisdiction" in output


def test_a_second_import_updates_moves_closes_and_reopens_without_duplicating(db, tmp_path):
    first = Extract()
    first.node(1, AUSTIN, {"amenity": "fuel", "name": "Old name"}, version=1)
    first.node(2, DALLAS, {"tourism": "motel"}, version=1)
    first.area(3, HOUSTON, {"amenity": "bus_station"}, version=1)
    first.node(4, (AUSTIN[0] + 0.1, AUSTIN[1]), {"shop": "massage"}, version=1)
    first.node(5, (AUSTIN[0] + 0.2, AUSTIN[1]), {"amenity": "bar"}, version=1)
    import_file(first.write(tmp_path / "first.osm.pbf"))
    before = frame_venues()
    reported = before[("n", 4)]
    Observation.objects.create(
        venue=reported,
        sign_status="missing",
        observed_on=datetime.date(2026, 10, 1),
        captured_latitude=reported.latitude,
        captured_longitude=reported.longitude,
        location_source="device",
        review_status="approved",
        receipt="r-1",
    )
    reported.refresh_current_status()

    second = Extract()
    second.node(1, AUSTIN, {"amenity": "fuel", "hgv": "yes", "name": "New name"}, version=2)  # changed
    second.node(2, (DALLAS[0] + 0.01, DALLAS[1]), {"tourism": "motel"}, version=2)  # moved
    second.area(3, HOUSTON, {"amenity": "bus_station"}, version=1)  # unchanged
    second.node(5, (AUSTIN[0] + 0.2, AUSTIN[1]), {"amenity": "cafe"}, version=2)  # no longer a covered venue
    # node 4 deleted from OSM
    output = import_file(second.write(tmp_path / "second.osm.pbf"))

    after = frame_venues()
    assert set(after) == set(before) and Venue.objects.count() == 5
    assert {key: venue.pk for key, venue in after.items()} == {key: venue.pk for key, venue in before.items()}
    changed = after[("n", 1)]
    assert (changed.venue_type.slug, changed.name, changed.osm_version) == ("truck_stop", "New name", 2)
    moved = after[("n", 2)]
    assert (moved.latitude, moved.osm_version) == (pytest.approx(DALLAS[0] + 0.01), 2)
    assert moved.tile_key != before[("n", 2)].tile_key
    assert after[("w", 3)].closed_on is None
    gone = after[("n", 4)]
    assert gone.closed_on == datetime.date(2026, 11, 1)  # the extract's date
    assert gone.observations.count() == 1 and gone.current_status == "missing"
    assert after[("n", 5)].closed_on is not None
    assert "2 updated" in output and "1 unchanged" in output and "2 closed" in output

    output = import_file(first.write(tmp_path / "first.osm.pbf"))
    assert frame_venues()[("n", 4)].closed_on is None
    assert "2 reopened" in output and Venue.objects.count() == 5


def test_an_unreadable_file_is_a_clear_command_error(db, tmp_path):
    garbage = tmp_path / "broken.osm.pbf"
    garbage.write_bytes(b"\x00\x00\x00\x0dnot a pbf at all" * 10)
    with pytest.raises(CommandError, match="UnreadableExtract"):
        import_file(garbage)
    not_overpass = tmp_path / "broken.json"
    not_overpass.write_text(json.dumps({"hello": "world"}))
    with pytest.raises(CommandError, match="not Overpass JSON"):
        import_file(not_overpass)
    with pytest.raises(CommandError, match="unknown jurisdiction"):
        import_file(not_overpass, "--jurisdiction", "ZZ")


def test_overpass_out_center_places_ways_at_their_centre_and_skips_what_cannot_be_placed(db, tmp_path):
    document = {
        "osm3s": {"timestamp_osm_base": "2026-10-15T08:00:00Z"},
        "elements": [
            {
                "type": "way",
                "id": 7,
                "version": 4,
                "center": {"lat": DALLAS[0], "lon": DALLAS[1]},
                "tags": {"tourism": "motel", "name": "Centre Motel"},
            },
            {
                "type": "relation",
                "id": 8,
                "version": 1,
                "tags": {"amenity": "bus_station"},
                "bounds": {"minlat": 30.0, "maxlat": 30.2, "minlon": -97.8, "maxlon": -97.6},
            },
            {"type": "way", "id": 9, "tags": {"amenity": "bar"}},  # `out body`: no location at all
            {"type": "node", "id": 10, "lat": 30.1, "lon": -97.7, "tags": {"amenity": "cafe"}},
            "not an element",
        ],
    }
    path = tmp_path / "overpass.json"
    path.write_text(json.dumps(document))

    output = import_file(path)

    venues = frame_venues()
    assert set(venues) == {("w", 7), ("r", 8)}
    assert (venues[("w", 7)].latitude, venues[("w", 7)].name) == (DALLAS[0], "Centre Motel")
    assert (venues[("r", 8)].latitude, venues[("r", 8)].longitude) == pytest.approx((30.1, -97.7))
    assert "as of 2026-10-15" in output and "1 without a location" in output
