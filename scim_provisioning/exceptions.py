"""The SCIM error envelope (RFC 7644 §3.12) and the one exception handler behind it.

Every non-2xx answer of the SCIM views goes through ``scim_exception_handler``:
DRF's exceptions, Django's ``Http404``/``PermissionDenied``/``ValidationError``
and ``SuspiciousOperation`` (400, as Django answers it), database integrity
and data errors, and anything unexpected (logged, then answered 500) all
become ``{"schemas": [...Error], "status": "...", ...}``.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import (
    PermissionDenied,
    RequestDataTooBig,
    SuspiciousOperation,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError, IntegrityError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import set_rollback

from .constants import ERROR_SCHEMA, MEDIA_TYPE

logger = logging.getLogger(__name__)


class ScimType:
    """``scimType`` values of RFC 7644 §3.12, Table 9."""

    INVALID_FILTER = "invalidFilter"
    TOO_MANY = "tooMany"
    UNIQUENESS = "uniqueness"
    MUTABILITY = "mutability"
    INVALID_SYNTAX = "invalidSyntax"
    INVALID_PATH = "invalidPath"
    NO_TARGET = "noTarget"
    INVALID_VALUE = "invalidValue"
    INVALID_VERS = "invalidVers"
    SENSITIVE = "sensitive"


class ScimError(exceptions.APIException):
    """An error the SCIM client should see as-is: HTTP status, scimType, detail."""

    def __init__(self, status_code: int, detail: str, scim_type: str | None = None) -> None:
        super().__init__(detail=detail)
        self.status_code = status_code
        self.scim_type = scim_type

    def to_dict(self) -> dict[str, Any]:
        return error_body(self.status_code, str(self.detail), self.scim_type)


def error_body(status_code: int, detail: str, scim_type: str | None = None) -> dict[str, Any]:
    """The RFC 7644 §3.12 error document; ``status`` is a string."""
    body: dict[str, Any] = {"schemas": [ERROR_SCHEMA], "status": str(status_code)}
    if scim_type:
        body["scimType"] = scim_type
    body["detail"] = detail
    return body


def error_response(status_code: int, detail: str, scim_type: str | None = None) -> Response:
    return Response(error_body(status_code, detail, scim_type), status=status_code, content_type=MEDIA_TYPE)


def format_errors(errors: Any) -> str:
    """Render serializer errors as plain data, e.g. ``{'emails': ['This field is required.']}``."""
    if isinstance(errors, dict):
        return repr(_plain(errors))
    if isinstance(errors, list) and len(errors) == 1:
        return str(errors[0])
    return repr(_plain(errors))


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return str(value)


def _scim_error_for(exc: Exception) -> ScimError | None:
    """Translate a known exception into a ``ScimError``; None for unexpected ones."""
    if isinstance(exc, ScimError):
        return exc
    if isinstance(exc, exceptions.ValidationError):
        return ScimError(400, format_errors(exc.detail), ScimType.INVALID_VALUE)
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else exc.messages
        return ScimError(400, format_errors(detail), ScimType.INVALID_VALUE)
    if isinstance(exc, exceptions.ParseError):
        return ScimError(400, str(exc.detail), ScimType.INVALID_SYNTAX)
    if isinstance(exc, (Http404, exceptions.NotFound)):
        return ScimError(404, "Resource not found.")
    if isinstance(exc, PermissionDenied):
        return ScimError(403, "You do not have permission to perform this action.")
    if isinstance(exc, SuspiciousOperation):
        return _suspicious(exc)
    if isinstance(exc, IntegrityError):
        return ScimError(409, "A user with these unique attributes already exists.", ScimType.UNIQUENESS)
    if isinstance(exc, DataError):
        return ScimError(400, "A value does not fit the stored attribute.", ScimType.INVALID_VALUE)
    if isinstance(exc, exceptions.APIException):
        return ScimError(exc.status_code, str(exc.detail))
    return None


def _suspicious(exc: SuspiciousOperation) -> ScimError:
    """Django's request limits and checks, answered as Django answers them (400, or 413), as SCIM errors.

    Raised inside a view when the request is first read, e.g. a query string
    with more than ``DATA_UPLOAD_MAX_NUMBER_FIELDS`` parameters. Logged to
    ``django.security.<name>``, where Django itself logs them.
    """
    logging.getLogger(f"django.security.{type(exc).__name__}").error(str(exc))
    if isinstance(exc, RequestDataTooBig):
        return ScimError(413, "The request body is too large.")
    if isinstance(exc, (TooManyFieldsSent, TooManyFilesSent)):
        return ScimError(400, str(exc), ScimType.INVALID_SYNTAX)
    # E.g. DisallowedHost, whose message names settings; Django's own 400 page does not show it either.
    return ScimError(400, "The request was refused as malformed.")


def scim_exception_handler(exc: Exception, context: dict[str, Any]) -> Response:
    """DRF exception handler that answers every error with a SCIM error envelope."""
    error = _scim_error_for(exc)
    if error is None:
        logger.exception("Unhandled error in a SCIM request", exc_info=exc)
        error = ScimError(500, "Internal server error.")
    set_rollback()
    response = error_response(error.status_code, str(error.detail), error.scim_type)
    wait = getattr(exc, "wait", None)
    if isinstance(exc, exceptions.Throttled) and wait is not None:
        response["Retry-After"] = str(int(wait))
    auth_header = getattr(exc, "auth_header", None)
    if auth_header:
        response["WWW-Authenticate"] = auth_header
    if error.status_code == status.HTTP_405_METHOD_NOT_ALLOWED:
        view = context.get("view")
        if view is not None:
            response["Allow"] = ", ".join(view.allowed_methods)
    return response
