"""Printable hotline signs: real PDFs read back with pypdf, the size and wording rules, the venue owner's page."""

from __future__ import annotations

import io
import json

import pytest
from pypdf import PdfReader

from compliance import laws, reference_data, signs
from compliance.models import Jurisdiction, PostingLaw, VenueType

POINTS_PER_INCH = 72
SPANISH_HEADING = "LÍNEA DIRECTA NACIONAL CONTRA LA TRATA DE PERSONAS"
ENGLISH_EMERGENCY = "In immediate danger? Call 911."
SPANISH_EMERGENCY = "¿Está en peligro inmediato? Llame al 911."


def law_rows() -> list[dict]:
    return json.loads((reference_data.DATA_DIR / "posting_laws.json").read_text())


def law_row(code: str) -> dict:
    return next(row for row in law_rows() if row["jurisdiction"] == code)


def flat(text: str) -> str:
    """Text with line breaks and runs of spaces as single spaces (a citation may wrap)."""
    return " ".join(text.split())


def fetch_pdf(client, url: str) -> PdfReader:
    response = client.get(url)
    assert response.status_code == 200, response.content[:200]
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline; filename=")
    return PdfReader(io.BytesIO(response.content))


def sign_text(reader: PdfReader) -> str:
    """The sign itself: page 1 (the pages after it are notes for the business)."""
    return flat(reader.pages[0].extract_text())


def notes_text(reader: PdfReader) -> str:
    return flat(" ".join(page.extract_text() for page in reader.pages[1:]))


def page_size_in(reader: PdfReader) -> tuple[float, float]:
    box = reader.pages[0].mediabox
    return float(box.width) / POINTS_PER_INCH, float(box.height) / POINTS_PER_INCH


def font_sizes(reader: PdfReader) -> dict[str, float]:
    """Each run of text on the sign with its size in points."""
    sizes: dict[str, float] = {}

    def visit(text, cm, tm, font_dict, font_size):
        if text.strip():
            sizes[text.strip()] = round(font_size * abs(tm[3]) * abs(cm[3]), 1)

    reader.pages[0].extract_text(visitor_text=visit)
    return sizes


# --- the signs, as PDFs ---


def test_california_sign_carries_hotline_spanish_block_and_statute(client, db):
    reader = fetch_pdf(client, "/signs/CA.pdf")
    text = sign_text(reader)
    assert "1-888-373-7888" in text
    assert "233733" in text
    assert SPANISH_HEADING in text
    assert "¿Usted o alguien que conoce está siendo obligado" in text
    assert SPANISH_EMERGENCY in text
    assert "Required by California law: Cal. Civ. Code § 52.6." in text
    # The statute's wording as the research quoted it, with CAST's number as the data writes it.
    assert "If you or someone you know is being forced to engage in any activity and cannot leave" in text
    assert "1-888-539-2373" in text


def test_california_sign_is_at_least_letter_size_and_16_point(client, db):
    reader = fetch_pdf(client, "/signs/CA.pdf")
    width, height = page_size_in(reader)
    assert (width, height) == (8.5, 11)
    sizes = font_sizes(reader)
    assert min(sizes.values()) >= 16, sizes
    assert sizes["1-888-373-7888"] >= 40


def test_california_notes_page_names_the_language_the_business_must_add(client, db):
    notes = notes_text(fetch_pdf(client, "/signs/CA.pdf"))
    assert "For the business — do not post this page".upper() in notes
    assert "third language where required" in notes
    assert "This sign carries English and Spanish only" in notes


def test_texas_sign_uses_the_standard_message_not_pretended_statutory_text(client, db):
    reader = fetch_pdf(client, "/signs/TX.pdf")
    text = sign_text(reader)
    assert "1-888-373-7888" in text
    assert "233733" in text
    assert SPANISH_HEADING in text
    assert "Required by Texas law: Tex. Gov't Code § 402.0351" in text
    assert "Are you or someone you know being forced to work or to have sex and cannot leave?" in text
    assert "services/assistance for HT victims" not in text  # the research's summary is not sign wording
    notes = notes_text(reader)
    assert "Our research recorded only a description of the content the law prescribes, not its wording" in notes
    assert page_size_in(reader) == (8.5, 11)


def test_florida_sign_uses_the_state_hotline_its_law_requires(client, db):
    row = law_row("FL")
    assert row["national_hotline_required"] is False
    assert "1-855-FLA-SAFE" in row["required_content"]
    reader = fetch_pdf(client, "/signs/FL.pdf")
    text = sign_text(reader)
    assert "FLORIDA HUMAN TRAFFICKING HOTLINE" in text
    assert text.count("1-855-FLA-SAFE") >= 3  # the quoted wording, and the big number in each language
    assert "Línea estatal contra la trata de personas".upper() in text
    assert "Llame a la Florida Human Trafficking Hotline" in text
    assert "Required by Florida law: Fla. Stat. § 787.29." in text
    # The national hotline is added below the state's, never instead of it.
    assert "National Human Trafficking Hotline: call 1-888-373-7888 or text 233733" in text
    assert min(font_sizes(reader).values()) >= 16
    assert page_size_in(reader) == (8.5, 11)


def test_state_with_no_mandate_gets_a_generic_voluntary_sign(client, db):
    law = PostingLaw.objects.get(jurisdiction__code="MA")
    assert law.status == PostingLaw.Status.NONE
    reader = fetch_pdf(client, "/signs/MA.pdf")
    text = sign_text(reader)
    assert "1-888-373-7888" in text
    assert "233733" in text
    assert SPANISH_HEADING in text
    assert "Required by" not in text
    assert "Massachusetts has no hotline posting law in our research. This is a voluntary sign." in notes_text(reader)
    assert page_size_in(reader) == (8.5, 11)


def test_territory_without_a_known_law_gets_a_voluntary_sign(client, db):
    reader = fetch_pdf(client, "/signs/GU.pdf")
    assert "1-888-373-7888" in sign_text(reader)
    assert "Required by" not in sign_text(reader)
    assert "We found no posting law in Guam, or could not confirm one. This is a voluntary sign." in notes_text(reader)


def test_unverified_law_row_is_not_cited_as_fact(client, db):
    law = PostingLaw.objects.get(jurisdiction__code="CA")
    law.confidence = "low"
    law.save()
    reader = fetch_pdf(client, "/signs/CA.pdf")
    text = sign_text(reader)
    assert "52.6" not in text
    assert "Required by" not in text
    # Its wording is not printed as the statute's either; its size and languages are still followed.
    assert "If you or someone you know is being forced" not in text
    assert "Are you or someone you know being forced" in text
    assert min(font_sizes(reader).values()) >= 16
    notes = notes_text(reader)
    assert "Reported requirement, unverified: Cal. Civ. Code § 52.6" in notes
    assert "unverified: do not rely on it" in notes


def test_venue_type_covered_by_the_law_is_named_on_the_sign(client, db):
    text = sign_text(fetch_pdf(client, "/signs/CA.pdf?venue_type=truck_stop"))
    assert "Venue type: Truck stop" in text
    assert "Required by California law: Cal. Civ. Code § 52.6." in text


def test_venue_type_the_law_does_not_cover_gets_a_sign_that_claims_no_requirement(client, db):
    assert not PostingLaw.objects.get(jurisdiction__code="TX").coverage.filter(venue_type__slug="campground").exists()
    reader = fetch_pdf(client, "/signs/TX.pdf?venue_type=campground")
    text = sign_text(reader)
    assert "Venue type: Campground" in text
    assert "1-888-373-7888" in text
    assert "Required by" not in text
    assert "does not list “Campground”" in notes_text(reader)


def test_covered_venue_with_a_condition_tells_the_business_the_condition(client, db):
    notes = notes_text(fetch_pdf(client, "/signs/AL.pdf?venue_type=hotel_motel"))
    assert "only under a condition: only if cited as a nuisance" in notes


def test_tabloid_when_asked(client, db):
    reader = fetch_pdf(client, "/signs/CA.pdf?size=tabloid")
    assert page_size_in(reader) == (11, 17)
    assert "1-888-373-7888" in sign_text(reader)


def test_legal_when_asked(client, db):
    assert page_size_in(fetch_pdf(client, "/signs/TX.pdf?size=legal")) == (8.5, 14)


def test_law_wanting_a_larger_sign_gets_larger_paper_and_type(client, db):
    law = PostingLaw.objects.get(jurisdiction__code="TX")
    law.size_and_font = "11x17; font no smaller than 50-point for the number"
    law.save()
    reader = fetch_pdf(client, "/signs/TX.pdf")
    assert page_size_in(reader) == (11, 17)
    assert font_sizes(reader)["1-888-373-7888"] >= 50
    # Asking for letter paper cannot take the sign below the law's minimum.
    assert page_size_in(fetch_pdf(client, "/signs/TX.pdf?size=letter")) == (11, 17)


def test_law_wanting_more_than_tabloid_gets_a_print_shop_page(client, db):
    law = PostingLaw.objects.get(jurisdiction__code="TX")
    law.size_and_font = "at least 24 x 36 inches"
    law.save()
    assert page_size_in(fetch_pdf(client, "/signs/TX.pdf")) == (24, 36)


def test_law_fixing_landscape_gets_the_languages_side_by_side(client, db):
    assert "11 in wide" in law_row("NM")["size_and_font"]
    reader = fetch_pdf(client, "/signs/NM.pdf")
    assert page_size_in(reader) == (11, 8.5)
    text = sign_text(reader)
    assert "505-GET-FREE (505-438-3733)" in text
    assert SPANISH_EMERGENCY in text


def test_every_jurisdiction_gets_a_sign_whose_text_fits_one_page(db):
    """Both languages' text, down to their 911 strips, fits page 1 for every law row we ship."""
    seen = set()
    for jurisdiction in Jurisdiction.objects.with_current_law():
        spec = signs.sign_spec(jurisdiction.current_law(), jurisdiction=jurisdiction)
        sign = (spec.blocks, spec.page, spec.typography, spec.law_line)
        if sign in seen:  # the same sign as another state's (the generic voluntary one): the same fit
            continue
        seen.add(sign)
        reader = PdfReader(io.BytesIO(signs.render_pdf(spec)))
        text = sign_text(reader)
        assert ENGLISH_EMERGENCY in text and SPANISH_EMERGENCY in text, jurisdiction.code
        assert spec.hotline.number in text, jurisdiction.code
        assert "For the business" not in text, jurisdiction.code


@pytest.mark.parametrize(
    "url",
    [
        "/signs/ZZ.pdf",
        "/signs/ZZ/",
        "/signs/CA.pdf?venue_type=no_such_place",
        "/signs/CA/?venue_type=no_such_place",
        "/signs/?jurisdiction=ZZ",
    ],
)
def test_unknown_state_or_venue_type_is_404(client, db, url):
    assert client.get(url).status_code == 404


def test_unknown_paper_size_is_400(client, db):
    assert client.get("/signs/CA.pdf?size=a4").status_code == 400


def test_lowercase_state_code_is_accepted(client, db):
    assert client.get("/signs/ca.pdf").status_code == 200


# --- reading the law rows ---


def test_every_size_and_font_text_in_the_data_parses():
    for row in law_rows():
        requirement = signs.parse_size_requirements(row["size_and_font"])
        if requirement.min_width_in is not None:
            assert 0 < requirement.min_width_in <= 40, row["jurisdiction"]
            assert 0 < requirement.min_height_in <= 40, row["jurisdiction"]
        page = signs.choose_page(requirement)
        assert page.width_in >= (requirement.min_width_in or 0), row["jurisdiction"]
        assert page.height_in >= (requirement.min_height_in or 0), row["jurisdiction"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", signs.SizeRequirement()),
        (">=8.5x11 in", signs.SizeRequirement(8.5, 11)),
        (">=8.5x11 in; 16-point font", signs.SizeRequirement(8.5, 11, 16)),
        (">=8.5x11 in; >=16-point type", signs.SizeRequirement(8.5, 11, 16)),
        (">=8.5x11 in; bold type >=14-point (2013 amendment)", signs.SizeRequirement(8.5, 11, 14)),
        (">=8 x 11 in (per ABMP summary of SB 43)", signs.SizeRequirement(8, 11)),
        (">=3x5 in; hotline number in bold", signs.SizeRequirement(3, 5)),
        ("11x17", signs.SizeRequirement(11, 17)),
        ("17 x 11 inches", signs.SizeRequirement(11, 17)),
        ("8 1/2 by 11 inches", signs.SizeRequirement(8.5, 11)),
        ("font no smaller than 50-point for the number", signs.SizeRequirement(min_number_font_pt=50)),
        (
            ">=8.5 in high x 11 in wide; language portions equal in size",
            signs.SizeRequirement(11, 8.5, None, None, True),
        ),
        (
            "sign >=8.5x11 in with >=16-pt letters, OR transparent static window cling >=3x3 in with >=10-pt letters",
            signs.SizeRequirement(8.5, 11, 16),
        ),
        ("transport signs: >=8.5x11 in, >=16-point; hotels: easily legible font", signs.SizeRequirement(8.5, 11, 16)),
    ],
)
def test_size_and_font_is_read_into_minimums(text, expected):
    assert signs.parse_size_requirements(text) == expected


def test_the_real_rows_hand_checked():
    assert signs.parse_size_requirements(law_row("CA")["size_and_font"]) == signs.SizeRequirement(8.5, 11, 16)
    assert signs.parse_size_requirements(law_row("FL")["size_and_font"]) == signs.SizeRequirement(8.5, 11, 16)
    assert signs.parse_size_requirements(law_row("GA")["size_and_font"]) == signs.SizeRequirement(8.5, 11, 15)
    assert signs.parse_size_requirements(law_row("TX")["size_and_font"]) == signs.SizeRequirement()
    assert signs.parse_size_requirements(law_row("MI")["size_and_font"]).min_font_pt == 14


def test_paper_is_letter_by_default_and_never_below_the_minimum():
    assert signs.choose_page(signs.SizeRequirement()) == signs.Page("letter", 8.5, 11)
    assert signs.choose_page(signs.SizeRequirement(8.5, 11), "legal") == signs.Page("legal", 8.5, 14)
    assert signs.choose_page(signs.SizeRequirement(8.5, 12)) == signs.Page("legal", 8.5, 14)
    assert signs.choose_page(signs.SizeRequirement(11, 17), "letter") == signs.Page("tabloid", 11, 17)
    assert signs.choose_page(signs.SizeRequirement(11, 8.5, orientation_fixed=True)) == signs.Page("letter", 11, 8.5)
    with pytest.raises(ValueError):
        signs.choose_page(signs.SizeRequirement(), "a4")


def test_type_never_goes_below_the_laws_minimum_at_any_scale():
    typography = signs._typography(signs.SizeRequirement(8.5, 11, 16, 50), 7.6, [signs.NATIONAL_NUMBER])
    for factor in signs._SCALE_STEPS:
        scaled = typography.scaled(factor)
        assert min(scaled.heading_pt, scaled.message_pt, scaled.label_pt, scaled.body_pt, scaled.small_pt) >= 16
        assert scaled.number_pt >= 50 and scaled.text_number_pt >= 50


def test_statutory_wording_is_the_quote_and_only_a_real_quote():
    assert signs.statutory_wording(law_row("CA")["required_content"]).startswith(
        "If you or someone you know is being forced to engage in any activity and cannot leave … call"
    )
    assert signs.statutory_wording(law_row("TX")["required_content"]) == ""  # a summary
    assert signs.statutory_wording(law_row("HI")["required_content"]) == ""  # an opening fragment only
    louisiana = signs.statutory_wording(law_row("LA")["required_content"])
    assert louisiana.endswith("Resource Center hotline …")  # the research cut the number off: not printed half
    assert "1-888-3" not in louisiana
    # A complete number at the end is kept, Rhode Island's text line written with a hyphen included.
    assert signs.statutory_wording(law_row("RI")["required_content"]).endswith("text INFO or HELP to 233-733 …")


def test_state_hotline_only_where_the_national_one_is_not_required():
    florida = PostingLaw(jurisdiction=Jurisdiction(code="FL", name="Florida"), **_content_of("FL"))
    assert laws.state_hotline(florida) == ("Florida Human Trafficking Hotline", "1-855-FLA-SAFE")
    new_mexico = PostingLaw(jurisdiction=Jurisdiction(code="NM", name="New Mexico"), **_content_of("NM"))
    assert laws.state_hotline(new_mexico) is None  # it names a state number, but requires the national one too


def _content_of(code: str) -> dict:
    row = law_row(code)
    return {"required_content": row["required_content"], "national_hotline_required": row["national_hotline_required"]}


def test_languages_beyond_english_and_spanish_become_tasks():
    assert signs.language_tasks(["English", "Spanish"]) == []
    assert signs.language_tasks(law_row("AR")["required_languages"]) == ["VRA-mandated county language"]


# --- the venue owner's page ---


def test_picker_lists_every_jurisdiction(client, db):
    html = client.get("/signs/").content.decode()
    assert html.count('<option value="') >= 56 + VenueType.objects.count()
    assert 'name="jurisdiction"' in html and 'name="venue_type"' in html


def test_picker_choice_goes_to_the_state_page(client, db):
    response = client.get("/signs/?jurisdiction=ca&venue_type=truck_stop")
    assert response.status_code == 302
    assert response["Location"] == "/signs/CA/?venue_type=truck_stop"


def test_state_page_says_what_the_law_asks_and_offers_the_pdf(client, db):
    html = client.get("/signs/CA/?venue_type=truck_stop").content.decode()
    assert "California law requires this sign for “Truck stop”." in html
    assert 'href="/signs/CA.pdf?venue_type=truck_stop&amp;size=letter"' in html
    assert 'href="/signs/CA.pdf?venue_type=truck_stop&amp;size=tabloid"' in html
    assert "third language where required" in html
    assert "16 point" in html


def test_state_page_for_a_voluntary_state(client, db):
    html = client.get("/signs/MA/").content.decode()
    assert "This is a voluntary sign." in html
    assert 'href="/signs/MA.pdf?size=letter"' in html


def test_jurisdiction_page_links_to_its_sign(client, db):
    assert 'href="/signs/TX/"' in client.get("/j/TX/").content.decode()


# --- a sign per venue type: one law, several signs ---


def test_florida_hotel_sign_is_the_509_096_sign(client, db):
    """§ 509.096: at least 11 x 15 in, 32-point type, English and Spanish, the Florida hotline, employee areas."""
    reader = fetch_pdf(client, "/signs/FL.pdf?venue_type=hotel_motel")
    width, height = page_size_in(reader)
    assert width >= 11 and height >= 15
    text = sign_text(reader)
    assert "Required by Florida law: Fla. Stat. § 509.096(1)(c)." in " ".join(text.split())
    assert text.count("1-855-FLA-SAFE") >= 3
    assert "If you or someone you know is being forced to engage in an activity and cannot leave" in text
    assert "Llame a la Florida Human Trafficking Hotline" in text
    assert min(font_sizes(reader).values()) >= 32
    notes = " ".join(notes_text(reader).split())
    assert "accessible to employees" in notes
    assert "787.29" not in text


def test_florida_airport_keeps_the_787_29_sign(client, db):
    reader = fetch_pdf(client, "/signs/FL.pdf?venue_type=airport")
    assert page_size_in(reader) == (8.5, 11)
    assert "Required by Florida law: Fla. Stat. § 787.29." in sign_text(reader)


def test_sign_page_per_venue_type_offers_that_venue_types_pdf(client, db):
    html = client.get("/signs/FL/?venue_type=hotel_motel").content.decode()
    assert "Florida law requires this sign for “Hotel or motel”." in html
    assert "Fla. Stat. § 509.096(1)(c)" in html
    assert "Tabloid, 11 × 17 in" in html
    assert client.get("/signs/FL/?venue_type=no_such_type").status_code == 404


def test_coverage_only_a_secondary_source_reports_is_not_claimed_on_the_sign(client, db):
    reader = fetch_pdf(client, "/signs/AL.pdf?venue_type=massage_establishment")
    assert "Required by" not in sign_text(reader)
    assert "we could not find that in the statute" in " ".join(notes_text(reader).split())
