"""Which law is in force on a date (pure: unsaved instances, no database)."""

import datetime

import pytest

from compliance import laws
from compliance.models import Jurisdiction, PostingLaw

D = datetime.date


def test_open_ended_law_is_in_force_any_day():
    law = PostingLaw(effective_from=None, effective_to=None)
    assert laws.is_in_force(law, D(1990, 1, 1))


def test_law_is_not_in_force_before_it_takes_effect():
    law = PostingLaw(effective_from=D(2013, 1, 1))
    assert not laws.is_in_force(law, D(2012, 12, 31))
    assert laws.is_in_force(law, D(2013, 1, 1))


def test_repealed_law_is_not_in_force_after_its_end():
    law = PostingLaw(effective_from=D(2013, 1, 1), effective_to=D(2019, 6, 30))
    assert laws.is_in_force(law, D(2019, 6, 30))
    assert not laws.is_in_force(law, D(2019, 7, 1))


def test_amended_law_replaces_the_older_one_from_its_start():
    old = PostingLaw(pk=1, effective_from=D(2013, 1, 1), citations=["old"])
    new = PostingLaw(pk=2, effective_from=D(2020, 1, 1), citations=["new"])
    assert laws.law_in_force([old, new], D(2015, 5, 5)).citations == ["old"]
    assert laws.law_in_force([old, new], D(2021, 5, 5)).citations == ["new"]


def test_no_law_in_force_before_any_took_effect():
    assert laws.law_in_force([PostingLaw(effective_from=D(2020, 1, 1))], D(2019, 1, 1)) is None
    assert laws.law_in_force([], D(2019, 1, 1)) is None


def test_low_confidence_law_is_unverified():
    assert not PostingLaw(confidence="low").is_verified
    assert PostingLaw(confidence="medium").is_verified


# --- citations: citable strings only ---


@pytest.mark.parametrize(
    ("research", "citable"),
    [
        ("not read", []),
        ("NMSA section not read", []),
        ("amends K.S.A. 75-759 (among others); exact posting section not read", []),
        ("N.J.S.A. 52:17B-237.1 (sign content via 52:17B-237; hotline per 2C:13-11)", ["N.J.S.A. 52:17B-237.1"]),
        (
            "Tenn. Code Ann. § 39-13-312 (Hotline Act, per endslaverytn - voluntary); "
            "2021 Pub. Ch. 268 (welcome centers)",
            ["2021 Pub. Ch. 268 (welcome centers)"],
        ),
        ("Iowa Code § 80.45A (lodging training - not a hotline posting law)", []),
        ("Cal. Civ. Code § 52.6", ["Cal. Civ. Code § 52.6"]),
    ],
)
def test_research_text_splits_into_citable_strings_and_notes(research, citable):
    kept, notes = laws.split_citations(research)
    assert kept == citable
    assert bool(notes) == (kept != [research])


def test_a_doubting_penalty_text_is_not_printable():
    assert laws.printable_text("not read") == ""
    assert laws.printable_text("civil penalties (amount not read)") == "civil penalties"
    assert laws.printable_text("civil penalty for failure to post (amount not read in sources)") == (
        "civil penalty for failure to post"
    )
    assert laws.printable_text("$100 civil penalty per day the violation continues") == (
        "$100 civil penalty per day the violation continues"
    )


def test_citation_sentence_names_the_section_or_says_plainly_that_none_is_known():
    codified = PostingLaw(citations=["Fla. Stat. § 787.29"], session_law_citations=["ch. 2015-172"])
    assert laws.citation_sentence(codified) == "The requirement is set out in Fla. Stat. § 787.29."
    bill_only = PostingLaw(citations=[], session_law_citations=["2021 HB 2079"])
    assert laws.citation_sentence(bill_only) == (
        "The requirement was enacted by 2021 HB 2079; we could not confirm the section of the code that holds it."
    )
    assert laws.citation_sentence(PostingLaw()) == (
        "We could not confirm the section of the code or the act that sets out the requirement."
    )
    assert laws.citation_to_print(bill_only) == "2021 HB 2079"


def test_only_a_verified_row_with_something_to_cite_is_cited_as_fact():
    assert laws.may_cite_as_fact(PostingLaw(confidence="high", citations=["RSMo § 595.120"]))
    assert not laws.may_cite_as_fact(PostingLaw(confidence="low", citations=["RSMo § 595.120"]))
    assert not laws.may_cite_as_fact(PostingLaw(confidence="high"))


@pytest.mark.parametrize(
    ("code", "printed"),
    [
        ("NE", ""),
        ("NM", "HB 181 (2014)"),
        ("KS", "2021 HB 2079"),
        ("KY", "KRS 281.767; KRS 219.085"),
        ("TN", "2021 Tenn. Pub. Acts ch. 268"),
        ("ND", "N.D.C.C. § 12.1-41-16"),
    ],
)
def test_shipped_rows_print_citations_without_notes(db, code, printed):
    law = Jurisdiction.objects.get(code=code).current_law()
    assert laws.citation_to_print(law) == printed


# --- coverage: one rule for what only a secondary source reports ---


def test_coverage_only_a_secondary_source_reports_is_never_stated_as_law(db):
    alabama = Jurisdiction.objects.get(code="AL").current_law()
    assert laws.coverage_of(alabama, "massage_establishment") == laws.Coverage.UNCONFIRMED
    assert "massage_establishment" not in {item.slug for item in laws.stated_coverage(alabama)}
    # Scoring keeps it out of the headline rate, like a conditional type.
    assert laws.mandated_coverage(alabama)["massage_establishment"] == laws.SECONDARY_ONLY_CONDITION
    assert laws.coverage_of(alabama, "airport") == laws.Coverage.REQUIRED
    assert laws.coverage_of(alabama, "hotel_motel") == laws.Coverage.CONDITIONAL
    assert laws.coverage_of(alabama, "casino") == laws.Coverage.NOT_COVERED


def test_california_salons_are_covered_since_ab_1661(db):
    california = Jurisdiction.objects.get(code="CA").current_law()
    assert laws.coverage_of(california, "nail_salon") == laws.Coverage.CONDITIONAL
    assert california.penalty_amounts[0] == {"min_usd": 500, "max_usd": 500, "applies_to": "first violation"}


# --- signs: one law, several signs ---


def test_a_florida_hotel_needs_the_509_096_sign_and_other_venues_the_787_29_sign(db):
    florida = Jurisdiction.objects.get(code="FL").current_law()
    (hotel,) = laws.signs_required(florida, "hotel_motel")
    assert hotel.citation == "Fla. Stat. § 509.096(1)(c)"
    assert (hotel.size.min_width_in, hotel.size.min_height_in, hotel.size.min_font_pt) == (11, 15, 32)
    assert hotel.languages == ("English", "Spanish")
    assert hotel.hotline_number == "1-855-FLA-SAFE"
    assert hotel.audience == "employees"
    (airport,) = laws.signs_required(florida, "airport")
    assert airport.citation == "Fla. Stat. § 787.29"
    assert (airport.size.min_width_in, airport.size.min_height_in, airport.size.min_font_pt) == (8.5, 11, 16)
    assert [sign.citation for sign in laws.signs_required(florida)] == [
        "Fla. Stat. § 787.29",
        "Fla. Stat. § 509.096(1)(c)",
    ]


def test_north_dakota_is_not_unknown(db):
    north_dakota = Jurisdiction.objects.get(code="ND").current_law()
    assert (north_dakota.status, north_dakota.confidence) == ("mandatory", "medium")
    assert north_dakota.sources.filter(url__contains="12-1-41").exists()
    assert laws.stated_coverage(north_dakota) == []  # the venue list is the Uniform Act's model until read


# --- what a sign's text must carry (sign reading asks laws.py, as the printed sign does) ---


def test_a_mandatory_law_asks_its_languages_text_line_and_the_numbers_it_names():
    law = PostingLaw(
        status=PostingLaw.Status.MANDATORY,
        required_content="Call the National Human Trafficking Hotline at 1-888-373-7888 or CAST at 1-888-539-2373",
        required_languages=["English", "Spanish (per ABMP summary)", "third language not confirmed"],
        national_hotline_required=True,
        text_line_required=True,
    )
    asks = laws.sign_text_required(law)
    assert "1-888-539-2373" in asks.content
    assert asks.languages == ("English", "Spanish")  # the research's notes are no language a sign must carry
    assert asks.text_line_required is True
    assert (asks.state_hotline, asks.state_hotline_required) == (None, False)


def test_a_state_hotline_in_place_of_the_national_one_is_required_only_by_a_mandatory_law():
    fields = {
        "required_content": "Florida Human Trafficking Hotline 1-855-FLA-SAFE",
        "required_languages": ["English", "Spanish"],
        "national_hotline_required": False,
        "text_line_required": True,
    }
    mandatory = laws.sign_text_required(PostingLaw(status=PostingLaw.Status.MANDATORY, **fields))
    assert mandatory.state_hotline == ("Florida Human Trafficking Hotline", "1-855-FLA-SAFE")
    assert mandatory.state_hotline_required is True
    voluntary = laws.sign_text_required(PostingLaw(status=PostingLaw.Status.VOLUNTARY, **fields))
    assert voluntary.state_hotline == ("Florida Human Trafficking Hotline", "1-855-FLA-SAFE")
    assert (voluntary.state_hotline_required, voluntary.languages, voluntary.text_line_required) == (False, (), None)


def test_no_law_asks_nothing_of_a_signs_text():
    asks = laws.sign_text_required(None)
    assert (asks.content, asks.state_hotline, asks.languages, asks.text_line_required) == ("", None, (), None)
    assert asks.state_hotline_required is False


def test_a_note_in_the_required_content_names_no_number_a_sign_must_show(db):
    from compliance import tasks

    law = PostingLaw(
        status=PostingLaw.Status.MANDATORY,
        required_content="NHTRC 1-888-373-7888 (per summary citing 1-800-555-0100)",
        national_hotline_required=True,
    )
    assert laws.sign_text_required(law).content == "NHTRC 1-888-373-7888"
    assert tasks.sign_requirements(law).expected == ()
