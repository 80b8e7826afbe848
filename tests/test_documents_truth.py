"""Documents tell the truth: every letter kind, report and sign, for every jurisdiction and both languages, is free
of research notes, doubts and placeholders, and names the sources of the claims it makes."""

from __future__ import annotations

import datetime
import io
import re

import pypdf
import pytest
from django.contrib.auth.models import User
from django.template.loader import render_to_string
from django.test import Client
from django.utils import translation

from compliance import laws, letters, signs
from compliance.models import Jurisdiction, Letter, PostingLaw, VenueType

TODAY = datetime.date(2026, 12, 6)
# What a research note says of itself; none of it belongs in a document an Attorney General's staff will read.
RESEARCH_PHRASES = re.compile(
    r"not read|inferred|unconfirmed|not confirmed|truncated|\bper (?:ABMP|NCSL|bamapolitics|compliance)|"
    r"set out in\s*[.;,]|set out in\s*$|\[[^\]]*\]|\{\{|\{%|(?-i:TODO|\bNone\b)",
    re.IGNORECASE | re.MULTILINE,
)
SPEAKERS = {"en": Client(headers={"accept-language": "en"}), "es": Client(headers={"accept-language": "es"})}


def flat(text: str) -> str:
    return " ".join(text.split())


def visible_text(html: str) -> str:
    """The words of a page a reader sees: no scripts, styles or tags."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.DOTALL | re.IGNORECASE)
    return flat(re.sub(r"<[^>]+>", " ", html))


def research_notes(law: PostingLaw | None) -> list[str]:
    """The law row's research notes, line by line (long enough to be recognised if a document printed them)."""
    if law is None:
        return []
    return [line.strip() for line in law.notes.splitlines() if len(line.strip()) > 25]


def assert_truthful(text: str, law: PostingLaw | None, where: str) -> None:
    found = RESEARCH_PHRASES.search(text)
    assert found is None, f"{where}: {found.group(0)!r} in …{text[max(0, found.start() - 80) : found.end() + 80]}…"
    for note in research_notes(law):
        assert flat(note) not in text, f"{where}: research note printed: {note[:80]}"


def all_laws() -> list[tuple[Jurisdiction, PostingLaw | None]]:
    return [(j, j.current_law(TODAY)) for j in Jurisdiction.objects.with_current_law().order_by("code")]


@pytest.fixture
def author(db) -> User:
    return User.objects.create_user("writer", first_name="Ada", last_name="Writer")


def test_every_letter_kind_for_every_jurisdiction_is_truthful(author):
    """Letters are English (an AG letter is not translated); every kind is rendered, applicable or not."""
    rendered = 0
    for jurisdiction, law in all_laws():
        for kind in Letter.Kind.values:
            figures = letters.quoted_figures(
                jurisdiction,
                kind=kind,
                today=TODAY,
                report_url=f"https://example.org/reports/{jurisdiction.code}/",
                author=author,
            )
            subject, body = letters.render_text(kind, jurisdiction_name=jurisdiction.name, figures=figures)
            assert_truthful(f"{subject}\n{body}", law, f"{jurisdiction.code} {kind} letter")
            rendered += 1
    assert rendered == 56 * len(Letter.Kind.values)  # the campaign letter included


def test_letters_name_the_sources_of_their_claims(author):
    figures = letters.quoted_figures(
        Jurisdiction.objects.get(code="TX"), kind="enforcement", today=TODAY, report_url="https://e.org/", author=author
    )
    _subject, body = letters.render_text("enforcement", jurisdiction_name="Texas", figures=figures)
    body = flat(body)
    assert "call volume rose by up to 200%" in body and "Polaris" in body
    assert "Northeastern University" in body and "National Institute of Justice" in body and "NCJ 249670" in body


def test_a_letter_without_anything_to_cite_says_so_plainly(author):
    nebraska = Jurisdiction.objects.get(code="NE")
    figures = letters.quoted_figures(
        nebraska, kind="enforcement", today=TODAY, report_url="https://e.org/", author=author
    )
    _subject, body = letters.render_text("enforcement", jurisdiction_name="Nebraska", figures=figures)
    assert "Nebraska law requires a human trafficking hotline sign to be posted" in body
    assert "We could not confirm the section of the code or the act that sets out the requirement." in flat(body)


def test_a_letter_without_a_codified_section_cites_the_session_law_plainly(author):
    kansas = Jurisdiction.objects.get(code="KS")
    figures = letters.quoted_figures(
        kansas, kind="enforcement", today=TODAY, report_url="https://e.org/", author=author
    )
    _subject, body = letters.render_text("enforcement", jurisdiction_name="Kansas", figures=figures)
    assert (
        "The requirement was enacted by 2021 HB 2079; we could not confirm the section of the code that holds it."
        in flat(body)
    )


@pytest.mark.parametrize("language", ["en", "es"])
def test_every_report_page_is_truthful(db, language):
    for jurisdiction, law in all_laws():
        response = SPEAKERS[language].get(f"/reports/{jurisdiction.code}/")
        assert response.status_code == 200
        assert_truthful(visible_text(response.content.decode()), law, f"{jurisdiction.code} report ({language})")


def test_report_pdf_is_truthful_where_a_research_note_once_showed(db):
    reader = pypdf.PdfReader(io.BytesIO(Client().get("/reports/CA.pdf").content))
    text = flat("\n".join(page.extract_text() for page in reader.pages))
    assert "Cal. Civ. Code § 52.6" in text
    assert_truthful(text, Jurisdiction.objects.get(code="CA").current_law(), "CA report PDF")


def _sign_documents(spec: signs.SignSpec) -> str:
    """The sign and its notes page as the PDF draws them (the HTML WeasyPrint is given)."""
    typography = spec.typography
    layout = signs._block_layout(spec, typography)
    sign = render_to_string(
        "signs/sign.html", {"spec": spec, "type": typography, "layout": layout, "margin_in": signs.MARGIN_IN}
    )
    notes = render_to_string("signs/sign_notes.html", {"spec": spec, "margin_in": signs.MARGIN_IN})
    return visible_text(sign) + " " + visible_text(notes)


@pytest.mark.parametrize("language", ["en", "es"])
def test_every_sign_for_every_jurisdiction_and_covered_venue_type_is_truthful(db, language):
    venue_types = {venue_type.slug: venue_type for venue_type in VenueType.objects.all()}
    checked = 0
    with translation.override(language):
        for jurisdiction, law in all_laws():
            choices = [None, *(venue_types[item.slug] for item in laws.covered_venue_types(law))]
            for venue_type in choices:
                spec = signs.sign_spec(law, venue_type, jurisdiction=jurisdiction, today=TODAY)
                where = f"{jurisdiction.code} sign for {venue_type.slug if venue_type else 'any venue'} ({language})"
                assert_truthful(_sign_documents(spec), law, where)
                checked += 1
    assert checked > 300


@pytest.mark.parametrize("language", ["en", "es"])
def test_every_sign_page_is_truthful(db, language):
    for jurisdiction, law in all_laws():
        response = SPEAKERS[language].get(f"/signs/{jurisdiction.code}/")
        assert response.status_code == 200
        assert_truthful(visible_text(response.content.decode()), law, f"{jurisdiction.code} sign page ({language})")
