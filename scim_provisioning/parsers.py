"""Parse SCIM request bodies: JSON objects under ``application/scim+json`` or ``application/json``.

The body size is capped by ``MAX_BODY_SIZE`` (413) before parsing, and
anything but a JSON object is a 400 ``invalidSyntax`` (RFC 7644 §3.12).
"""

from __future__ import annotations

import json
from typing import Any

from rest_framework.parsers import BaseParser

from .conf import scim_settings
from .constants import MEDIA_TYPE
from .exceptions import ScimError, ScimType


class ScimJSONParser(BaseParser):
    """Strict JSON-object parser with a size limit."""

    media_type = MEDIA_TYPE

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        limit = scim_settings.MAX_BODY_SIZE
        raw = stream.read(limit + 1) if stream is not None else b""
        if len(raw) > limit:
            raise ScimError(413, f"The request body exceeds {limit} bytes.")
        try:
            data = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as exc:
            raise ScimError(400, f"The request body is not valid JSON: {exc}", ScimType.INVALID_SYNTAX) from exc
        if not isinstance(data, dict):
            raise ScimError(400, "The request body must be a JSON object.", ScimType.INVALID_SYNTAX)
        return data


class PlainJSONParser(ScimJSONParser):
    """The same parser for clients that send ``application/json``."""

    media_type = "application/json"
