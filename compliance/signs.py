"""Printable hotline signs: what a jurisdiction's posting law asks of a sign, and that sign as a PDF.

The posting-law rows are research notes, not clean data: sizes, languages and wording are free text, citations
carry caveats ("section not read"). This module reads them conservatively: a size is met or exceeded, every
language the row names is printed or handed to the business as a task, statutory wording is printed only where
the research quoted it, and nothing unverified is printed as the law.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from django.template.loader import render_to_string
from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from compliance.models import Jurisdiction, PostingLaw, VenueType

NATIONAL_HOTLINE_NAME = "National Human Trafficking Hotline"
NATIONAL_NUMBER = "1-888-373-7888"
NATIONAL_TEXT_NUMBER = "233733"
NATIONAL_WEBSITE = "humantraffickinghotline.org"

# Paper a business can print on, (width, height) in inches, portrait. Letter is the default.
PAPER_SIZES: dict[str, tuple[float, float]] = {"letter": (8.5, 11.0), "legal": (8.5, 14.0), "tabloid": (11.0, 17.0)}
PAPER_LABELS = {"letter": "US Letter", "legal": "US Legal", "tabloid": "Tabloid", "custom": "Custom"}

MARGIN_IN = 0.45
COLUMN_GAP_IN = 0.3


# --- size and type ---


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


@dataclass(frozen=True)
class Page:
    """The sheet the sign is printed on."""

    paper: str  # a PAPER_SIZES key, or "custom" for a law that wants more than tabloid
    width_in: float
    height_in: float

    @property
    def is_landscape(self) -> bool:
        return self.width_in > self.height_in

    @property
    def label(self) -> str:
        orientation = _("landscape") if self.is_landscape else _("portrait")
        return f"{PAPER_LABELS[self.paper]}, {self.width_in:g} × {self.height_in:g} in, {orientation}"


def _fits(width: float, height: float, requirement: SizeRequirement) -> bool:
    need_width, need_height = requirement.min_width_in or 0.0, requirement.min_height_in or 0.0
    return width >= need_width and height >= need_height


def choose_page(requirement: SizeRequirement, paper: str | None = None) -> Page:
    """The paper asked for (US Letter by default), or the next larger one that meets the law's minimum."""
    if paper is not None and paper not in PAPER_SIZES:
        raise ValueError(f"unknown paper size {paper!r}")
    names = list(PAPER_SIZES)
    for name in names[names.index(paper or "letter") :]:
        width, height = PAPER_SIZES[name]
        # Portrait first; a law that fixes the orientation ("11 in wide x 8.5 in high") may need landscape.
        for across, down in ((width, height), (height, width)):
            if _fits(across, down, requirement):
                return Page(name, across, down)
    # Larger than any office printer: the page is the law's own minimum, for a print shop.
    return Page("custom", requirement.min_width_in or 8.5, requirement.min_height_in or 11.0)


def paper_choices(requirement: SizeRequirement) -> dict[str, Page]:
    """The pages a business can ask for, by paper name: each paper, or what it becomes under the law's minimum."""
    choices: dict[str, Page] = {}
    for paper in PAPER_SIZES:
        page = choose_page(requirement, paper)
        if page not in choices.values():
            choices[paper] = page
    return choices


@dataclass(frozen=True)
class Typography:
    """Type sizes in points for one sign; never below the law's minimums."""

    heading_pt: float
    message_pt: float
    label_pt: float
    number_pt: float
    text_number_pt: float
    body_pt: float
    small_pt: float
    min_pt: float
    min_number_pt: float

    def scaled(self, factor: float) -> Typography:
        """Every size times the factor, never below the law's minimums; headings and numbers never above their own."""

        def size(points: float, floor: float, ceiling: float = float("inf"), by: float = factor) -> float:
            return round(max(min(points * by, ceiling), floor), 1)

        # The number is what a passer-by must read: it gives way to long wording more slowly than the text does.
        number_factor = min(factor, 1.0) ** 0.5
        number_floor = max(self.min_number_pt, self.min_pt)
        return replace(
            self,
            heading_pt=size(self.heading_pt, self.min_pt, self.heading_pt),
            message_pt=size(self.message_pt, self.min_pt),
            label_pt=size(self.label_pt, self.min_pt, self.label_pt),
            number_pt=size(self.number_pt, number_floor, by=number_factor),
            text_number_pt=size(self.text_number_pt, number_floor, by=number_factor),
            body_pt=size(self.body_pt, self.min_pt),
            small_pt=size(self.small_pt, self.min_pt),
        )


# Advance widths (in em) of DejaVu Sans Bold, the widest face in the sign's font stack: a number sized with them
# fits its column whichever of the stack's fonts the server has.
_DIGIT_EM, _HYPHEN_EM, _LETTER_EM = 0.70, 0.42, 0.78


def _number_em(number: str) -> float:
    return sum(_DIGIT_EM if c.isdigit() else _HYPHEN_EM if c in "-. " else _LETTER_EM for c in number)


# Below this no text is legible on a wall at reading distance, whatever the law allows.
LEGIBLE_MIN_PT = 11.0


def _typography(requirement: SizeRequirement, column_width_in: float, numbers: list[str]) -> Typography:
    # Designed on a US Letter column (7.6 in across). Wider columns scale the type with them; narrower ones (two
    # columns side by side on landscape paper) shrink it less, as their height is not shared between languages.
    ratio = column_width_in / 7.6
    scale = ratio if ratio >= 1 else ratio**0.5
    min_pt = max(requirement.min_font_pt or 0.0, LEGIBLE_MIN_PT)
    min_number_pt = requirement.min_number_font_pt or 0.0
    usable_pt = (column_width_in - 0.5) * 72  # the block's padding and border
    number_pt = min([76 * ratio] + [usable_pt / _number_em(number) for number in numbers])
    floor = max(min_pt, min_number_pt)
    return Typography(
        heading_pt=max(22 * scale, min_pt),
        message_pt=max(21 * scale, min_pt),
        label_pt=max(16 * scale, min_pt),
        number_pt=max(number_pt, floor),
        text_number_pt=max(min(44 * ratio, number_pt), floor),
        body_pt=max(14 * scale, min_pt),
        small_pt=max(11 * scale, min_pt),
        min_pt=min_pt,
        min_number_pt=min_number_pt,
    )


# --- hotlines, wording and languages ---


@dataclass(frozen=True)
class Hotline:
    name: str
    number: str
    text_number: str = ""  # only where the data says the line takes texts

    @property
    def is_national(self) -> bool:
        return self.number == NATIONAL_NUMBER


NATIONAL_HOTLINE = Hotline(NATIONAL_HOTLINE_NAME, NATIONAL_NUMBER, NATIONAL_TEXT_NUMBER)

# A U.S. phone number as statutes write it, vanity letters included ("1-855-FLA-SAFE", "505-GET-FREE").
_PHONE = re.compile(r"\b(?:1-)?\d{3}-[0-9A-Z]{3}-[0-9A-Z]{4}\b")
_SHORT_CODE = re.compile(r"\d{3}-?\d{3}")  # a text line: 233733, or 233-733 as Rhode Island writes it
# A quoted passage of the statute in the research text; an apostrophe inside a word ("Gov't") does not end it.
_QUOTE = re.compile(r"(?:^|(?<=[\s:(]))'(.+?)'(?=$|[\s;,.)])", re.DOTALL)
# Shorter quotes are opening fragments ("If you or someone you know is being forced..."), not the wording.
_MIN_QUOTE_CHARS = 60


def state_hotline(law: PostingLaw) -> Hotline | None:
    """The state's own hotline where the law requires it instead of the national one, as the data writes it."""
    if law.national_hotline_required is not False:
        return None
    for match in _PHONE.finditer(law.required_content):
        number = match.group(0)
        if number == NATIONAL_NUMBER:
            continue
        before = law.required_content[: match.start()]
        named = re.search(r"((?:[A-Z][\w'.]*\s+)+[Hh]otline)[\s,:]*(?:at\s*)?$", before)
        name = named.group(1) if named else _("%(state)s hotline") % {"state": law.jurisdiction.name}
        return Hotline(name, number)
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


PRINTED_LANGUAGES = ("English", "Spanish")


def language_tasks(required_languages: list[str]) -> list[str]:
    """The row's language entries this sign cannot settle by itself (anything beyond plain English and Spanish)."""
    return [entry for entry in required_languages if entry.strip() not in PRINTED_LANGUAGES]


@dataclass(frozen=True)
class LanguageBlock:
    """One language's part of the sign."""

    lang: str  # BCP 47, for the HTML lang attribute (hyphenation, screen readers)
    heading: str
    message: str
    call_label: str
    number: str
    text_label: str
    text_number: str
    text_hint: str
    facts: str
    secondary: str
    emergency: str


# The sign's own words. They are content in a fixed language, not interface text: an English block stays English
# whatever language the page is viewed in, so they are deliberately not passed through gettext.
def _english_block(hotline: Hotline, wording: str) -> LanguageBlock:
    texts = bool(hotline.text_number)
    standard = "Are you or someone you know being forced to work or to have sex and cannot leave? " + (
        "Call or text for help." if texts else f"Call the {hotline.name} for help."
    )
    return LanguageBlock(
        lang="en",
        heading=hotline.name,
        message=wording or standard,
        call_label="Call",
        number=hotline.number,
        text_label="Text" if texts else "",
        text_number=hotline.text_number,
        text_hint="Send “HELP” or “INFO”" if texts else "",
        facts=(
            f"Toll-free · Confidential · 24 hours, 7 days a week · Help in many languages · {NATIONAL_WEBSITE}"
            if hotline.is_national
            else ""
        ),
        secondary=(
            ""
            if hotline.is_national
            else f"{NATIONAL_HOTLINE_NAME}: call {NATIONAL_NUMBER} or text {NATIONAL_TEXT_NUMBER}"
        ),
        emergency="In immediate danger? Call 911.",
    )


def _spanish_block(hotline: Hotline) -> LanguageBlock:
    texts = bool(hotline.text_number)
    question = (
        "¿Usted o alguien que conoce está siendo obligado a trabajar o a tener relaciones sexuales y no puede irse? "
    )
    return LanguageBlock(
        lang="es",
        heading=(
            "Línea Directa Nacional contra la Trata de Personas"
            if hotline.is_national
            else "Línea estatal contra la trata de personas"
        ),
        message=question
        + ("Llame o envíe un texto para pedir ayuda." if texts else f"Llame a la {hotline.name} para pedir ayuda."),
        call_label="Llame al",
        number=hotline.number,
        text_label="Envíe un texto al" if texts else "",
        text_number=hotline.text_number,
        text_hint="Escriba “HELP” o “INFO”" if texts else "",
        facts=(
            "Llamada gratuita · Confidencial · 24 horas, 7 días a la semana · Ayuda en muchos idiomas"
            if hotline.is_national
            else ""
        ),
        secondary=(
            ""
            if hotline.is_national
            else "Línea Directa Nacional contra la Trata de Personas: "
            f"llame al {NATIONAL_NUMBER} o envíe un texto al {NATIONAL_TEXT_NUMBER}"
        ),
        emergency="¿Está en peligro inmediato? Llame al 911.",
    )


# --- citations ---

# Research caveats that make a citation part unfit to print as the law on a sign.
_UNCITABLE = re.compile(
    r"not read|not confirmed|unconfirmed|inferred|voluntary|encourage|not a hotline posting law|^amends\b",
    re.IGNORECASE,
)
# Parenthetical notes about where a citation was read ("(per compliance-poster vendor)"): dropped, part kept.
_SOURCE_NOTE = re.compile(r"\s*\([^()]*(?:\bper\b|cited by)[^()]*\)", re.IGNORECASE)


def _top_level_parts(citation: str) -> list[str]:
    """Split "A (x; y); B" on the semicolons outside parentheses."""
    parts, depth, current = [], 0, ""
    for char in citation:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == ";" and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    return [part.strip() for part in [*parts, current] if part.strip()]


def printable_citation(law: PostingLaw) -> str:
    """The statute to print on a sign: the citation's parts that carry no research caveat, else the session law."""
    for field in (law.citation, law.session_laws):
        kept = [_SOURCE_NOTE.sub("", part) for part in _top_level_parts(field) if not _UNCITABLE.search(part)]
        if kept:
            return "; ".join(kept)
    return ""


# --- the sign ---


class Basis(StrEnum):
    """Why the sign is posted, which decides what it may say about the law."""

    REQUIRED = "required"  # a verified mandatory law that covers the venue (or no venue type was named)
    NOT_COVERED = "not_covered"  # a mandatory law that does not list the venue type: posted voluntarily
    UNVERIFIED = "unverified"  # a mandatory law from low-confidence research: followed, never cited as fact
    VOLUNTARY = "voluntary"  # no mandatory law (voluntary, none, unknown, or no research at all)


@dataclass(frozen=True)
class SignSpec:
    """Everything the sign's templates need, decided from one law row, a venue type and a paper size."""

    jurisdiction_code: str
    jurisdiction_name: str
    basis: str
    page: Page
    columns: int
    typography: Typography
    hotline: Hotline
    blocks: tuple[LanguageBlock, ...]
    wording_is_statutory: bool
    venue_type_name: str
    law_line: str  # what the sign says about the law ("" for none)
    summary: str  # for the business: does the law require this sign here
    size_requirement: SizeRequirement
    requirements: tuple[tuple[str, str], ...]  # what the law row asks, as (label, value), for the business
    how_followed: tuple[str, ...]
    to_do: tuple[str, ...]
    sources: tuple[tuple[str, str], ...]  # (title, url)
    generated_on: datetime.date

    @property
    def title(self) -> str:
        return f"Human trafficking hotline sign — {self.jurisdiction_name}"

    @property
    def file_name(self) -> str:
        return f"hotline-sign-{self.jurisdiction_code}-{self.page.paper}.pdf"

    @property
    def column_width_in(self) -> float:
        return _column_width(self.page, self.columns)

    @property
    def content_height_in(self) -> float:
        return self.page.height_in - 2 * MARGIN_IN


def _column_width(page: Page, columns: int) -> float:
    across = page.width_in - 2 * MARGIN_IN
    return (across - COLUMN_GAP_IN * (columns - 1)) / columns


def _venue_coverage(law: PostingLaw | None, venue_type: VenueType | None) -> tuple[bool, str]:
    """Whether the law lists the venue type, and the condition it attaches (prefetched coverage is used)."""
    if law is None or venue_type is None or law.pk is None:
        return False, ""
    for covered in law.coverage.all():
        if covered.venue_type_id == venue_type.pk:
            return True, covered.condition
    return False, ""


def sign_spec(
    law: PostingLaw | None,
    venue_type: VenueType | None = None,
    size: str | None = None,
    *,
    jurisdiction: Jurisdiction | None = None,
    today: datetime.date | None = None,
) -> SignSpec:
    """Decide the sign for a law (None: no research on the jurisdiction), an optional venue type and paper size."""
    if law is not None:
        jurisdiction = law.jurisdiction
    if jurisdiction is None:
        raise ValueError("a sign needs a law or, where there is none, its jurisdiction")
    state = jurisdiction.name
    covered, condition = _venue_coverage(law, venue_type)
    citation = printable_citation(law) if law is not None else ""

    if law is None or not law.is_mandatory:
        basis = Basis.VOLUNTARY
    elif not law.is_verified:
        basis = Basis.UNVERIFIED
    elif venue_type is not None and not covered:
        basis = Basis.NOT_COVERED
    else:
        basis = Basis.REQUIRED

    # A voluntary sign follows no law's specifics; a mandatory law's are followed even for a venue it does not
    # list (the business is in that state; the sign costs nothing more) and even when unverified (a larger sign
    # or an extra language never breaks a posting law), but unverified wording is not printed as the statute's.
    followed = law if basis != Basis.VOLUNTARY else None
    requirement = parse_size_requirements(followed.size_and_font) if followed else SizeRequirement()
    wording = statutory_wording(followed.required_content) if followed and followed.is_verified else ""
    hotline = (state_hotline(followed) if followed else None) or NATIONAL_HOTLINE
    blocks = (_english_block(hotline, wording), _spanish_block(hotline))

    page = choose_page(requirement, size)
    columns = 2 if page.is_landscape else 1  # landscape: the languages side by side
    typography = _typography(requirement, _column_width(page, columns), [hotline.number, NATIONAL_NUMBER])

    if basis == Basis.REQUIRED:
        law_line = f"Required by {state} law: {citation}." if citation else f"Required by {state} law."
    else:
        law_line = ""

    return SignSpec(
        jurisdiction_code=jurisdiction.code,
        jurisdiction_name=state,
        basis=basis,
        page=page,
        columns=columns,
        typography=typography,
        hotline=hotline,
        blocks=blocks,
        wording_is_statutory=bool(wording),
        venue_type_name=venue_type.name if venue_type else "",
        law_line=law_line,
        summary=_summary(law, basis, venue_type, state),
        size_requirement=requirement,
        requirements=_requirements(law, law_line),
        how_followed=tuple(_how_followed(followed, requirement, page, hotline, wording)),
        to_do=tuple(_to_do(law, basis, venue_type, condition, wording)),
        sources=tuple((source.title or source.url, source.url) for source in law.sources.all())
        if law is not None and law.pk is not None
        else (),
        generated_on=today or datetime.date.today(),
    )


def _summary(law: PostingLaw | None, basis: str, venue_type: VenueType | None, state: str) -> str:
    """One sentence for the business: does the law require this sign here, and how sure are we."""
    values = {"state": state, "venue": venue_type.local_name if venue_type else ""}
    if basis == Basis.REQUIRED and venue_type is not None:
        return _("%(state)s law requires this sign for “%(venue)s”.") % values
    if basis == Basis.REQUIRED:
        return (
            _("%(state)s law requires this sign at the places it lists: pick your venue type to check yours.") % values
        )
    if basis == Basis.NOT_COVERED:
        return (
            _(
                "%(state)s law requires the sign at some places but does not list “%(venue)s”. You may post it "
                "voluntarily; the sign does not claim the law requires it."
            )
            % values
        )
    if basis == Basis.UNVERIFIED:
        return (
            _(
                "Our research reports that %(state)s requires the sign, but that is unverified: do not rely on it. "
                "The sign follows the reported requirement without citing it as law."
            )
            % values
        )
    if law is None:
        return _("We have no research on a posting law in %(state)s yet. This is a voluntary sign.") % values
    if law.status == law.Status.VOLUNTARY:
        return _("%(state)s encourages but does not require the sign. This is a voluntary sign.") % values
    if law.status == law.Status.NONE:
        return _("%(state)s has no hotline posting law in our research. This is a voluntary sign.") % values
    return _("We found no posting law in %(state)s, or could not confirm one. This is a voluntary sign.") % values


def _requirements(law: PostingLaw | None, law_line: str) -> tuple[tuple[str, str], ...]:
    """The law row in words, for the business: what it asks of the sign (and what the sign says of it)."""
    if law is None:
        return ((_("Posting law"), _("No research recorded yet")),)
    if law.is_verified:
        cited = law.citation or law.session_laws or _("not recorded")
    else:
        cited = _("Reported requirement, unverified: %(citation)s") % {
            "citation": law.citation or law.session_laws or _("no citation recorded")
        }
    not_recorded = _("not recorded")
    rows = [
        (_("Status"), law.get_status_display()),
        (_("Statute"), cited),
        (_("Languages"), "; ".join(law.required_languages) or not_recorded),
        (_("Content"), law.required_content or not_recorded),
        (_("Size and type"), law.size_and_font or not_recorded),
        (_("Placement"), law.placement or not_recorded),
    ]
    if law_line:
        rows.insert(2, (_("The sign says"), law_line))
    return tuple(rows)


def _how_followed(
    followed: PostingLaw | None, requirement: SizeRequirement, page: Page, hotline: Hotline, wording: str
) -> list[str]:
    """How the sign meets what the law row asks (followed is None for a voluntary sign)."""
    lines = [_("Paper: %(page)s.") % {"page": page.label}]
    if requirement.min_width_in and requirement.min_height_in:
        lines[0] += " " + _("The law asks for at least %(width)g × %(height)g in.") % {
            "width": requirement.min_width_in,
            "height": requirement.min_height_in,
        }
    if page.paper == "custom":
        lines.append(_("That is larger than office paper: have it printed at full size by a print shop."))
    if requirement.min_font_pt:
        lines.append(
            _("Type: no text on the sign is smaller than %(points)g point, as the law asks.")
            % {"points": requirement.min_font_pt}
        )
    if requirement.min_number_font_pt:
        lines.append(
            _("Type: the hotline number is at least %(points)g point, as the law asks.")
            % {"points": requirement.min_number_font_pt}
        )
    lines.append(_("Languages: English and Spanish, in blocks of the same size."))
    if not hotline.is_national:
        lines.append(
            _(
                "Hotline: the law names the %(name)s (%(number)s), printed as the data writes it; "
                "the national hotline is added below it."
            )
            % {"name": hotline.name, "number": hotline.number}
        )
    if wording:
        lines.append(
            _(
                "English wording: the law's own wording as our research quoted it; “…” marks passages the "
                "research did not capture. The Spanish block is SignWatch's standard message, not an official "
                "translation."
            )
        )
    elif followed is not None and followed.required_content:
        lines.append(
            _(
                "Wording: SignWatch's standard hotline message. Our research recorded only a description of the "
                "content the law prescribes, not its wording, so the sign does not claim to carry it."
            )
        )
    else:
        lines.append(_("Wording: SignWatch's standard hotline message, in English and Spanish."))
    return lines


def _to_do(law: PostingLaw | None, basis: str, venue_type: VenueType | None, condition: str, wording: str) -> list[str]:
    """What the business still has to check or add by itself (nothing a voluntary sign must follow)."""
    if law is None or basis == Basis.VOLUNTARY:
        return []
    tasks: list[str] = []
    if condition and venue_type is not None and basis == Basis.REQUIRED:
        tasks.append(
            _("The law covers “%(venue)s” only under a condition: %(condition)s.")
            % {"venue": venue_type.local_name, "condition": condition}
        )
    for entry in language_tasks(law.required_languages):
        tasks.append(
            _(
                "Languages: the law also says “%(entry)s”. This sign carries English and Spanish only; print or "
                "obtain the notice in any further language that applies to you."
            )
            % {"entry": entry}
        )
    if wording:
        tasks.append(
            _(
                "Compare the English wording with the statute or the state's official notice (see the sources) and "
                "use the official notice where one is published: our research did not capture every word."
            )
        )
    elif law.required_content:
        tasks.append(
            _("Check the sign carries everything the law asks for: %(content)s.") % {"content": law.required_content}
        )
    if law.placement:
        tasks.append(_("Post it: %(placement)s.") % {"placement": law.placement})
    return tasks


# --- rendering ---

# The type is tried large first and made smaller until the sign fits its page: short wording fills its block, long
# wording still fits. The law's minimums hold at every step.
_SCALE_STEPS = (1.3, 1.15, 1.0, 0.92, 0.85, 0.78, 0.7, 0.62, 0.55, 0.48)
_CSS_PX_PER_IN = 96
_MIN_SPARE_PX = 6  # between a block's last line and its 911 strip
# Rough advance of an average character of the footer's text, in em, to reserve its lines below the blocks.
_FOOTER_CHAR_EM = 0.52
_FOOTER_GAP_IN = 0.1
_BLOCK_GAP_IN = 0.18


def _block_layout(spec: SignSpec, typography: Typography, spare_px: list[float] | None = None) -> dict[str, Any]:
    """Where each language block goes, in inches: equal shares of the page left over by the footer's lines.

    With the spare height each block had in a first rendering, its text is moved down by half of it: centred.
    """
    lines = [line for line in (spec.venue_type_name and f"Venue type: {spec.venue_type_name}", spec.law_line) if line]
    across_pt = (spec.page.width_in - 2 * MARGIN_IN) * 72
    per_line = max(1, int(across_pt / (_FOOTER_CHAR_EM * typography.small_pt)))
    footer_lines = sum(-(-len(line) // per_line) for line in lines)
    footer_in = footer_lines * typography.small_pt * 1.25 / 72 + (_FOOTER_GAP_IN if lines else 0) + 0.02
    blocks_height = spec.content_height_in - footer_in
    width = spec.column_width_in
    if spec.columns == 2:
        height, gap = blocks_height, COLUMN_GAP_IN
        corners = [(0.0, index * (width + gap)) for index in range(len(spec.blocks))]
    else:
        gap = _BLOCK_GAP_IN
        height = (blocks_height - gap * (len(spec.blocks) - 1)) / len(spec.blocks)
        corners = [(index * (height + gap), 0.0) for index in range(len(spec.blocks))]
    body_padding_px = 0.12 * _CSS_PX_PER_IN
    placed = [
        (block, round(top, 3), round(left, 3), round(body_padding_px + spare_px[index] / 2, 1) if spare_px else 0)
        for index, (block, (top, left)) in enumerate(zip(spec.blocks, corners, strict=True))
    ]
    return {
        "placed": placed,
        "blocks_height_in": round(blocks_height, 3),
        "block_width_in": round(width, 3),
        "block_height_in": round(height, 3),
        "gap_in": gap,
        "footer_gap_in": _FOOTER_GAP_IN,
    }


def _spare_space(document: Any, spec: SignSpec) -> list[float] | None:
    """The height (CSS px) left in each block between its text and its 911 strip; None when anything overflows."""
    if len(document.pages) != 1:
        return None
    # An anchor is a point or a rectangle depending on the WeasyPrint version; its top is the second figure.
    top = {name: position[1] for name, position in document.pages[0].anchors.items()}
    spare = []
    for number in range(1, len(spec.blocks) + 1):
        text_end, strip = top.get(f"fit-end-{number}"), top.get(f"fit-limit-{number}")
        if text_end is None or strip is None or text_end + _MIN_SPARE_PX > strip:
            return None
        spare.append(strip - text_end - _MIN_SPARE_PX)
    page_bottom = (spec.page.height_in - MARGIN_IN) * _CSS_PX_PER_IN
    if top.get("fit-page-end", float("inf")) > page_bottom + 1:
        return None
    return spare


def render_pdf(spec: SignSpec) -> bytes:
    """The sign as a PDF: the sign itself on page 1, then a page of notes for the business (not for posting)."""
    from compliance.pdf import HTML  # here: most of this module is pure and loads without WeasyPrint

    def sign_html(typography: Typography, spare_px: list[float] | None = None, run_on: bool = False) -> Any:
        layout = _block_layout(spec, typography, spare_px)
        context = {"spec": spec, "type": typography, "layout": layout, "margin_in": MARGIN_IN, "run_on": run_on}
        return HTML(string=render_to_string("signs/sign.html", context))

    for factor in _SCALE_STEPS:
        typography = spec.typography.scaled(factor)
        spare = _spare_space(sign_html(typography).render(), spec)
        if spare is not None:
            sign = sign_html(typography, spare).render()
            break
    else:  # more text than the page holds even at the law's minimum type: let it run on rather than clip it
        sign = sign_html(typography, run_on=True).render()
    notes = HTML(string=render_to_string("signs/sign_notes.html", {"spec": spec, "margin_in": MARGIN_IN})).render()
    return bytes(sign.copy([*sign.pages, *notes.pages]).write_pdf())
