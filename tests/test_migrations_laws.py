"""Migrations 0014-0015: free-text citations become lists of citable strings, research caveats move to the notes, and
each converted row keeps its history."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("compliance", "0013_trust_audits_disputes_second_opinions")]
AFTER = [("compliance", "0015_laws_drop_free_text_citations")]


@pytest.fixture
def back_to_latest_afterwards():
    """Leave the database at the latest migration, as every later test expects, however this one ends."""
    yield
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_citation_text_is_split_into_citable_strings_with_history_kept(back_to_latest_afterwards):
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    jurisdiction, _ = old.get_model("compliance", "Jurisdiction").objects.get_or_create(
        code="KS", defaults={"name": "Kansas", "fips": "20", "kind": "state"}
    )
    venue_type, _ = old.get_model("compliance", "VenueType").objects.get_or_create(
        slug="airport", defaults={"name": "Airport"}
    )
    law = old.get_model("compliance", "PostingLaw").objects.create(
        jurisdiction=jurisdiction,
        status="mandatory",
        confidence="medium",
        citation="amends K.S.A. 75-759 (among others); exact posting section not read",
        session_laws="HB 2079 (2021)",
        penalty="civil penalties (amount not read)",
        notes="Read the enrolled bill.",
    )
    old.get_model("compliance", "CoveredVenueType").objects.create(
        law=law, venue_type=venue_type, condition="Unconfirmed: per a committee report"
    )

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps
    converted = new.get_model("compliance", "PostingLaw").objects.get(pk=law.pk)
    assert converted.citations == []
    assert converted.session_law_citations == ["HB 2079 (2021)"]
    assert converted.penalty == "civil penalties"
    assert converted.notes.startswith("Read the enrolled bill.")
    assert "exact posting section not read" in converted.notes
    assert "(amount not read)" in converted.notes
    covered = new.get_model("compliance", "CoveredVenueType").objects.get(law_id=law.pk)
    assert (covered.confirmed, covered.condition) == (False, "")
    history = new.get_model("compliance", "HistoricalPostingLaw").objects.filter(id=law.pk)
    assert history.count() == 1
    assert history.get().history_change_reason.startswith("0009:")
    assert history.get().session_law_citations == ["HB 2079 (2021)"]
