"""Render responses as ``application/scim+json`` (RFC 7644 §3.1)."""

from __future__ import annotations

from rest_framework.renderers import JSONRenderer

from .constants import MEDIA_TYPE


class ScimJSONRenderer(JSONRenderer):
    """JSON with the SCIM media type; plain ``application/json`` clients get JSONRenderer."""

    media_type = MEDIA_TYPE
    charset = None
