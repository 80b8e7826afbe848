"""The one reader of a posting-law row: in force, coverage, the citation to print, citability and the signs required.

Letters, reports, signs, scoring, the API and the admin ask this module; none reads a law row's raw fields itself,
so a letter, a sign and a score can never disagree about what a law covers or cites. The module is pure: it reads
the attributes of the row it is given (a saved `PostingLaw` with its coverage and sign requirements, an unsaved one,
or any object with the same attributes) and imports no model.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol, TypeVar

NATIONAL_HOTLINE_NAME = "National Human Trafficking Hotline"
NATIONAL_NUMBER = "1-888-373-7888"
NATIONAL_TEXT_NUMBER = "233733"


class HasEffectivePeriod(Protocol):
    """A posting law, or the scoring module's plain copy of one: what deciding "in force" needs."""

    @property
    def effective_from(self) -> datetime.date | None: ...

    @property
    def effective_to(self) -> datetime.date | None: ...

    @property
    def pk(self) -> int | None: ...


LawT = TypeVar("LawT", bound=HasEffectivePeriod)


def is_in_force(law: HasEffectivePeriod, on: datetime.date) -> bool:
    """Whether the law's effective period includes the date; an unknown start or end counts as open."""
    starts_ok = law.effective_from is None or law.effective_from <= on
    ends_ok = law.effective_to is None or law.effective_to >= on
    return starts_ok and ends_ok


def law_in_force(laws: Iterable[LawT], on: datetime.date) -> LawT | None:
    """The one law of a jurisdiction in force on the date: the latest to take effect when periods overlap."""
    candidates = [law for law in laws if is_in_force(law, on)]
    if not candidates:
        return None
    return max(candidates, key=lambda law: (law.effective_from or datetime.date.min, law.pk or 0))


# --- citability ---


def is_verified(law: Any) -> bool:
    """A low-confidence row is shown as unverified everywhere and is never cited as fact."""
    return bool(law.confidence != "low")


def citation_to_print(law: Any) -> str:
    """The law's citation as a document prints it: the codified sections, else the session laws ("" if neither).

    Both lists hold citable strings only (the research's doubts live in the row's notes), so the answer never
    carries a note such as "section not read".
    """
    return "; ".join(law.citations) or "; ".join(law.session_law_citations)


def may_cite_as_fact(law: Any) -> bool:
    """Whether a document may state the law and its citation as fact: a verified row with something to cite."""
    return is_verified(law) and bool(citation_to_print(law))


def citation_sentence(law: Any) -> str:
    """The sentence (in English, as letters are) that says where the requirement is set out.

    Where no codified section is known, the sentence says so plainly and cites the session law instead; where
    neither is known, it says that.
    """
    if law.citations:
        return f"The requirement is set out in {'; '.join(law.citations)}."
    if law.session_law_citations:
        acts = "; ".join(law.session_law_citations)
        return f"The requirement was enacted by {acts}; we could not confirm the section of the code that holds it."
    return "We could not confirm the section of the code or the act that sets out the requirement."


# --- coverage ---


class Coverage(StrEnum):
    """How a law covers a venue type.

    The one rule for coverage our research could not confirm (only a secondary source lists the venue type): it is
    never stated as law. Letters leave it out, a sign for it does not say the law requires it, and scoring gives it
    its own figures but keeps it out of the headline rate, as it does for a conditional type.
    """

    REQUIRED = "required"  # the law lists the venue type without a condition
    CONDITIONAL = "conditional"  # listed, under a condition ("only if cited as a nuisance")
    UNCONFIRMED = "unconfirmed"  # listed only by a secondary source
    NOT_COVERED = "not_covered"


# What a document says of coverage a secondary source alone reports (the word "unconfirmed" is a research term).
SECONDARY_ONLY_CONDITION = "listed only by a secondary source; check the statute"


@dataclass(frozen=True)
class CoveredVenueType:
    """A venue type a law lists, as documents and scoring see it."""

    slug: str
    name: str
    local_name: str
    condition: str
    confirmed: bool

    @property
    def kind(self) -> Coverage:
        if not self.confirmed:
            return Coverage.UNCONFIRMED
        return Coverage.CONDITIONAL if self.condition else Coverage.REQUIRED

    @property
    def scoring_condition(self) -> str:
        """The condition scoring files the type under: unconfirmed coverage is kept out of the headline rate."""
        return self.condition if self.confirmed else (self.condition or SECONDARY_ONLY_CONDITION)


def covered_venue_types(law: Any) -> list[CoveredVenueType]:
    """Every venue type the law lists (prefetched coverage is used), confirmed or not."""
    if law is None or law.pk is None:
        return []
    return [
        CoveredVenueType(
            slug=item.venue_type.slug,
            name=item.venue_type.name,
            local_name=item.venue_type.local_name,
            condition=item.condition,
            confirmed=item.confirmed,
        )
        for item in law.coverage.all()
    ]


def stated_coverage(law: Any) -> list[CoveredVenueType]:
    """The venue types a document may state the law covers: confirmed ones only."""
    return [item for item in covered_venue_types(law) if item.confirmed]


def coverage_of(law: Any, venue_slug: str) -> Coverage:
    """How the law covers one venue type."""
    for item in covered_venue_types(law):
        if item.slug == venue_slug:
            return item.kind
    return Coverage.NOT_COVERED


def covered_item(law: Any, venue_slug: str) -> CoveredVenueType | None:
    """The law's entry for a venue type, if it lists it."""
    return next((item for item in covered_venue_types(law) if item.slug == venue_slug), None)


def mandated_coverage(law: Any) -> dict[str, str]:
    """Venue type → the condition scoring files it under, for a mandatory law (empty otherwise)."""
    if law is None or law.status != "mandatory":
        return {}
    return {item.slug: item.scoring_condition for item in covered_venue_types(law)}


# --- research notes kept out of printed text ---

# Words that mark a passage as a note about the research rather than a fact about the law.
_CAVEAT = re.compile(
    r"not read|not confirmed|unconfirmed|inferred|assumed|truncated|not seen|status not|enactment|"
    r"would (?:require|create)|\bnot a hotline posting law\b",
    re.IGNORECASE,
)
# Parts of a citation field that are no citation: caveats, and statutes that merely encourage or that amend.
_UNCITABLE = re.compile(_CAVEAT.pattern + r"|voluntary|encourage|^amends\b", re.IGNORECASE)
# A parenthetical saying where a fact was read ("(per ABMP summary)", "(Lexology)") or what was not read.
_SOURCE_NOTE = re.compile(
    r"\s*\((?:[^()]*(?:\bper\b|cited by|\bsummary\b|Lexology|not read|not confirmed|inferred|truncated)[^()]*)\)",
    re.IGNORECASE,
)


def top_level_parts(text: str, separator: str = ";") -> list[str]:
    """Split "A (x; y); B" on the separators outside parentheses."""
    parts, depth, current = [], 0, ""
    for char in text:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == separator and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    return [part.strip() for part in [*parts, current] if part.strip()]


def split_research_notes(text: str) -> tuple[str, list[str]]:
    """A free-text field as it may be printed, and the research notes taken out of it.

    Source notes in parentheses are taken out; a text whose remaining words still doubt themselves ("amount not
    read") is not printable at all and goes to the notes whole.
    """
    notes = [match.group(0).strip() for match in _SOURCE_NOTE.finditer(text)]
    kept = _SOURCE_NOTE.sub("", text).strip()
    if _CAVEAT.search(kept):
        return "", [text.strip()]
    return kept, notes


def split_citations(text: str) -> tuple[list[str], list[str]]:
    """A free-text citation field as citable strings, and the parts that are research notes."""
    citable: list[str] = []
    notes: list[str] = []
    for part in top_level_parts(text):
        if _UNCITABLE.search(part):
            notes.append(part)
            continue
        kept, taken = split_research_notes(part)
        notes.extend(taken)
        if kept:
            citable.append(kept)
    return citable, notes


def printable_text(text: str) -> str:
    """A law row's free text (penalty, placement, content) as a document may print it: "" if it is a note."""
    return split_research_notes(text)[0]


# --- the signs a law requires ---


@dataclass(frozen=True)
class SizeRequirement:
    """The smallest sign a law allows: sides in inches, type in points; None where the law is silent."""

    min_width_in: float | None = None
    min_height_in: float | None = None
    min_font_pt: float | None = None
    min_number_font_pt: float | None = None
    # True when the law says which side is which ("8.5 in high x 11 in wide"); otherwise either way up will do.
    orientation_fixed: bool = False


_INCHES = r"(\d+(?:\.\d+)?)(\s*(?:1/2|½))?"
_UNIT = r"(?:\s*(?:inches|inch|in\b|\")\.?)?"
_DIMENSIONS = re.compile(
    _INCHES + _UNIT + r"\s*(high|tall|wide)?\s*(?:x|×|by)\s*" + _INCHES + _UNIT + r"(?:\s*(high|tall|wide))?",
    re.IGNORECASE,
)
_POINTS = re.compile(r"(\d+(?:\.\d+)?)\s*-?\s*(?:points?|pt)\b", re.IGNORECASE)
_ABOUT_THE_NUMBER = re.compile(r"\b(?:number|hotline|phone)\b", re.IGNORECASE)


def _inches(whole: str, half: str | None) -> float:
    return float(whole) + (0.5 if half else 0.0)


def parse_size_requirements(text: str) -> SizeRequirement:
    """Read a law row's size_and_font ("sign >=8.5x11 in with >=16-pt letters, OR ...") into minimums.

    Where the text offers alternatives, or names sizes for several kinds of venue, the largest of each figure is
    kept: a sign that meets the largest meets them all.
    """
    widths: list[float] = []
    heights: list[float] = []
    fixed = False
    for match in _DIMENSIONS.finditer(text):
        first = _inches(match.group(1), match.group(2))
        second = _inches(match.group(4), match.group(5))
        first_side, second_side = (match.group(3) or "").lower(), (match.group(6) or "").lower()
        if first_side in ("high", "tall") or second_side == "wide":
            width, height, fixed = second, first, True
        elif first_side == "wide" or second_side in ("high", "tall"):
            width, height, fixed = first, second, True
        else:  # "8.5x11" says nothing of orientation: read it as portrait, short side across
            width, height = min(first, second), max(first, second)
        widths.append(width)
        heights.append(height)

    body_points: list[float] = []
    number_points: list[float] = []
    for clause in re.split(r"[;,]|\bOR\b", text):
        matches = list(_POINTS.finditer(clause))
        for index, match in enumerate(matches):
            # "font no smaller than 50-point for the number": the words after a size say what it is for.
            end = matches[index + 1].start() if index + 1 < len(matches) else len(clause)
            about_number = _ABOUT_THE_NUMBER.search(clause[match.end() : end])
            (number_points if about_number else body_points).append(float(match.group(1)))

    return SizeRequirement(
        min_width_in=max(widths) if widths else None,
        min_height_in=max(heights) if heights else None,
        min_font_pt=max(body_points) if body_points else None,
        min_number_font_pt=max(number_points) if number_points else None,
        orientation_fixed=fixed,
    )


# A U.S. phone number as statutes write it, vanity letters included ("1-855-FLA-SAFE", "505-GET-FREE").
_PHONE = re.compile(r"\b(?:1-)?\d{3}-[0-9A-Z]{3}-[0-9A-Z]{4}\b")
_SHORT_CODE = re.compile(r"\d{3}-?\d{3}")  # a text line: 233733, or 233-733 as Rhode Island writes it
# A quoted passage of the statute in the research text; an apostrophe inside a word ("Gov't") does not end it.
_QUOTE = re.compile(r"(?:^|(?<=[\s:(]))'(.+?)'(?=$|[\s;,.)])", re.DOTALL)
# Shorter quotes are opening fragments ("If you or someone you know is being forced..."), not the wording.
_MIN_QUOTE_CHARS = 60


def state_hotline(law: Any) -> tuple[str, str] | None:
    """(name, number) of the state's own hotline where the law requires it instead of the national one."""
    if law.national_hotline_required is not False:
        return None
    for match in _PHONE.finditer(law.required_content):
        number = match.group(0)
        if number == NATIONAL_NUMBER:
            continue
        before = law.required_content[: match.start()]
        named = re.search(r"((?:[A-Z][\w'.]*\s+)+[Hh]otline)[\s,:]*(?:at\s*)?$", before)
        return (named.group(1) if named else f"{law.jurisdiction.name} hotline"), number
    return None


def statutory_wording(required_content: str) -> str:
    """The wording the law prescribes, where the research quoted it ("" where it only summarised it).

    "..." in the research marks text it did not capture; it stays on the sign as "…", and a number the research
    cut off mid-way is dropped rather than printed wrong.
    """
    quote = next((m.group(1) for m in _QUOTE.finditer(required_content) if len(m.group(1)) >= _MIN_QUOTE_CHARS), "")
    if not quote:
        return ""
    wording = re.sub(r"\s*(?:\.\.\.|…)\s*", " … ", quote)
    wording = re.sub(r"\s+", " ", wording).strip()
    cut = re.search(r"(?<!\S)([\d-]+) …$", wording)
    if cut and not (_PHONE.fullmatch(cut.group(1)) or _SHORT_CODE.fullmatch(cut.group(1))):
        wording = re.sub(r"\s+(?:at|to|on)$", "", wording[: cut.start()].rstrip()) + " …"
    return wording


@dataclass(frozen=True)
class SignTextRequirement:
    """What a law asks a sign's text to carry, as far as reading a photo of the sign can check it."""

    content: str  # the required content as a document may print it: the numbers it names may be on the sign
    state_hotline: tuple[str, str] | None  # (name, number) where the state's hotline replaces the national one
    languages: tuple[str, ...]  # required where posting is mandatory; empty otherwise
    text_line_required: bool | None  # None where posting is not mandatory, or the law is silent
    state_hotline_required: bool


def sign_text_required(law: Any) -> SignTextRequirement:
    """What the law (None: no law) asks of a sign's text; only a mandatory law requires languages or a text line."""
    if law is None:
        return SignTextRequirement("", None, (), None, False)
    hotline = state_hotline(law)
    mandatory = bool(law.is_mandatory)
    return SignTextRequirement(
        content=printable_text(law.required_content),
        state_hotline=hotline,
        languages=tuple(printable_text(entry) for entry in law.required_languages if printable_text(entry))
        if mandatory
        else (),
        text_line_required=law.text_line_required if mandatory else None,
        state_hotline_required=hotline is not None and mandatory,
    )


@dataclass(frozen=True)
class SignSpecification:
    """One sign a law requires: its section, size, type, languages, hotline, wording, placement and audience."""

    citation: str
    size: SizeRequirement
    languages: tuple[str, ...]
    hotline_name: str  # "" for the national hotline
    hotline_number: str  # "" for the national hotline
    wording: str  # the statute's wording where it is known ("" where only described)
    described_content: str  # what the law asks the sign to say, in the research's words, when printable
    placement: str
    audience: str  # "public", "employees" or "public_and_employees"
    national_hotline_required: bool | None
    venue_types: tuple[str, ...]  # the slugs a sign of their own is prescribed for; empty for the general sign


def _decimal(value: Any) -> float | None:
    return float(value) if value is not None else None


def _specific_sign(requirement: Any) -> SignSpecification:
    return SignSpecification(
        citation=requirement.citation,
        size=SizeRequirement(
            _decimal(requirement.min_width_in), _decimal(requirement.min_height_in), _decimal(requirement.min_font_pt)
        ),
        languages=tuple(requirement.languages),
        hotline_name=requirement.hotline_name if requirement.hotline_number else "",
        hotline_number=requirement.hotline_number,
        wording=requirement.wording,
        described_content="",
        placement=requirement.placement,
        audience=requirement.audience,
        national_hotline_required=not requirement.hotline_number,
        venue_types=tuple(sorted(venue_type.slug for venue_type in requirement.venue_types.all())),
    )


def general_sign(law: Any) -> SignSpecification:
    """The sign the law asks of every venue type it covers that has no sign of its own."""
    hotline = state_hotline(law)
    # A section that prescribes a venue type's own sign is not the general sign's citation.
    own_sections = {requirement.citation for requirement in law.sign_requirements.all()} if law.pk else set()
    return SignSpecification(
        citation="; ".join(citation for citation in law.citations if citation not in own_sections),
        size=parse_size_requirements(printable_text(law.size_and_font)),
        languages=tuple(printable_text(entry) for entry in law.required_languages if printable_text(entry)),
        hotline_name=hotline[0] if hotline else "",
        hotline_number=hotline[1] if hotline else "",
        wording=statutory_wording(law.required_content) if is_verified(law) else "",
        described_content=printable_text(law.required_content),
        placement=printable_text(law.placement),
        audience="public",
        national_hotline_required=law.national_hotline_required,
        venue_types=(),
    )


def signs_required(law: Any, venue_slug: str | None = None) -> list[SignSpecification]:
    """The signs the law asks of a venue type (of every venue type it lists when none is given).

    A venue type the law gives a sign of its own (a Florida hotel's § 509.096 sign) gets that sign; every other
    venue type gets the law's general sign. Without a venue type, the general sign comes first, then the others.
    """
    if law is None:
        return []
    specific = list(law.sign_requirements.all()) if law.pk is not None else []
    if venue_slug is None:
        return [general_sign(law), *(_specific_sign(requirement) for requirement in specific)]
    own = [
        _specific_sign(requirement)
        for requirement in specific
        if any(venue_type.slug == venue_slug for venue_type in requirement.venue_types.all())
    ]
    return own or [general_sign(law)]
