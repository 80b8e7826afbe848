"""Finding the hotline, the text line, the law's numbers, wrong numbers and languages in text a machine read."""

import pytest

from compliance import signreading
from compliance.signreading import ExpectedNumber, TextLine

FLORIDA = ExpectedNumber("Florida Human Trafficking Hotline", "1-855-FLA-SAFE", is_state_hotline=True)
CAST = ExpectedNumber("number the law names", "1-888-539-2373")


def read(*texts: str, expected=()) -> signreading.SignText:
    return signreading.read_text([TextLine(text, 0.9) for text in texts], expected)


@pytest.mark.parametrize(
    "written",
    [
        "1-888-373-7888",
        "888-373-7888",
        "(888) 373-7888",
        "1 (888) 373-7888",
        "1.888.373.7888",
        "8 8 8 3 7 3 7 8 8 8",
        "1-888-3737888",
        "18883737888",
        "Call 1‑888‑373‑7888 now",  # non-breaking hyphens, as word processors set them
    ],
)
def test_national_hotline_is_found_in_every_written_form(written):
    reading = read(written)
    assert reading.hotline_found
    assert reading.findings[0].value == "1-888-373-7888"
    assert not reading.possibly_wrong_numbers


@pytest.mark.parametrize("misread", ["Ca11 1-888-373-7888", "1-888-373-78B8", "1-8BB-373-7888", "l-888-373-7888"])
def test_look_alike_letters_the_engine_reads_count_as_digits(misread):
    assert read(misread).hotline_found


def test_a_number_split_over_two_boxes_is_found():
    reading = read("call 1-888-", "373-7888")
    assert reading.hotline_found
    assert reading.findings[0].lines == (0, 1)


def test_text_line_needs_233733_and_help_or_befree():
    assert read("Text HELP to 233733").text_line_found
    assert read("Text BeFree (233733)").text_line_found
    assert read("TextHELP 0r INFOto233733").text_line_found  # glued words and "0r", as the engine writes them
    bare = read("Text 233733")
    assert not bare.text_line_found
    assert bare.findings[0].note == "without HELP or BeFree"


def test_text_line_next_to_the_number_does_not_make_a_phone_number():
    reading = read("Text HELP to 233733 or call 1-888-373-7888")
    assert reading.hotline_found and reading.text_line_found
    assert not reading.possibly_wrong_numbers


def test_florida_hotline_is_found_in_letters_and_in_digits():
    assert read("1-855-FLA-SAFE", expected=[FLORIDA]).state_hotline_found
    assert read("1-855-352-7233", expected=[FLORIDA]).state_hotline_found
    assert read("call 1 855 FLA SAFE", expected=[FLORIDA]).state_hotline_found
    assert not read("1-855-FLA-SAFE", expected=[FLORIDA]).hotline_found


def test_a_number_the_law_names_is_not_flagged_as_wrong():
    reading = read("at 1-888-373-7888 or CAST at 1-888-539-2373", expected=[CAST])
    assert {finding.kind for finding in reading.findings} == {"national_hotline", "law_number"}
    assert not reading.possibly_wrong_numbers


@pytest.mark.parametrize(
    ("written", "note"),
    [
        ("1-888-337-7888", "looks like a mistyped national hotline number"),  # a transposed pair
        ("1-888-373-7878", "looks like a mistyped national hotline number"),
        ("1-866-347-2423", "not a number the law names: possibly wrong or outdated"),
    ],
)
def test_other_numbers_are_flagged_as_possibly_wrong(written, note):
    reading = read("Human Trafficking Hotline", written)
    assert not reading.hotline_found
    [wrong] = reading.possibly_wrong_numbers
    assert wrong.note == note
    assert signreading.suggested_deficiencies(reading) == ["wrong_number"]


def test_near_miss_sees_a_transposition_and_a_typo_but_not_another_number():
    assert signreading.near_miss("8883377888", signreading.NATIONAL_DIGITS)
    assert signreading.near_miss("8883737878", signreading.NATIONAL_DIGITS)
    assert not signreading.near_miss("8665551212", signreading.NATIONAL_DIGITS)
    assert not signreading.near_miss(signreading.NATIONAL_DIGITS, signreading.NATIONAL_DIGITS)


def test_languages_are_english_and_spanish_by_their_words():
    assert signreading.languages("If you are being forced to work, call the hotline") == ["English"]
    assert signreading.languages("Si usted está obligado a trabajar, llame a la línea") == ["Spanish"]
    assert signreading.languages("Human Trafficking Hotline / Línea Nacional contra la Trata") == ["English", "Spanish"]
    assert signreading.languages("888") == []


def test_suggestions_name_a_missing_language_text_line_or_number():
    english_only = read("National Human Trafficking Hotline", "call the hotline 1-888-373-7888")
    assert signreading.suggested_deficiencies(
        english_only, required_languages=["English", "Spanish"], text_line_required=True
    ) == ["missing_language", "missing_text_line"]
    no_number = read("National Human Trafficking Hotline", "call if you are forced to work")
    assert signreading.suggested_deficiencies(no_number) == ["missing_number"]
    florida_national_only = read("call the hotline if you are forced", "1-888-373-7888", expected=[FLORIDA])
    assert "missing_number" in signreading.suggested_deficiencies(florida_national_only, state_hotline_required=True)


def test_nothing_is_suggested_for_a_photo_that_is_not_a_hotline_sign():
    assert signreading.suggested_deficiencies(read()) == []
    assert signreading.suggested_deficiencies(read("NOW HIRING", "Ask inside for details")) == []
    assert not read("OPEN 24 HOURS", "Diesel 3.99").findings


def test_numbers_named_reads_a_laws_required_content():
    content = (
        "'... call the National Human Trafficking Resource Center at 1-888-373-7888 or CAST at 1-888-539-2373 ...'"
    )
    assert [number.written for number in signreading.numbers_named(content)] == ["1-888-539-2373"]
    assert FLORIDA.digits == "8553527233"
    assert FLORIDA.letters_form == "855FLASAFE"


def test_languages_are_found_in_words_the_engine_glued_together():
    assert signreading.languages("LlamealalineadeFloridacontralatrata") == ["Spanish"]
    assert signreading.languages("call theFloridaHumanTraffickingHotline") == ["English"]


def test_a_spanish_sign_with_the_help_keyword_is_not_english():
    assert signreading.languages("Envíe un texto con HELP al 233733\nLlame a la línea") == ["Spanish"]
    assert signreading.languages("EnvieuntextoconHELPal233733 LlamealalineadeFloridacontralatrata") == ["Spanish"]


def test_a_word_glued_to_the_number_does_not_lend_it_a_digit():
    # "or" read as "0r" and glued: "7888" then "0r"; the number is still the hotline, the next one CAST's.
    reading = read("at1-888-373-78880rCASTat1-888-539-2373", expected=[CAST])
    assert reading.hotline_found
    assert [finding.kind for finding in reading.findings] == ["national_hotline", "law_number"]
