"""Printable hotline signs: the sign a jurisdiction's posting law asks of a venue type, and that sign as a PDF.

What the law asks (size, type, languages, hotline, wording, placement, audience) comes from `laws.signs_required`;
this module lays the sign out conservatively: a size is met or exceeded, every language the law names is printed
or handed to the business as a task, and nothing unverified is printed as the law.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from compliance import laws
from compliance.laws import (
    NATIONAL_HOTLINE_NAME,
    NATIONAL_NUMBER,
    NATIONAL_TEXT_NUMBER,
    SizeRequirement,
    parse_size_requirements,
    statutory_wording,
)

if TYPE_CHECKING:
    from compliance.models import Jurisdiction, PostingLaw, VenueType

__all__ = ["SizeRequirement", "parse_size_requirements", "statutory_wording"]
NATIONAL_WEBSITE = "humantraffickinghotline.org"

# Paper a business can print on, (width, height) in inches, portrait. Letter is the default.
PAPER_SIZES: dict[str, tuple[float, float]] = {"letter": (8.5, 11.0), "legal": (8.5, 14.0), "tabloid": (11.0, 17.0)}
PAPER_LABELS = {"letter": "US Letter", "legal": "US Legal", "tabloid": "Tabloid", "custom": "Custom"}

MARGIN_IN = 0.45
COLUMN_GAP_IN = 0.3


# --- size and type ---


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


# --- the sign ---


class Basis(StrEnum):
    """Why the sign is posted, which decides what it may say about the law."""

    REQUIRED = "required"  # a verified mandatory law that covers the venue (or no venue type was named)
    NOT_COVERED = "not_covered"  # a mandatory law that does not list the venue type: posted voluntarily
    UNVERIFIED = "unverified"  # a mandatory law from low-confidence research: followed, never cited as fact
    SECONDARY_ONLY = "secondary_only"  # only a secondary source says the law covers the venue: never claimed
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
    venue_type_slug: str
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
        venue = f"-{self.venue_type_slug.replace('_', '-')}" if self.venue_type_slug else ""
        return f"hotline-sign-{self.jurisdiction_code}{venue}-{self.page.paper}.pdf"

    @property
    def column_width_in(self) -> float:
        return _column_width(self.page, self.columns)

    @property
    def content_height_in(self) -> float:
        return self.page.height_in - 2 * MARGIN_IN


def _column_width(page: Page, columns: int) -> float:
    across = page.width_in - 2 * MARGIN_IN
    return (across - COLUMN_GAP_IN * (columns - 1)) / columns


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
    coverage = laws.coverage_of(law, venue_type.slug) if venue_type is not None else laws.Coverage.REQUIRED
    covered = laws.covered_item(law, venue_type.slug) if venue_type is not None else None

    if law is None or not law.is_mandatory:
        basis = Basis.VOLUNTARY
    elif not laws.is_verified(law):
        basis = Basis.UNVERIFIED
    elif coverage == laws.Coverage.NOT_COVERED:
        basis = Basis.NOT_COVERED
    elif coverage == laws.Coverage.UNCONFIRMED:
        basis = Basis.SECONDARY_ONLY
    else:
        basis = Basis.REQUIRED

    # A voluntary sign follows no law's specifics; a mandatory law's are followed even for a venue it does not
    # list (the business is in that state; the sign costs nothing more) and even when unverified (a larger sign
    # or an extra language never breaks a posting law), but unverified wording is not printed as the statute's.
    followed = law if basis != Basis.VOLUNTARY else None
    required = laws.signs_required(followed, venue_type.slug if venue_type else None)[0] if followed else None
    requirement = required.size if required else SizeRequirement()
    wording = required.wording if required else ""
    hotline = (
        Hotline(required.hotline_name, required.hotline_number)
        if required and required.hotline_number
        else NATIONAL_HOTLINE
    )
    blocks = (_english_block(hotline, wording), _spanish_block(hotline))

    page = choose_page(requirement, size)
    columns = 2 if page.is_landscape else 1  # landscape: the languages side by side
    typography = _typography(requirement, _column_width(page, columns), [hotline.number, NATIONAL_NUMBER])

    citation = (required.citation if required else "") or (laws.citation_to_print(law) if law else "")
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
        venue_type_slug=venue_type.slug if venue_type else "",
        law_line=law_line,
        summary=_summary(law, basis, venue_type, state),
        size_requirement=requirement,
        requirements=_requirements(law, required, law_line),
        how_followed=tuple(_how_followed(required, requirement, page, hotline, wording)),
        to_do=tuple(_to_do(law, required, basis, venue_type, covered.condition if covered else "", wording)),
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
    if basis == Basis.SECONDARY_ONLY:
        return (
            _(
                "A secondary source says %(state)s law requires the sign for “%(venue)s”, but we could not find that "
                "in the statute. The sign follows the law's requirements without claiming it applies here."
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


def _requirements(
    law: PostingLaw | None, required: laws.SignSpecification | None, law_line: str
) -> tuple[tuple[str, str], ...]:
    """What the law asks of this sign, in words for the business (and what the sign says of it)."""
    if law is None:
        return ((_("Posting law"), _("No research recorded yet")),)
    citation = (required.citation if required else "") or laws.citation_to_print(law)
    if not citation:
        cited = _("no section of the code recorded")
    elif laws.is_verified(law):
        cited = citation
    else:
        cited = _("Reported requirement, unverified: %(citation)s") % {"citation": citation}
    not_recorded = _("not recorded")
    rows = [(_("Status"), law.get_status_display()), (_("Statute"), cited)]
    if required is not None:
        size = required.size
        rows += [
            (_("Languages"), "; ".join(required.languages) or not_recorded),
            (_("Content"), required.wording or required.described_content or not_recorded),
            (
                _("Size and type"),
                "; ".join(
                    part
                    for part in (
                        f"≥ {size.min_width_in:g} × {size.min_height_in:g} in"
                        if size.min_width_in and size.min_height_in
                        else "",
                        f"≥ {size.min_font_pt:g}-point" if size.min_font_pt else "",
                    )
                    if part
                )
                or not_recorded,
            ),
            (_("Placement"), required.placement or not_recorded),
            (_("Audience"), str(_AUDIENCES.get(required.audience, required.audience))),
        ]
    if law_line:
        rows.insert(2, (_("The sign says"), law_line))
    return tuple(rows)


_AUDIENCES = {
    "public": gettext_lazy("the public"),
    "employees": gettext_lazy("employees"),
    "public_and_employees": gettext_lazy("the public and employees"),
}


def _paper_lines(requirement: SizeRequirement, page: Page) -> list[str]:
    """What the sign is printed on, against the law's minimum size."""
    lines = [_("Paper: %(page)s.") % {"page": page.label}]
    if requirement.min_width_in and requirement.min_height_in:
        lines[0] += " " + _("The law asks for at least %(width)g × %(height)g in.") % {
            "width": requirement.min_width_in,
            "height": requirement.min_height_in,
        }
    if page.paper == "custom":
        lines.append(_("That is larger than office paper: have it printed at full size by a print shop."))
    return lines


def _how_followed(
    required: laws.SignSpecification | None, requirement: SizeRequirement, page: Page, hotline: Hotline, wording: str
) -> list[str]:
    """How the sign meets what the law asks (required is None for a voluntary sign)."""
    lines = _paper_lines(requirement, page)
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
    elif required is not None and required.described_content:
        lines.append(
            _(
                "Wording: SignWatch's standard hotline message. Our research recorded only a description of the "
                "content the law prescribes, not its wording, so the sign does not claim to carry it."
            )
        )
    else:
        lines.append(_("Wording: SignWatch's standard hotline message, in English and Spanish."))
    return lines


def _to_do(
    law: PostingLaw | None,
    required: laws.SignSpecification | None,
    basis: str,
    venue_type: VenueType | None,
    condition: str,
    wording: str,
) -> list[str]:
    """What the business still has to check or add by itself (nothing a voluntary sign must follow)."""
    if law is None or required is None or basis == Basis.VOLUNTARY:
        return []
    tasks: list[str] = []
    if condition and venue_type is not None and basis == Basis.REQUIRED:
        tasks.append(
            _("The law covers “%(venue)s” only under a condition: %(condition)s.")
            % {"venue": venue_type.local_name, "condition": condition}
        )
    for entry in language_tasks(list(required.languages)):
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
                "use the official notice where one is published."
            )
        )
    elif required.described_content:
        tasks.append(
            _("Check the sign carries everything the law asks for: %(content)s.")
            % {"content": required.described_content}
        )
    if required.placement:
        tasks.append(_("Post it: %(placement)s.") % {"placement": required.placement})
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


# Print-shop sizes to move up to when a law's large minimum type (Florida's 32-point hotel sign) does not fit the
# office paper that meets its minimum size: a sign that runs onto a second sheet is no sign.
POSTER_PAGES = (Page("custom", 18.0, 24.0), Page("custom", 24.0, 36.0))


def _on_page(spec: SignSpec, page: Page) -> SignSpec:
    """The same sign laid out on another page: its columns, type and paper notes follow the page."""
    columns = 2 if page.is_landscape else 1
    numbers = [spec.hotline.number, NATIONAL_NUMBER]
    old_paper_lines = len(_paper_lines(spec.size_requirement, spec.page))
    return replace(
        spec,
        page=page,
        columns=columns,
        typography=_typography(spec.size_requirement, _column_width(page, columns), numbers),
        how_followed=(*_paper_lines(spec.size_requirement, page), *spec.how_followed[old_paper_lines:]),
    )


def render_pdf(spec: SignSpec) -> bytes:
    """The sign as a PDF: the sign itself on page 1, then a page of notes for the business (not for posting)."""
    from compliance.pdf import HTML  # here: most of this module is pure and loads without WeasyPrint

    def sign_html(
        spec: SignSpec, typography: Typography, spare: list[float] | None = None, run_on: bool = False
    ) -> Any:
        layout = _block_layout(spec, typography, spare)
        context = {"spec": spec, "type": typography, "layout": layout, "margin_in": MARGIN_IN, "run_on": run_on}
        return HTML(string=render_to_string("signs/sign.html", context))

    def fitted(spec: SignSpec) -> Any | None:
        for factor in _SCALE_STEPS:
            typography = spec.typography.scaled(factor)
            spare = _spare_space(sign_html(spec, typography).render(), spec)
            if spare is not None:
                return sign_html(spec, typography, spare).render()
        return None

    candidates = [spec, *(_on_page(spec, page) for page in POSTER_PAGES if page.height_in > spec.page.height_in)]
    for candidate in candidates:
        sign = fitted(candidate)
        if sign is not None:
            spec = candidate
            break
    else:  # more text than even a poster holds at the law's minimum type: let it run on rather than clip it
        sign = sign_html(spec, spec.typography.scaled(_SCALE_STEPS[-1]), run_on=True).render()
    notes = HTML(string=render_to_string("signs/sign_notes.html", {"spec": spec, "margin_in": MARGIN_IN})).render()
    return bytes(sign.copy([*sign.pages, *notes.pages]).write_pdf())
