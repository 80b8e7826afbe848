"""A jurisdiction's compliance report for its Attorney General office: a page, a PDF, and CSV / GeoJSON exports.

Who may see what:
- The page and the PDF are public. They hold approved data only, the same figures as the public map, and nothing
  about any reporter; anyone may read, print and cite them, and letters to AG offices link to them.
- The CSV and GeoJSON exports put every reported venue of a jurisdiction, with its point, in one file. They are for
  the people who act on them: that jurisdiction's AG office, advocates, moderators and staff
  (`roles.may_see_private_data_of`). Everyone else, an AG office of another state included, gets 404 rather than
  403, as for every private resource: the answer does not confirm what exists.
"""

from __future__ import annotations

import csv
import itertools

import orjson
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_safe

from compliance import documents, kept, reports, roles, scoreboard
from compliance.i18n import in_english
from compliance.models import Jurisdiction
from compliance.views.documents import serve


def _jurisdiction(code: str) -> Jurisdiction:
    return get_object_or_404(Jurisdiction.objects.with_current_law(), code=code.upper())


def _private_jurisdiction(request: HttpRequest, code: str) -> Jurisdiction:
    jurisdiction = get_object_or_404(Jurisdiction, code=code.upper())
    if not roles.may_see_private_data_of(request.user, jurisdiction.code):
        raise Http404
    return jurisdiction


@require_safe
@kept.page(kept.jurisdiction_of_code, also=(scoreboard.ROUTED_BY_TRUST,))  # it quotes the national audit rates
@in_english
def report_page(request: HttpRequest, code: str) -> HttpResponse:
    """The report as a web page. Public: approved data only, no reporter identity; links to the exports if allowed."""
    report = reports.build(_jurisdiction(code))
    can_export = roles.may_see_private_data_of(request.user, report.jurisdiction.code)
    return render(request, "reports/report.html", reports.page_context(report, can_export=can_export))


@require_safe
@in_english
def report_pdf(request: HttpRequest, code: str) -> HttpResponse:
    """The same report as a PDF (print stylesheet, US Letter, numbered pages). Public, like the page.

    It is drawn without the request, so it is the same document whoever asks for it. Drawing takes about a second
    of CPU: it is drawn once per state of the data (the stamp changes with any approval, law edit or new day), not
    once per request, or anyone could keep the workers busy; with task workers it is drawn off the request path.
    """
    jurisdiction = _jurisdiction(code)
    wanted = documents.Wanted(
        documents.Kind.REPORT_PDF,
        documents.report_key(jurisdiction),
        scoreboard.stamp(),
        base_url=request.build_absolute_uri("/"),
    )
    return serve(request, documents.obtain(wanted), content_type="application/pdf")


class _Echo:
    """A file that hands back what is written to it, so csv.writer can feed a streaming response."""

    def write(self, value: str) -> str:
        return value


@require_safe
@in_english
def report_csv(request: HttpRequest, code: str) -> StreamingHttpResponse:
    """Every public venue of the jurisdiction, one row each, safe to open in a spreadsheet. Private (see above)."""
    jurisdiction = _private_jurisdiction(request, code)
    writer = csv.writer(_Echo())
    rows = (writer.writerow(row) for row in reports.csv_rows(reports.venue_records(jurisdiction)))
    # The byte-order mark makes Excel read the file as UTF-8 (venue names are not all ASCII).
    response = StreamingHttpResponse(itertools.chain(["\ufeff"], rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="{reports.filename(jurisdiction, timezone.localdate(), "csv")}"'
    )
    response["Cache-Control"] = "private, no-store"
    return response


@require_safe
@in_english
def report_geojson(request: HttpRequest, code: str) -> HttpResponse:
    """The same venues as a GeoJSON FeatureCollection of their points. Private (see above)."""
    jurisdiction = _private_jurisdiction(request, code)
    body = orjson.dumps(reports.geojson(reports.venue_records(jurisdiction)))
    response = HttpResponse(body, content_type="application/geo+json")
    response["Content-Disposition"] = (
        f'attachment; filename="{reports.filename(jurisdiction, timezone.localdate(), "geojson")}"'
    )
    response["Cache-Control"] = "private, no-store"
    return response
