"""Conditional requests with ETags (RFC 7644 §3.14, RFC 9110 §13.1).

Entity tags are weak (``W/"..."``), so they are compared weakly: the opaque
parts must be equal. ``*`` matches any current representation.
"""

from __future__ import annotations

from typing import Any

from .exceptions import ScimError


def _opaque(tag: str) -> str:
    tag = tag.strip()
    return tag[2:] if tag[:2].upper() == "W/" else tag


def _matches(header: str, etag: str) -> bool:
    return any(candidate.strip() == "*" or _opaque(candidate) == _opaque(etag) for candidate in header.split(","))


def not_modified(request: Any, etag: str) -> bool:
    """``If-None-Match`` names the current version: a GET may answer 304."""
    header = request.META.get("HTTP_IF_NONE_MATCH")
    return bool(header) and _matches(header, etag)


def check_if_match(request: Any, etag: str) -> None:
    """``If-Match`` on PUT, PATCH or DELETE must name the current version, else 412."""
    header = request.META.get("HTTP_IF_MATCH")
    if header and not _matches(header, etag):
        raise ScimError(412, "The resource has changed since the version named in If-Match.")
