"""Every API error is JSON shaped as {"code", "detail", "field"}: scripts branch on `code`, people read `detail`."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, TooManyFilesSent
from django.http import Http404, HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.utils import OpenApiResponse
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from compliance import observations, photos


class APIError(exceptions.APIException):
    """An error with its own status and machine-readable code, e.g. 422 outside_supported_area."""

    def __init__(self, *, status_code: int, code: str, detail: str, field: str | None = None) -> None:
        super().__init__(detail=detail, code=code)
        self.status_code = status_code
        self.field = field


class ErrorOutput(serializers.Serializer):
    """The shape of every API error, for the OpenAPI schema."""

    code = serializers.CharField(help_text="Machine-readable, e.g. outside_supported_area, file_too_large.")
    detail = serializers.CharField(help_text="For people; translated.")
    field = serializers.CharField(allow_null=True, help_text="The input field at fault, or null.")
    errors = serializers.DictField(
        required=False, help_text="Every field's messages, when validation found faults in several fields."
    )


# The HTTP status of each domain refusal: the domain modules say what went wrong, only the API says how to answer.
DOMAIN_STATUSES: dict[type[Exception], int] = {
    observations.LocationRequired: 422,
    observations.OutsideSupportedArea: 422,
    observations.IdempotencyKeyReused: 409,
    observations.OwnerClaimOpen: 409,
    observations.StorageUnavailable: 503,
    observations.ReasonRequired: 400,
    observations.OwnReport: 403,
    observations.ModerationConflict: 409,
}
PHOTO_STATUSES = {
    "empty_file": 400,
    "file_too_large": 413,
    "unsupported_media_type": 415,
    "corrupt_image": 400,
    "image_too_large": 413,
    "image_too_small": 400,
    "bad_aspect_ratio": 400,
}


def from_domain(
    error: observations.Refused | photos.PhotoRejected,
    field: str | None = None,
) -> APIError:
    """The API's answer to a domain module's refusal."""
    if isinstance(error, photos.PhotoRejected):
        return APIError(status_code=PHOTO_STATUSES[error.code], code=error.code, detail=error.detail, field=field)
    status_code = next((code for kind, code in DOMAIN_STATUSES.items() if isinstance(error, kind)), 400)
    return APIError(status_code=status_code, code=error.code, detail=str(error.detail), field=error.field or field)


ERROR_DESCRIPTIONS = {
    400: "A field is missing or invalid (field names it).",
    403: "Not allowed: not signed in, not in the right role, a failed CSRF check, or (own_report) a moderator "
    "deciding on their own report.",
    404: "Nothing with this identifier that you may see.",
    409: "Conflicts with the current state (already_reviewed; idempotency_key_reused: a key sent again with a "
    "different request; owner_claim_open: the venue's owner already reported the sign posted).",
    413: "Too large: a photo (file_too_large, image_too_large), the whole request (request_too_large) or too many "
    "files (too_many_files).",
    415: "Not a body type or an image format SignWatch takes (unsupported_media_type).",
    422: "Well-formed but unusable (location_required, outside_supported_area).",
    429: "Too many requests from this client; retry later.",
    503: "A service SignWatch needs (photo storage) is unavailable; retry later.",
}


def error_responses(*statuses: int) -> dict[int, OpenApiResponse]:
    """OpenAPI responses for the errors an operation can answer, each in the {code, detail, field} shape."""
    return {code: OpenApiResponse(ErrorOutput, description=ERROR_DESCRIPTIONS[code]) for code in statuses}


def error_body(code: str, detail: str, field: str | None = None) -> dict[str, Any]:
    """The JSON body of an error."""
    return {"code": code, "detail": str(detail), "field": field}


def _first_error(detail: Any, prefix: str = "") -> tuple[str | None, exceptions.ErrorDetail | str]:
    """The first (field, message) of a DRF validation error, walking nested dicts and lists."""
    if isinstance(detail, dict):
        for key, value in detail.items():
            field = None if key == "non_field_errors" else f"{prefix}{key}"
            nested_field, message = _first_error(value, f"{field}." if field else prefix)
            return nested_field or field, message
    if isinstance(detail, list) and detail:
        return _first_error(detail[0], prefix)
    return None, detail


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler, reshaped: {"code", "detail", "field"}, plus all field errors when validation found several."""
    if isinstance(exc, TooManyFilesSent):
        exc = APIError(
            status_code=413,
            code="too_many_files",
            detail=_("Send at most %(n)d photos.") % {"n": settings.DATA_UPLOAD_MAX_NUMBER_FILES},
            field="photos",
        )
    elif isinstance(exc, RequestDataTooBig):
        exc = APIError(status_code=413, code="request_too_large", detail=_("The request's fields are too large."))
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    if isinstance(exc, APIError):
        response.data = error_body(exc.detail.code, exc.detail, exc.field)
    elif isinstance(exc, exceptions.ValidationError):
        field, message = _first_error(exc.detail)
        code = getattr(message, "code", "invalid") or "invalid"
        response.data = error_body(code, message, field)
        if isinstance(exc.detail, dict) and len(exc.detail) > 1:
            response.data["errors"] = exc.detail
    else:
        detail = getattr(exc, "detail", "")
        code = getattr(detail, "code", None) or getattr(exc, "default_code", "error")
        response.data = error_body(code, detail)
    return response


def json_error(status_code: int, code: str, detail: str) -> JsonResponse:
    """An error answered outside DRF (by Django's own handlers), in the API's shape."""
    return JsonResponse(error_body(code, detail), status=status_code)


# Exempt: whatever the method, the answer is this JSON 404, not the CSRF middleware's HTML 403 page.
@csrf_exempt
def json_not_found(request: HttpRequest) -> JsonResponse:
    """404 for an unknown address under /api/."""
    return JsonResponse(
        error_body("not_found", _("There is nothing at this address.")), status=status.HTTP_404_NOT_FOUND
    )


def json_server_error(request: HttpRequest) -> JsonResponse:
    """500 under /api/: no HTML page, no traceback."""
    return JsonResponse(
        error_body("server_error", _("Something went wrong on our side; it has been logged.")),
        status=status.HTTP_500_INTERNAL_SERVER_ERROR,
    )
