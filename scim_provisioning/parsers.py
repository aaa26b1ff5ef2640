"""Parse SCIM request bodies: JSON objects under ``application/scim+json`` or ``application/json``.

The body size is capped by ``MAX_BODY_SIZE`` (413) before parsing, and
anything but a JSON object is a 400 ``invalidSyntax`` (RFC 7644 §3.12), as
is a body nested deeper than ``MAX_DEPTH``: no SCIM message nests more than
a few levels, and deeper input would exhaust the stack of the code that
walks it (Python's own decoder raises ``RecursionError`` past about a
thousand levels).
"""

from __future__ import annotations

import json
from typing import Any

from rest_framework.parsers import BaseParser

from .conf import scim_settings
from .constants import MEDIA_TYPE
from .exceptions import ScimError, ScimType

#: Deepest nesting of arrays and objects accepted in a body; a PatchOp nests about six levels.
MAX_DEPTH = 64


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
        except RecursionError as exc:
            raise _too_deep() from exc
        if not isinstance(data, dict):
            raise ScimError(400, "The request body must be a JSON object.", ScimType.INVALID_SYNTAX)
        if _depth_exceeds(data, MAX_DEPTH):
            raise _too_deep()
        return data


def _too_deep() -> ScimError:
    return ScimError(400, f"The request body is nested more than {MAX_DEPTH} levels deep.", ScimType.INVALID_SYNTAX)


def _depth_exceeds(data: Any, limit: int) -> bool:
    """Whether arrays and objects in ``data`` nest deeper than ``limit``; iterative, so any depth is safe."""
    pending: list[tuple[Any, int]] = [(data, 1)]
    while pending:
        value, depth = pending.pop()
        children = value.values() if isinstance(value, dict) else value if isinstance(value, list) else None
        if children is None:
            continue
        if depth > limit:
            return True
        pending.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return False


class PlainJSONParser(ScimJSONParser):
    """The same parser for clients that send ``application/json``."""

    media_type = "application/json"
