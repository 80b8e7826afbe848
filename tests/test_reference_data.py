"""load_reference_data: complete, idempotent, and respectful of staff corrections."""

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.forms.models import model_to_dict

from compliance import reference_data
from compliance.models import AGOffice, CoveredVenueType, Jurisdiction, LawSource, PostingLaw, VenueType

MODELS = [Jurisdiction, VenueType, PostingLaw, CoveredVenueType, LawSource, AGOffice]


def snapshot() -> dict[str, list[dict]]:
    """Every row of the reference tables, plus how many audit records each has."""
    rows = {model.__name__: [model_to_dict(row) for row in model.objects.order_by("pk")] for model in MODELS}
    for model in (PostingLaw, CoveredVenueType, LawSource, AGOffice):
        rows[f"{model.__name__} history"] = [{"count": model.history.count()}]
    return rows


def test_all_56_census_jurisdictions_are_loaded(db):
    assert Jurisdiction.objects.count() == 56
    kinds = {kind: Jurisdiction.objects.filter(kind=kind).count() for kind in ("state", "district", "territory")}
    assert kinds == {"state": 50, "district": 1, "territory": 5}
    assert Jurisdiction.objects.get(code="CA").fips == "06"


def test_every_state_and_dc_has_a_law_row_with_sources_and_confidence(db):
    laws = PostingLaw.objects.select_related("jurisdiction").exclude(jurisdiction__kind="territory")
    assert laws.count() == 51
    for law in laws:
        assert law.confidence in ("high", "medium", "low")
        assert law.sources.exists(), law.jurisdiction.code


def test_the_five_territories_have_rows_that_say_what_is_known(db):
    """No hole in the registry: each territory's row is unknown and low until a statute is read."""
    rows = PostingLaw.objects.filter(jurisdiction__kind="territory").select_related("jurisdiction")
    assert sorted(law.jurisdiction.code for law in rows) == ["AS", "GU", "MP", "PR", "VI"]
    for law in rows:
        assert (law.status, law.confidence) == ("unknown", "low")
        assert law.notes


def test_texas_law_is_mandatory_with_a_citation(db):
    law = Jurisdiction.objects.get(code="TX").current_law()
    assert law.status == "mandatory"
    assert law.citations == [
        "Tex. Gov't Code § 402.0351",
        "1 Tex. Admin. Code ch. 54",
        "Tex. Bus. & Com. Code §§ 102.101-102.102",
    ]


def test_loading_twice_leaves_the_same_data_and_no_new_history(db):
    before = snapshot()
    summary = reference_data.load()
    assert summary.created == {} and summary.updated == {}
    assert snapshot() == before


def test_command_prints_a_one_line_summary(db, capsys):
    call_command("load_reference_data")
    out = capsys.readouterr().out.strip()
    assert out.startswith("Reference data:") and "\n" not in out


def test_a_change_in_the_shipped_data_is_applied(db):
    law = Jurisdiction.objects.get(code="TX").current_law()
    law.penalty = "stale value"
    law.save()  # no user: as if an older load had written it
    summary = reference_data.load()
    law.refresh_from_db()
    assert law.penalty != "stale value"
    assert summary.updated.get("posting laws") == 1


def test_staff_edits_survive_a_reload_and_are_audited(db):
    staff = get_user_model().objects.create_user("editor", is_staff=True)
    law = Jurisdiction.objects.get(code="TX").current_law()
    law.penalty = "Corrected from the enrolled bill"
    law._history_user = staff
    law.save()
    summary = reference_data.load()
    law.refresh_from_db()
    assert law.penalty == "Corrected from the enrolled bill"
    assert "the TX law" in summary.kept_staff_edits
    latest = law.history.first()
    assert latest.history_user == staff
    assert "penalty" in latest.diff_against(latest.prev_record).changed_fields
