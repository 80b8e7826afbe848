"""Open311 GeoReport v2: approved reports as read-only service requests, for civic-tech tools.

    GET /open311/v2/discovery.{xml,json}
    GET /open311/v2/services.{xml,json}
    GET /open311/v2/services/{service_code}.{xml,json}
    GET /open311/v2/requests.{xml,json}[?service_request_id=&service_code=&status=&start_date=&end_date=
                                         &jurisdiction_id=&page=&page_size=]
    GET /open311/v2/requests/{service_request_id}.{xml,json}

Every sign report is a request of one of three services (hotline sign missing / deficient / posted). A request is
"open" while the venue's latest approved report still finds the sign missing or deficient, "closed" once a report
finds it posted. What a request carries is what the public venue page shows, no more: the venue's point (never the
volunteer's), the day the sign was seen (a date, no time of day, by design), the status, deficiencies, languages and
the first photo. Demo data is left out: tools that import it would take it for real. Every endpoint answers in XML
(the specification's default format) and in JSON, by the address's extension; errors follow the GeoReport shape, a
list of {"code", "description"} (`<errors><error>` in XML). Submitting through Open311 is not offered: reports come
through the moderated form (/submit/).
"""

from __future__ import annotations

import datetime
import re
import uuid
from collections.abc import Callable
from typing import Any
from xml.etree import ElementTree

import orjson
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from compliance import kept
from compliance.i18n import speaks_spanish
from compliance.models import AGOffice, Deficiency, Jurisdiction, Observation, Photo, PostingLaw, SignStatus

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-11-30T00:00:00Z"  # when this endpoint's behaviour last changed (discovery.json)
DEFAULT_WINDOW_DAYS = 90  # the specification's default when no date is given
MAX_PAGE_SIZE = 1000  # the specification's default limit
# Paging reaches this many requests into a query; past it, narrow the dates. An offset costs a walk over every row
# before it, so an unbounded page number would let anyone make the server read the whole table per request.
MAX_PAGED_ROWS = 50_000

SERVICE_BY_STATUS = {
    SignStatus.MISSING: "hotline_sign_missing",
    SignStatus.DEFICIENT: "hotline_sign_deficient",
    SignStatus.POSTED: "hotline_sign_posted",
}
STATUS_BY_SERVICE = {code: status for status, code in SERVICE_BY_STATUS.items()}
NOT_POSTED = (SignStatus.MISSING, SignStatus.DEFICIENT)
OPEN = Q(sign_status__in=NOT_POSTED, venue__current_status__in=NOT_POSTED)


# Approved observations as value rows; the types are left open, as django-stubs types an annotated values() query
# as a TypedDict that no plain dict type accepts.
Rows = QuerySet[Any, Any]


class Open311Error(Exception):
    """A request we answer with GeoReport's error list."""

    def __init__(self, status: int, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.description = description


FORMATS = ("xml", "json")
# GeoReport's XML names the element of each list after its container: <services><service>, <errors><error>, ...
XML_ITEM_NAMES = {
    "services": "service",
    "service_requests": "request",
    "errors": "error",
    "endpoints": "endpoint",
    "formats": "format",
    "attributes": "attribute",
    "values": "value",
}
# Characters XML 1.0 cannot carry, not even escaped; a venue name typed on a phone could hold one.
XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml_element(name: str, value: Any) -> ElementTree.Element:
    element = ElementTree.Element(name)
    if isinstance(value, dict):
        element.extend(_xml_element(key, item) for key, item in value.items())
    elif isinstance(value, list):
        element.extend(_xml_element(XML_ITEM_NAMES[name], item) for item in value)
    elif isinstance(value, bool):
        element.text = "true" if value else "false"
    elif value is not None:
        element.text = XML_ILLEGAL.sub("", str(value))
    return element


def as_xml(root: str, data: Any) -> bytes:
    """GeoReport v2 XML of a payload: a list becomes <root><item>...</item></root>, None an empty element."""
    return ElementTree.tostring(_xml_element(root, data), encoding="utf-8", xml_declaration=True)


def _answer(data: Any, fmt: str, root: str, *, status: int = 200) -> HttpResponse:
    if fmt == "xml":
        response = HttpResponse(as_xml(root, data), status=status, content_type="text/xml; charset=utf-8")
    else:
        response = HttpResponse(orjson.dumps(data), status=status, content_type="application/json")
    response["Access-Control-Allow-Origin"] = "*"  # public data, read by browser-based civic tools
    return response


def _error(status: int, description: str, fmt: str = "json") -> HttpResponse:
    return _answer([{"code": status, "description": description}], fmt, "errors", status=status)


def _get_only(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """GET and HEAD only, and any Open311Error as GeoReport's error list (exempt from CSRF: nothing is written)."""

    @csrf_exempt
    def wrapper(request: HttpRequest, *args: Any, fmt: str, **kwargs: Any) -> HttpResponse:
        if request.method not in ("GET", "HEAD"):
            response = _error(405, _("This endpoint only reads. Report a sign through the form at /submit/."), fmt)
            response["Allow"] = "GET, HEAD"
            return response
        try:
            return view(request, *args, fmt=fmt, **kwargs)
        except Open311Error as error:
            return _error(error.status, error.description, fmt)

    wrapper.__doc__ = view.__doc__
    return wrapper


def _services() -> list[dict[str, Any]]:
    group = _("Human trafficking hotline signs")
    keywords = "human trafficking, hotline, sign, posting law"
    return [
        {
            "service_code": SERVICE_BY_STATUS[SignStatus.MISSING],
            "service_name": _("Hotline sign missing"),
            "description": _("No National Human Trafficking Hotline sign was found at the place."),
            "metadata": False,
            "type": "batch",
            "keywords": keywords,
            "group": group,
        },
        {
            "service_code": SERVICE_BY_STATUS[SignStatus.DEFICIENT],
            "service_name": _("Hotline sign deficient"),
            "description": _("A hotline sign is posted but falls short of the law: number, language, size or place."),
            "metadata": False,
            "type": "batch",
            "keywords": keywords,
            "group": group,
        },
        {
            "service_code": SERVICE_BY_STATUS[SignStatus.POSTED],
            "service_name": _("Hotline sign posted"),
            "description": _("A hotline sign was found posted: the evidence that closes a missing or deficient one."),
            "metadata": False,
            "type": "batch",
            "keywords": keywords,
            "group": group,
        },
    ]


@_get_only
def discovery(request: HttpRequest, fmt: str) -> HttpResponse:
    """Where this GeoReport v2 endpoint is and what it offers."""
    return _answer(
        {
            "changeset": CHANGESET,
            "contact": _("SignWatch: reports come from volunteers and are checked by moderators before they show."),
            "key_service": _("No API key: the endpoint only reads public data."),
            "endpoints": [
                {
                    "specification": SPECIFICATION,
                    "url": request.build_absolute_uri(reverse("open311-services", args=[fmt]))[
                        : -len(f"services.{fmt}")
                    ],
                    "changeset": CHANGESET,
                    "type": "production",
                    "formats": ["text/xml", "application/json"],
                }
            ],
        },
        fmt,
        "discovery",
    )


@_get_only
def services(request: HttpRequest, fmt: str) -> HttpResponse:
    """The three services: hotline sign missing, deficient, posted."""
    return _answer(_services(), fmt, "services")


@_get_only
def service_definition(request: HttpRequest, fmt: str, service_code: str) -> HttpResponse:
    """A service's attributes: none, as no service asks for metadata (the specification answers it all the same)."""
    if service_code not in STATUS_BY_SERVICE:
        raise Open311Error(404, _("There is no service with this code."))
    return _answer({"service_code": service_code, "attributes": []}, fmt, "service_definition")


def _remembered(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Keep each answer under the state of the data (kept.answer): civic tools poll the same queries."""

    def wrapper(request: HttpRequest, *args: Any, fmt: str, **kwargs: Any) -> HttpResponse:
        name = f"open311:{fmt}:{request.build_absolute_uri()}"
        # One request, or the list of one state's, is drawn from its jurisdiction's data alone: kept until that
        # changes (kept.answer). A list of requests named by id (which ignores the other filters) is not.
        jurisdiction = None
        if "public_id" in kwargs:
            jurisdiction = (
                Observation.objects.filter(public_id=kwargs["public_id"])
                .values_list("venue__jurisdiction_id", flat=True)
                .first()
            )
        elif (code := request.GET.get("jurisdiction_id", "").strip()) and not request.GET.get("service_request_id"):
            jurisdiction = kept.jurisdiction_of_code(code)
        return kept.answer(request, name, lambda: view(request, *args, fmt=fmt, **kwargs), jurisdiction=jurisdiction)

    wrapper.__doc__ = view.__doc__
    return wrapper


@_get_only
@_remembered
def service_requests(request: HttpRequest, fmt: str) -> HttpResponse:
    """Approved reports as service requests, newest first, filtered and paged."""
    params = request.GET
    rows = _public_requests()
    if ids := params.get("service_request_id", "").strip():
        # The specification: with ids given, the other filters are ignored.
        rows = rows.filter(public_id__in=[_uuid(value) for value in _split(ids)])
        page, size = 1, MAX_PAGE_SIZE
    else:
        rows = _filtered(rows, params)
        page = _positive_int(params.get("page"), "page", default=1, limit=1_000_000)
        size = _positive_int(params.get("page_size"), "page_size", default=MAX_PAGE_SIZE, limit=MAX_PAGE_SIZE)
        if page * size > MAX_PAGED_ROWS:
            raise Open311Error(
                400,
                _("Paging reaches the first %(rows)d requests of a query: narrow it with start_date and end_date.")
                % {"rows": MAX_PAGED_ROWS},
            )
    batch = list(rows[(page - 1) * size : page * size + 1])
    answer = _answer(_as_requests(request, batch[:size]), fmt, "service_requests")
    if len(batch) > size and (page + 1) * size <= MAX_PAGED_ROWS:
        following = {**params.dict(), "page": str(page + 1), "page_size": str(size)}
        answer["Link"] = f'<{request.build_absolute_uri(request.path)}?{urlencode(following)}>; rel="next"'
    return answer


@_get_only
@_remembered
def service_request(request: HttpRequest, fmt: str, public_id: uuid.UUID) -> HttpResponse:
    """One request; a report that is not approved does not exist here (404, the same as an unknown id)."""
    rows = list(_public_requests().filter(public_id=public_id))
    if not rows:
        raise Open311Error(404, _("There is no public service request with this id."))
    return _answer(_as_requests(request, rows), fmt, "service_requests")


@csrf_exempt
def not_found(request: HttpRequest) -> HttpResponse:
    """Anything else under /open311/: GeoReport's error list (XML unless the address asks for JSON), not a page."""
    fmt = "json" if request.path.endswith(".json") else "xml"
    return _error(404, _("There is nothing at this address."), fmt)


# --- queries ---


def _public_requests() -> Rows:
    first_photo = Photo.objects.filter(observation=OuterRef("pk")).order_by("position").values("public_id")[:1]
    return (
        Observation.objects.approved()
        .filter(is_demo=False, venue__is_demo=False)
        .order_by("-observed_on", "-pk")
        .values(
            "public_id",
            "sign_status",
            "deficiencies",
            "languages_seen",
            "observed_on",
            "published_at",
            "venue__public_id",
            "venue__name",
            "venue__latitude",
            "venue__longitude",
            "venue__current_status",
            "venue__status_observed_on",
            "venue__venue_type__name",
            "venue__venue_type__name_es",
            "venue__jurisdiction__code",
            "venue__jurisdiction__name",
        )
        .annotate(photo_id=Subquery(first_photo))
    )


def _filtered(rows: Rows, params: Any) -> Rows:
    if codes := params.get("service_code", "").strip():
        unknown = [code for code in _split(codes) if code not in STATUS_BY_SERVICE]
        if unknown:
            raise Open311Error(
                400,
                _("Unknown service_code %(code)s: use %(known)s.")
                % {"code": unknown[0][:40], "known": ", ".join(STATUS_BY_SERVICE)},
            )
        rows = rows.filter(sign_status__in=[STATUS_BY_SERVICE[code] for code in _split(codes)])
    if statuses := params.get("status", "").strip():
        wanted = set(_split(statuses))
        if not wanted <= {"open", "closed"}:
            raise Open311Error(400, _("status is open, closed, or both separated by a comma."))
        if wanted == {"open"}:
            rows = rows.filter(OPEN)
        elif wanted == {"closed"}:
            rows = rows.exclude(OPEN)
    if code := params.get("jurisdiction_id", "").strip():
        if len(code) != 2 or not Jurisdiction.objects.filter(code=code.upper()).exists():
            raise Open311Error(400, _("jurisdiction_id is a state or territory's USPS code, such as TX."))
        rows = rows.filter(venue__jurisdiction__code=code.upper())
    start = _day(params.get("start_date"), "start_date")
    end = _day(params.get("end_date"), "end_date")
    if start is None and end is None:
        start = timezone.localdate() - datetime.timedelta(days=DEFAULT_WINDOW_DAYS)
    if start is not None:
        rows = rows.filter(observed_on__gte=start)
    if end is not None:
        rows = rows.filter(observed_on__lte=end)
    return rows


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()][:100]


def _uuid(value: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError:
        raise Open311Error(400, _("service_request_id is a list of ids, separated by commas.")) from None


def _day(value: str | None, name: str) -> datetime.date | None:
    """The day of a W3C date or date-time (2026-11-30, 2026-11-30T12:00:00Z, ...); reports are dated to the day."""
    if not value:
        return None
    try:
        moment = datetime.datetime.fromisoformat(value.strip().replace(" ", "+"))  # a "+" in a query arrives as " "
    except ValueError:
        raise Open311Error(400, _("%(name)s is a date such as 2026-11-30.") % {"name": name}) from None
    if moment.year < 1900:
        raise Open311Error(400, _("%(name)s is a date such as 2026-11-30.") % {"name": name})
    return moment.date()


def _positive_int(value: str | None, name: str, *, default: int, limit: int) -> int:
    if value in (None, ""):
        return default
    if not (value.isascii() and value.isdigit() and len(value) <= 9 and 1 <= int(value) <= limit):
        raise Open311Error(400, _("%(name)s is a whole number from 1 to %(limit)d.") % {"name": name, "limit": limit})
    return int(value)


# --- what a request says ---


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _agencies() -> dict[str, str]:
    """Per jurisdiction, who answers for the sign: the agency the law in force names, else the AG office."""
    agencies = dict(AGOffice.objects.values_list("jurisdiction__code", "office_name"))
    for code, agency in (
        PostingLaw.objects.in_force(timezone.localdate())
        .exclude(enforcing_agency="")
        .values_list("jurisdiction__code", "enforcing_agency")
    ):
        agencies[code] = agency
    return agencies


def _as_requests(request: HttpRequest, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    agencies = _agencies() if rows else {}
    service_names = {service["service_code"]: service["service_name"] for service in _services()}
    spanish = speaks_spanish()
    deficiency_labels = dict(Deficiency.choices)
    photo_base = request.build_absolute_uri("/")[:-1]
    answer = []
    for row in rows:
        venue_type = (spanish and row["venue__venue_type__name_es"]) or row["venue__venue_type__name"]
        status = row["sign_status"]
        is_open = status in NOT_POSTED and row["venue__current_status"] in NOT_POSTED
        closed_later = status in NOT_POSTED and not is_open
        place = {"venue_type": _lower_first(venue_type), "state": row["venue__jurisdiction__name"]}
        if status == SignStatus.MISSING:
            description = _("No hotline sign at this %(venue_type)s in %(state)s.") % place
        elif status == SignStatus.DEFICIENT:
            problems = ", ".join(_lower_first(str(deficiency_labels.get(item, item))) for item in row["deficiencies"])
            description = _("Hotline sign deficient at this %(venue_type)s in %(state)s.") % place
            if problems:
                description += " " + _("What is wrong: %(problems)s.") % {"problems": problems}
        else:
            description = _("Hotline sign posted at this %(venue_type)s in %(state)s.") % place
        if row["languages_seen"]:
            description += " " + _("Languages on the sign: %(languages)s.") % {
                "languages": ", ".join(row["languages_seen"])
            }
        if closed_later:
            notes = _("A later report found the sign posted (%(day)s).") % {
                "day": row["venue__status_observed_on"].isoformat()
            }
            updated = row["venue__status_observed_on"]
        else:
            notes = "" if is_open else _("The sign was posted.")
            updated = timezone.localdate(row["published_at"]) if row["published_at"] else row["observed_on"]
        answer.append(
            {
                "service_request_id": str(row["public_id"]),
                "status": "open" if is_open else "closed",
                "status_notes": notes,
                "service_name": service_names[SERVICE_BY_STATUS[status]],
                "service_code": SERVICE_BY_STATUS[status],
                "description": description,
                "agency_responsible": agencies.get(row["venue__jurisdiction__code"], ""),
                "service_notice": "",
                "requested_datetime": row["observed_on"].isoformat(),  # the day, no time: see the module docstring
                "updated_datetime": updated.isoformat(),
                "expected_datetime": None,
                "address": ", ".join(part for part in (row["venue__name"], row["venue__jurisdiction__name"]) if part),
                "address_id": str(row["venue__public_id"]),
                "zipcode": None,
                "lat": row["venue__latitude"],
                "long": row["venue__longitude"],
                "media_url": photo_base + reverse("photo", args=[row["photo_id"]]) if row["photo_id"] else None,
            }
        )
    return answer
