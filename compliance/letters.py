"""Letters to a jurisdiction's Attorney General, built from the law registry and the compliance figures.

A letter is composed once: its subject, body, recipient and the figures it quotes are frozen on the `Letter` row, so
later data (a new photo, a corrected law) never rewrites a letter that may already be in the post. The DOCX and PDF are
rendered from the frozen row alone.

The wording lives in `frontend/templates/letters/<kind>.txt`, which staff edit as files. Their format: the first
paragraph is the subject, the rest the body; paragraphs are separated by a blank line (line breaks inside a paragraph
are joined); a paragraph starting with "• " is a list item. Shared pieces (`_law.txt`, `_figures.txt`...) are included
by every kind, so the rule that an unverified statute is never cited as fact lives in one file.
"""

from __future__ import annotations

import datetime
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import docx
from django.db import transaction
from django.db.models import Count
from django.template import Context
from django.template.loader import get_template, render_to_string
from django.utils import dateformat, timezone
from django.utils.translation import gettext as _
from docx.enum.text import WD_BREAK
from docx.shared import Inches, Pt, RGBColor

from compliance import laws, reports, scoreboard
from compliance.i18n import in_english
from compliance.models import (
    AGPublicityRecord,
    Confidence,
    CoveredVenueType,
    Jurisdiction,
    Letter,
    PostingLaw,
    VenueType,
)
from compliance.pdf import HTML

# The reports work serves each jurisdiction's public report here; letters link to it.
REPORT_PATH = "/reports/{code}/"
# Recognition is offered only for a rate this high, measured on enough venues: a thank-you for 50% would mislead.
RECOGNITION_RATE = 0.8
# How many other states' statutes an adoption request cites, and how many venue types of each it names.
ADOPTION_EXAMPLES = 4
VENUE_TYPES_NAMED = 6
# How many venue types get their own line under the headline figure.
VENUE_TYPE_LINES = 6
BULLET = "• "
LETTERHEAD = "SignWatch"
LETTERHEAD_TAGLINE = (
    "Is the National Human Trafficking Hotline sign on the wall? · Hotline 1-888-373-7888 · Text 233733"
)


class LetterRefused(Exception):
    """A letter that cannot be written as asked, with the code and field the API answers (400)."""

    def __init__(self, *, code: str, detail: str, field: str | None = None) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail
        self.field = field


def report_path(code: str) -> str:
    """The site path of a jurisdiction's public report (the view makes it absolute)."""
    return REPORT_PATH.format(code=code.upper())


# --- which letter fits ---


def _high_compliance(figures: dict[str, Any]) -> bool:
    if figures.get("law_status") != PostingLaw.Status.MANDATORY:
        return False
    # The design-based estimate from a random sample, when there is one, is the figure a letter quotes.
    if design := figures.get("design_estimate"):
        return bool(design["estimate"] >= RECOGNITION_RATE)
    overall = figures.get("overall")
    return bool(
        overall and overall["sufficient"] and overall["rate"] is not None and overall["rate"] >= RECOGNITION_RATE
    )


def applicable_kinds(figures: dict[str, Any]) -> list[str]:
    """The kinds of letter that make sense for a jurisdiction's figures (a scoreboard entry or a letter's figures)."""
    mandatory = figures.get("law_status") == PostingLaw.Status.MANDATORY
    kinds = [Letter.Kind.ENFORCEMENT if mandatory else Letter.Kind.ADOPTION]
    if _high_compliance(figures):
        kinds.append(Letter.Kind.RECOGNITION)
    kinds.append(Letter.Kind.CUSTOM)
    return [str(kind) for kind in kinds]


def suggested_kind(figures: dict[str, Any]) -> str:
    """Adoption without a mandate, recognition for high measured compliance, enforcement otherwise."""
    if figures.get("law_status") != PostingLaw.Status.MANDATORY:
        return str(Letter.Kind.ADOPTION)
    if _high_compliance(figures):
        return str(Letter.Kind.RECOGNITION)
    return str(Letter.Kind.ENFORCEMENT)


# --- composing ---


def _venue_type_phrase(name: str) -> str:
    """'Bus station' → 'bus station' (a name in the middle of a sentence); leaves 'ATM'-like names alone."""
    return name[0].lower() + name[1:] if len(name) > 1 and name[1].islower() else name


def _venue_type_ranking() -> dict[str, int]:
    """How many mandatory laws cover each venue type: a letter names the familiar places (airports, bars) first."""
    return dict(
        CoveredVenueType.objects.filter(law__status=PostingLaw.Status.MANDATORY)
        .values_list("venue_type__slug")
        .annotate(laws=Count("pk"))
        .order_by()
    )


def _covered_text(law: PostingLaw, limit: int, ranking: dict[str, int]) -> str:
    """The venue types a law covers, for a sentence: "airport, bus station, hotel (with conditions) and 2 more"."""
    covered = sorted(
        laws.stated_coverage(law),
        key=lambda item: (bool(item.condition), -ranking.get(item.slug, 0), item.name),
    )
    names = [_venue_type_phrase(item.name) + (_(" (with conditions)") if item.condition else "") for item in covered]
    if not names:
        return ""
    if len(names) > limit:
        return _("%(listed)s and %(more)d more") % {"listed": ", ".join(names[:limit]), "more": len(names) - limit}
    if len(names) == 1:
        return names[0]
    return _("%(listed)s and %(last)s") % {"listed": ", ".join(names[:-1]), "last": names[-1]}


def _law_figures(law: PostingLaw | None, ranking: dict[str, int]) -> dict[str, Any] | None:
    if law is None:
        return None
    verified = laws.is_verified(law)
    return {
        "status": law.status,
        "verified": verified,
        "confidence": law.confidence,
        # An unverified citation is not quoted, so it is not kept among what the letter quoted either.
        "citation": laws.citation_to_print(law) if verified else "",
        "citation_sentence": laws.citation_sentence(law) if verified else "",
        "covered": _covered_text(law, VENUE_TYPES_NAMED, ranking),
        "national_hotline_required": law.national_hotline_required,
    }


def _model_laws(jurisdiction: Jurisdiction, on: datetime.date, ranking: dict[str, int]) -> list[dict[str, str]]:
    """Other states' mandatory statutes to cite as models: high confidence only, the widest coverage first."""
    candidates = (
        PostingLaw.objects.in_force(on)
        .filter(status=PostingLaw.Status.MANDATORY, confidence=Confidence.HIGH)
        .exclude(citations=[])
        .exclude(jurisdiction=jurisdiction)
        # A law that requires a state hotline instead of the national one (Florida's) is no model for this request.
        .exclude(national_hotline_required=False)
        .annotate(venue_types=Count("coverage"))
        .select_related("jurisdiction")
        .prefetch_related("coverage__venue_type")
        .order_by("-venue_types", "jurisdiction__code")
    )
    cited: dict[str, dict[str, str]] = {}
    for law in candidates:
        if law.jurisdiction.code not in cited:
            cited[law.jurisdiction.code] = {
                "code": law.jurisdiction.code,
                "name": law.jurisdiction.name,
                "citation": laws.citation_to_print(law),
                "covered": _covered_text(law, 4, ranking),
            }
        if len(cited) == ADOPTION_EXAMPLES:
            break
    return list(cited.values())


def _signature(author: Any) -> list[str]:
    name = author.get_full_name() or author.get_username()
    return [name, "SignWatch"]


def _ag_record(jurisdiction: Jurisdiction) -> dict[str, Any] | None:
    record = AGPublicityRecord.objects.filter(jurisdiction=jurisdiction).first()
    return record.as_figures() if record else None


def quoted_figures(
    jurisdiction: Jurisdiction, *, kind: str, today: datetime.date, report_url: str, author: Any
) -> dict[str, Any]:
    """Everything a letter states about the law and the figures, as frozen JSON (jurisdiction with prefetched law)."""
    board = scoreboard.current(today).data
    entry = board["jurisdictions"][jurisdiction.code]
    venue_type_names = dict(VenueType.objects.values_list("slug", "name"))
    ranking = _venue_type_ranking()
    return {
        "dated": today.isoformat(),
        "as_of": board["as_of"],
        "fresh_since": entry["fresh_since"],
        "freshness_days": board["freshness_days"],
        "min_n": board["min_n"],
        "demo_data": board["demo_data"],
        "law_status": entry["law_status"],
        "verdict": entry["verdict"],
        "overall": entry["overall"],
        "design_estimate": entry.get("design_estimate"),
        "voluntary": entry["voluntary"],
        "by_venue_type": [
            {**item, "name": venue_type_names.get(item["venue_type"], item["venue_type"])}
            for item in entry["by_venue_type"]
            if item["figures"]["n"]
        ][:VENUE_TYPE_LINES],
        "law": _law_figures(jurisdiction.current_law(today), ranking),
        "machine_reading": reports.machine_reading(
            jurisdiction, since=datetime.date.fromisoformat(entry["fresh_since"])
        ).as_dict(),
        "cited_laws": _model_laws(jurisdiction, today, ranking) if kind == Letter.Kind.ADOPTION else [],
        "report_url": report_url,
        "ag_record": _ag_record(jurisdiction),
        "signature": _signature(author),
    }


# Control characters have no place in a letter, and Word's XML cannot hold them (python-docx would refuse the text).
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _paragraphs(text: str) -> list[str]:
    """Blank-line separated paragraphs, each on one line with its spaces collapsed; empty ones dropped."""
    text = _CONTROL_CHARACTERS.sub("", text)
    return [" ".join(chunk.split()) for chunk in re.split(r"\n\s*\n", text) if chunk.strip()]


def render_text(kind: str, *, jurisdiction_name: str, figures: dict[str, Any], message: str = "") -> tuple[str, str]:
    """The subject and body of a letter from its kind's template and the frozen figures."""
    context = {
        "name": jurisdiction_name,
        "f": figures,
        "law": figures["law"],
        "as_of": datetime.date.fromisoformat(figures["as_of"]),
        "since": datetime.date.fromisoformat(figures["fresh_since"]),
        "months": round(figures["freshness_days"] / 30.4),
        "message": "\n\n".join(_paragraphs(message)),
    }
    # Plain text, not HTML: no escaping, or "Gov't" would become "Gov&#x27;t" in the letter.
    template = get_template(f"letters/{kind}.txt").template  # type: ignore[attr-defined]
    paragraphs = _paragraphs(template.render(Context(context, autoescape=False)))
    return paragraphs[0], "\n\n".join(paragraphs[1:])


@in_english
@transaction.atomic
def compose(
    *,
    jurisdiction: Jurisdiction,
    kind: str,
    author: Any,
    report_url: str,
    today: datetime.date | None = None,
    message: str = "",
) -> Letter:
    """Write and save a letter to a jurisdiction's AG office, freezing its text and the figures it quotes."""
    if message.strip() and kind != Letter.Kind.CUSTOM:
        raise LetterRefused(
            code="invalid", field="message", detail=_("Only a custom letter takes a message of your own.")
        )
    today = today or timezone.localdate()
    jurisdiction = Jurisdiction.objects.with_current_law().get(pk=jurisdiction.pk)
    office = getattr(jurisdiction, "ag_office", None)
    if office is None:
        raise LetterRefused(
            code="no_ag_office",
            field="jurisdiction",
            detail=_("We have no Attorney General address for %(name)s yet.") % {"name": jurisdiction.name},
        )
    figures = quoted_figures(jurisdiction, kind=kind, today=today, report_url=report_url, author=author)
    if kind not in applicable_kinds(figures):
        raise LetterRefused(
            code="kind_not_applicable",
            field="kind",
            detail=_("A letter of this kind does not fit %(name)s's law and figures; suggested: %(kind)s.")
            % {"name": jurisdiction.name, "kind": suggested_kind(figures)},
        )
    subject, body = render_text(kind, jurisdiction_name=jurisdiction.name, figures=figures, message=message)
    law = figures["law"]
    letter = Letter(
        jurisdiction=jurisdiction,
        kind=kind,
        author=author,
        recipient=office.mailing_address,
        subject=subject,
        body=body,
        figures=figures,
        citation_verified=bool(law and law["verified"] and law["citation"]),
    )
    letter._history_user = author  # type: ignore[attr-defined]
    letter.save()
    return letter


# --- DOCX and PDF ---


@dataclass(frozen=True)
class Block:
    """A paragraph of the body, or an item of a list."""

    text: str
    is_item: bool


def blocks(body: str) -> list[Block]:
    """The frozen body as paragraphs and list items."""
    return [
        Block(paragraph.removeprefix(BULLET), True) if paragraph.startswith(BULLET) else Block(paragraph, False)
        for paragraph in body.split("\n\n")
        if paragraph.strip()
    ]


def dated(letter: Letter) -> str:
    """The letter's date as written on it ("November 22, 2026")."""
    day = datetime.date.fromisoformat(letter.figures["dated"])
    return dateformat.format(day, "F j, Y")


def _add_lines(paragraph: Any, lines: Sequence[str]) -> None:
    for number, line in enumerate(lines):
        run = paragraph.add_run(line)
        if number < len(lines) - 1:
            run.add_break(WD_BREAK.LINE)


def file_name(letter: Letter, extension: str) -> str:
    """The name a letter is saved under: signwatch-letter-TX-enforcement-2026-11-22.pdf."""
    return f"signwatch-letter-{letter.jurisdiction.code}-{letter.kind}-{letter.figures.get('dated', '')}.{extension}"


@in_english
def to_docx(letter: Letter) -> bytes:
    """The letter as an editable Word document: letterhead, date, recipient, subject, body, signature."""
    document = docx.Document()
    section = document.sections[0]
    section.page_width, section.page_height = Inches(8.5), Inches(11)
    section.left_margin = section.right_margin = section.top_margin = section.bottom_margin = Inches(1)
    normal = document.styles["Normal"]
    normal.font.name = "Times New Roman"
    normal.font.size = Pt(11.5)
    normal.paragraph_format.space_after = Pt(8)
    document.core_properties.title = letter.subject
    document.core_properties.author = "SignWatch"

    letterhead = document.add_paragraph()
    brand = letterhead.add_run(LETTERHEAD)
    brand.bold = True
    brand.font.size = Pt(16)
    brand.add_break(WD_BREAK.LINE)
    tagline = letterhead.add_run(LETTERHEAD_TAGLINE)
    tagline.font.size = Pt(9)
    tagline.font.color.rgb = RGBColor(0x55, 0x55, 0x55)
    letterhead.paragraph_format.space_after = Pt(24)

    document.add_paragraph(dated(letter))
    _add_lines(document.add_paragraph(), letter.recipient)
    subject = document.add_paragraph()
    subject.add_run(_("Re: %(subject)s") % {"subject": letter.subject}).bold = True
    for block in blocks(letter.body):
        document.add_paragraph(block.text, style="List Bullet" if block.is_item else None)
    document.add_paragraph(_("Sincerely,")).paragraph_format.space_before = Pt(8)
    signature = document.add_paragraph()
    signature.paragraph_format.space_before = Pt(28)
    _add_lines(signature, letter.figures["signature"])

    output = io.BytesIO()
    document.save(output)
    return output.getvalue()


def _no_fetching(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    # The letter's HTML references nothing outside itself; refusing every fetch keeps rendering offline and safe.
    raise ValueError(f"letters load no resources: {url}")


@in_english
def to_pdf(letter: Letter) -> bytes:
    """The letter as a US Letter PDF, drawn by WeasyPrint from frontend/templates/letters/letter_pdf.html."""
    html = render_to_string(
        "letters/letter_pdf.html",
        {
            "letter": letter,
            "dated": dated(letter),
            "blocks": blocks(letter.body),
            "letterhead": LETTERHEAD,
            "tagline": LETTERHEAD_TAGLINE,
        },
    )
    pdf = HTML(string=html, url_fetcher=_no_fetching).write_pdf()
    assert pdf is not None  # write_pdf returns bytes when no target is given
    return pdf
