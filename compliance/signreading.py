"""What a sign says: hotline numbers, the text line, other numbers and languages, found in text a machine read.

Pure functions over the lines an OCR engine returns (compliance.ocr); nothing here touches an image or the database.
The engine confuses look-alike characters ("Ca11", "0r", "78B8"), writes numbers in every way a printer does
(1-888-373-7888, (888) 373-7888, 1.888.373.7888, 8 8 8 3 7 3 7 8 8 8) and splits or glues words, so numbers are
matched on their digits, not on their spelling.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field

NATIONAL_DIGITS = "8883737888"
NATIONAL_DISPLAY = "1-888-373-7888"
TEXT_LINE = "233733"
TEXT_LINE_KEYWORDS = ("HELP", "BEFREE")

NATIONAL_HOTLINE = "national_hotline"
TEXT_LINE_FINDING = "text_line"
STATE_HOTLINE = "state_hotline"
LAW_NUMBER = "law_number"
OTHER_NUMBER = "other_number"

# Deficiency codes (compliance.models.Deficiency) a reading can support; the moderator confirms or clears them.
WRONG_NUMBER = "wrong_number"
MISSING_NUMBER = "missing_number"
MISSING_LANGUAGE = "missing_language"
MISSING_TEXT_LINE = "missing_text_line"

# Letters an OCR engine reads where the sign has a digit. Only applied inside a run that holds a real digit.
_LOOKALIKE_DIGITS = str.maketrans("ODQIl|i!ZzSsBGgo", "0001111122558690")
_DIGITISH = re.compile(r"[0-9ODQIl|i!ZzSsBGgo]+")
_SEPARATORS = re.compile(r"[\s\-‐‑–—.·•()/_,:+]+")
_KEYPAD = {letter: digit for digit, letters in {
    "2": "ABC", "3": "DEF", "4": "GHI", "5": "JKL", "6": "MNO", "7": "PQRS", "8": "TUV", "9": "WXYZ"
}.items() for letter in letters}  # fmt: skip

# Words that mark a language on a hotline sign: two distinct ones make the language count as present.
# "help" and "text" are left out of English: Spanish signs print "HELP" (the text line's keyword) beside "texto".
_ENGLISH_WORDS = """call human trafficking hotline national if you or someone know are being forced work free
leave anyone threatened confidential toll hours day week resource center report the and to for"""
_SPANISH_WORDS = """llame llama linea nacional contra la trata personas ayuda si usted alguien conoce esta obligado
obligada trabajar gratis confidencial envie envia mensaje texto horas dia semana denuncie para de las los que libre
salir amenazado numero"""
_LANGUAGE_WORDS: dict[str, frozenset[str]] = {
    "English": frozenset(_ENGLISH_WORDS.split()),
    "Spanish": frozenset(_SPANISH_WORDS.split()),
}
_MIN_LANGUAGE_WORDS = 2
# Words every hotline sign carries in one of its languages: their presence says the photo shows such a sign.
_HOTLINE_WORDS = frozenset({"trafficking", "trata", "hotline", "linea"})


@dataclass(frozen=True)
class TextLine:
    """One line of text as the engine read it, with its confidence and box (corners as fractions of the photo)."""

    text: str
    confidence: float
    box: tuple[tuple[float, float], ...] = ()


@dataclass(frozen=True)
class ExpectedNumber:
    """A number a jurisdiction's law names for the sign, as the law writes it ("1-855-FLA-SAFE")."""

    label: str
    written: str
    is_state_hotline: bool = False

    @property
    def digits(self) -> str:
        """The ten digits, vanity letters dialled as on a phone keypad."""
        return _dialled(self.written)[-10:]

    @property
    def letters_form(self) -> str:
        """The number as printed, without separators or leading 1 ("855FLASAFE"), to match the letters as read."""
        compact = re.sub(r"[^0-9A-Z]", "", self.written.upper())
        return compact[1:] if len(compact) == 11 and compact.startswith("1") else compact


@dataclass(frozen=True)
class SignRequirements:
    """What the law in force asks of a sign's text, as far as reading it can check."""

    expected: tuple[ExpectedNumber, ...] = ()
    required_languages: tuple[str, ...] = ()
    text_line_required: bool | None = None
    state_hotline_required: bool = False


@dataclass(frozen=True)
class Finding:
    """A number read on the sign: which one it is, how it was written, how sure the engine was, and where."""

    kind: str
    value: str
    written: str
    confidence: float
    lines: tuple[int, ...]
    note: str = ""

    def as_dict(self) -> dict[str, object]:
        return asdict(self) | {"lines": list(self.lines)}


@dataclass(frozen=True)
class SignText:
    """Everything read from one photo's text."""

    findings: list[Finding] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    has_text: bool = False
    looks_like_hotline_sign: bool = False

    def _kinds(self) -> set[str]:
        return {finding.kind for finding in self.findings}

    @property
    def hotline_found(self) -> bool:
        return NATIONAL_HOTLINE in self._kinds()

    @property
    def text_line_found(self) -> bool:
        return any(f.kind == TEXT_LINE_FINDING and not f.note for f in self.findings)

    @property
    def state_hotline_found(self) -> bool:
        return STATE_HOTLINE in self._kinds()

    @property
    def possibly_wrong_numbers(self) -> list[Finding]:
        return [finding for finding in self.findings if finding.kind == OTHER_NUMBER]


# A number as a statute writes it, vanity letters included ("1-855-FLA-SAFE", "1-888-539-2373").
_WRITTEN_NUMBER = re.compile(r"\b(?:1-)?\d{3}-[0-9A-Z]{3}-[0-9A-Z]{4}\b")


def numbers_named(required_content: str) -> list[ExpectedNumber]:
    """The phone numbers a law's required content names besides the national hotline (a sign may show them)."""
    named: dict[str, ExpectedNumber] = {}
    for match in _WRITTEN_NUMBER.finditer(required_content):
        number = ExpectedNumber("number the law names", match.group(0))
        if number.digits != NATIONAL_DIGITS:
            named.setdefault(number.digits, number)
    return list(named.values())


def _dialled(written: str) -> str:
    return "".join(_KEYPAD.get(char, char) for char in written.upper() if char.isalnum())


def format_number(digits: str) -> str:
    """Ten digits as 1-NNN-NNN-NNNN."""
    return f"1-{digits[:3]}-{digits[3:6]}-{digits[6:]}"


def _glued_groups(text: str) -> list[tuple[str, bool, bool]]:
    """The runs of digits in a line, each with whether a letter touches it on the left and on the right."""
    groups: list[tuple[str, bool, bool]] = []
    for token in _SEPARATORS.split(text):
        for match in _DIGITISH.finditer(token):
            run = match.group(0)
            if not any(char.isdigit() for char in run):
                continue
            # Letters glued to a word ("to233733", "INFO2") belong to the word, not the number.
            glued_left = match.start() > 0 and token[match.start() - 1].isalpha()
            glued_right = match.end() < len(token) and token[match.end()].isalpha()
            if glued_left:
                run = run.lstrip("ODQIl|i!ZzSsBGgo")
            if glued_right:
                run = run.rstrip("ODQIl|i!ZzSsBGgo")
            if run:
                groups.append((run.translate(_LOOKALIKE_DIGITS), glued_left, glued_right))
    return groups


def _digit_groups(text: str) -> list[str]:
    """The runs of digits in a line, look-alike letters read as digits where they sit among digits."""
    return [digits for digits, _left, _right in _glued_groups(text)]


# How printers group a number's digits: 1-888-373-7888, 888-373-7888, 1-888-3737888, 1888-373-7888, 8883737888...
_PHONE_GROUPINGS = frozenset(
    {(10,), (11,), (3, 7), (1, 3, 7), (3, 3, 4), (1, 3, 3, 4), (4, 3, 4), (1, 10), (6, 4), (1, 6, 4), (4, 7)}
)


def _is_phone_grouping(lengths: tuple[int, ...]) -> bool:
    return lengths in _PHONE_GROUPINGS or (len(lengths) in (10, 11) and set(lengths) == {1})  # spaced digits


def _readings_of(run: list[tuple[str, bool, bool]]) -> list[list[str]]:
    """The run's groups as read, then without an edge digit the engine made of a glued word's letter ("78880r")."""
    groups = [digits for digits, _left, _right in run]
    readings = [groups]
    if run[-1][2] and len(groups[-1]) > 1:
        readings.append([*groups[:-1], groups[-1][:-1]])
    if run[0][1] and len(groups[0]) > 1:
        readings.append([groups[0][1:], *groups[1:]])
    return readings


def phone_numbers(text: str) -> list[tuple[str, str]]:
    """U.S. phone numbers in a line as (ten digits, the groups as read), found on the way digits are grouped."""
    groups = _glued_groups(text)
    found: list[tuple[str, str]] = []
    start = 0
    while start < len(groups):
        for end in range(min(len(groups), start + 11), start, -1):
            number = next(
                (
                    (digits[-10:], "-".join(reading))
                    for reading in _readings_of(groups[start:end])
                    if _is_phone_grouping(tuple(len(group) for group in reading))
                    and ((digits := "".join(reading))[0] == "1" or len(digits) == 10)
                    and digits[-10] not in "01"
                ),
                None,
            )
            if number is not None:
                found.append(number)
                start = end - 1
                break
        start += 1
    return found


_VOCABULARY = frozenset().union(*_LANGUAGE_WORDS.values(), _HOTLINE_WORDS)
# The engine often drops the spaces of a line ("LlamealalineadeFloridacontralatrata"): in a run this long, words
# of five letters or more are looked for inside it (shorter ones turn up inside other words too often).
_GLUED_RUN = 12


def _words(text: str) -> set[str]:
    plain = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)).casefold()
    words = set(re.findall(r"[a-z]+", plain))
    for run in [word for word in words if len(word) >= _GLUED_RUN]:
        words.update(word for word in _VOCABULARY if len(word) >= 5 and word in run)
    return words


def languages(text: str) -> list[str]:
    """Languages the text is written in, English and Spanish by their words, Chinese by its script."""
    words = _words(text)
    found = [name for name, vocabulary in _LANGUAGE_WORDS.items() if len(words & vocabulary) >= _MIN_LANGUAGE_WORDS]
    if sum(1 for char in text if "\u4e00" <= char <= "\u9fff") >= 4:
        found.append("Chinese")
    return found


def near_miss(digits: str, target: str) -> bool:
    """Whether a number differs from another by one swapped pair of neighbours or one or two wrong digits."""
    if len(digits) != len(target) or digits == target:
        return False
    wrong = [i for i in range(len(target)) if digits[i] != target[i]]
    if len(wrong) == 2 and wrong[1] == wrong[0] + 1:
        i = wrong[0]
        if digits[i] == target[i + 1] and digits[i + 1] == target[i]:
            return True
    return len(wrong) <= 2


def read_text(lines: Sequence[TextLine], expected: Iterable[ExpectedNumber] = ()) -> SignText:
    """Find the national hotline, the text line, the numbers the law names and any other number in the lines."""
    expected_by_digits = {number.digits: number for number in expected}
    findings: list[Finding] = []
    seen: set[tuple[str, str]] = set()

    def add(kind: str, value: str, written: str, indexes: tuple[int, ...], note: str = "") -> None:
        if (kind, value) in seen:
            return
        seen.add((kind, value))
        confidence = round(min(lines[i].confidence for i in indexes), 3)
        findings.append(Finding(kind, value, written, confidence, indexes, note))

    for index, line in enumerate(lines):
        for digits, written in phone_numbers(line.text):
            add(*_classify(digits, expected_by_digits), written, (index,), _note(digits, expected_by_digits))
        compact = re.sub(r"[^0-9A-Z]", "", line.text.upper())
        for number in expected_by_digits.values():
            if not number.letters_form.isdigit() and number.letters_form in compact:
                add(*_classify(number.digits, expected_by_digits), line.text, (index,))
        if TEXT_LINE in "".join(_digit_groups(line.text)):
            add(TEXT_LINE_FINDING, TEXT_LINE, line.text, (index,))
    # A number the engine split over two boxes ("1-888-" and "373-7888") is found on the pair.
    for index in range(len(lines) - 1):
        joined = f"{lines[index].text} {lines[index + 1].text}"
        if any(digits == NATIONAL_DIGITS for digits, _ in phone_numbers(joined)):
            add(NATIONAL_HOTLINE, NATIONAL_DISPLAY, joined, (index, index + 1))

    text = "\n".join(line.text for line in lines)
    keyword_present = any(keyword in re.sub(r"[^A-Z]", "", text.upper()) for keyword in TEXT_LINE_KEYWORDS)
    findings = [
        Finding(f.kind, f.value, f.written, f.confidence, f.lines, "without HELP or BeFree")
        if f.kind == TEXT_LINE_FINDING and not keyword_present
        else f
        for f in findings
    ]
    words = _words(text)
    return SignText(
        findings=findings,
        languages=languages(text),
        has_text=bool(text.strip()),
        looks_like_hotline_sign=bool(words & _HOTLINE_WORDS) or any(f.kind != OTHER_NUMBER for f in findings),
    )


def _classify(digits: str, expected: dict[str, ExpectedNumber]) -> tuple[str, str]:
    if digits == NATIONAL_DIGITS:
        return NATIONAL_HOTLINE, NATIONAL_DISPLAY
    if digits in expected:
        number = expected[digits]
        return (STATE_HOTLINE if number.is_state_hotline else LAW_NUMBER), number.written
    return OTHER_NUMBER, format_number(digits)


def _note(digits: str, expected: dict[str, ExpectedNumber]) -> str:
    if digits == NATIONAL_DIGITS or digits in expected:
        return ""
    if near_miss(digits, NATIONAL_DIGITS):
        return "looks like a mistyped national hotline number"
    close = next((number for number in expected.values() if near_miss(digits, number.digits)), None)
    if close is not None:
        return f"looks like a mistyped {close.label} ({close.written})"
    return "not a number the law names: possibly wrong or outdated"


def suggested_deficiencies(
    reading: SignText,
    *,
    required_languages: Sequence[str] = (),
    text_line_required: bool | None = None,
    state_hotline_required: bool = False,
) -> list[str]:
    """Deficiencies the reading supports, for a moderator to confirm: never decided from the reading alone.

    Nothing is suggested for a photo whose text does not look like a hotline sign (a blank wall, another poster):
    that is a missing sign, not a deficient one, and the volunteer's own status says which.
    """
    if not reading.looks_like_hotline_sign:
        return []
    suggested: list[str] = []
    right_number = reading.state_hotline_found if state_hotline_required else reading.hotline_found
    if reading.possibly_wrong_numbers and not right_number:
        suggested.append(WRONG_NUMBER)
    elif not right_number:
        suggested.append(MISSING_NUMBER)
    missing = [
        language for language in required_languages if language in _LANGUAGE_WORDS and language not in reading.languages
    ]
    if missing and reading.languages:
        suggested.append(MISSING_LANGUAGE)
    if text_line_required and right_number and not reading.text_line_found:
        suggested.append(MISSING_TEXT_LINE)
    return suggested
