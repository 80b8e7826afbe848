"""Reports and letters say on how many posted signs the machine read the number, and how often it agreed."""

from __future__ import annotations

import datetime

import pytest

from compliance import letters, reports, scoreboard
from compliance.models import Jurisdiction, Observation, SignReading
from tests.test_reports import DALLAS, photographed_venue, volunteer_api  # noqa: F401 -- a fixture, used by name


def read_as(observation: Observation, *, hotline: bool, text: str) -> None:
    """Store the reading the background task would have made of the observation's photo."""
    SignReading.objects.create(
        photo=observation.photos.get(),
        text=text,
        hotline_found=hotline,
        engine="rapidocr-onnxruntime",
        engine_version="1.4.4",
        seconds=0.8,
    )


@pytest.fixture
def read_texas(volunteer_api, moderator):  # noqa: F811 -- the fixture imported above
    """Five approved Texas bus stations: the reading right on three of the four it read, one photo never read."""

    def venue(n: int, status: str, **fields) -> Observation:
        point = (DALLAS[0] + 0.05 * n, DALLAS[1])
        return photographed_venue(volunteer_api, moderator, "TX", "bus_station", status, point, seed=n + 1, **fields)

    read_as(venue(0, "posted"), hotline=True, text="Call 1-888-373-7888")  # agrees
    read_as(venue(1, "posted"), hotline=False, text="Call 1-888-3?3-7888")  # illegible to it: disagrees
    wrong = venue(2, "deficient", deficiencies=["wrong_number"])
    read_as(wrong, hotline=False, text="Call 1-888-337-7888")  # agrees: the moderator confirmed a wrong number
    read_as(venue(3, "missing"), hotline=False, text="")  # agrees: no sign, no number
    venue(4, "posted")  # never read: counted as posted, not as read
    scoreboard.invalidate()


def test_machine_reading_counts_legible_numbers_and_agreement(read_texas):
    texas = Jurisdiction.objects.get(code="TX")
    evidence = reports.machine_reading(texas, since=datetime.date(2000, 1, 1))
    assert evidence == reports.MachineReading(posted=4, read=3, legible=1, compared=4, agreed=3)


def test_report_page_states_the_machine_reading(client, read_texas):
    text = " ".join(client.get("/reports/TX/").content.decode().split())
    assert (
        "the hotline number was legible to the machine reading on 1 of the 3 posted signs it read "
        "(4 posted signs counted in all), and the reading agreed with the moderators on 3 of 4 reports"
    ) in text


def test_letter_quotes_the_machine_reading_and_freezes_it(advocate, read_texas):
    letter = letters.compose(
        jurisdiction=Jurisdiction.objects.get(code="TX"),
        kind="enforcement",
        author=advocate,
        report_url="https://signwatch.example/reports/TX/",
    )
    assert letter.figures["machine_reading"] == {"posted": 4, "read": 3, "legible": 1, "compared": 4, "agreed": 3}
    assert (
        "the hotline number was legible to that reading on 1 of the 3 posted signs it read, and the reading "
        "agreed with our moderators on 3 of 4 reports."
    ) in " ".join(letter.body.split())


def test_nothing_is_said_where_no_photo_was_read(client, volunteer_api, moderator):  # noqa: F811
    photographed_venue(volunteer_api, moderator, "TX", "bus_station", "posted", DALLAS, seed=9)
    scoreboard.invalidate()
    assert "machine reading" not in client.get("/reports/TX/").content.decode()
