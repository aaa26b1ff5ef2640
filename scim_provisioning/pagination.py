"""``startIndex``/``count`` paging and the ListResponse (RFC 7644 §3.4.2.4, §3.4.2).

Paging is 1-based; a ``startIndex`` below 1 is read as 1 and a negative
``count`` as 0, as §3.4.2.4 asks. ``count=0`` answers ``totalResults`` alone.
The page is cut with LIMIT/OFFSET after one COUNT, so a page costs two queries
(plus what the adapter prefetches) whatever its size.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from .conf import scim_settings
from .constants import LIST_RESPONSE_SCHEMA
from .exceptions import ScimError, ScimType


def _integer(params: Any, name: str, default: int) -> int:
    raw = params.get(name)
    if raw in (None, ""):
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ScimError(400, f"'{name}' must be an integer, not {raw!r}.", ScimType.INVALID_VALUE) from exc


class ScimPagination:
    """Reads ``startIndex``/``count`` and slices a queryset."""

    def __init__(self, params: Any) -> None:
        self.start_index = max(_integer(params, "startIndex", 1), 1)
        count = _integer(params, "count", scim_settings.PAGE_SIZE)
        self.count = min(max(count, 0), scim_settings.MAX_PAGE_SIZE)
        self.total = 0

    def paginate(self, queryset: QuerySet[Any]) -> list[Any]:
        self.total = queryset.count()
        if self.count == 0 or self.start_index > self.total:
            return []
        offset = self.start_index - 1
        return list(queryset[offset : offset + self.count])

    def response_data(self, resources: list[dict[str, Any]]) -> dict[str, Any]:
        return {
            "schemas": [LIST_RESPONSE_SCHEMA],
            "totalResults": self.total,
            "startIndex": self.start_index,
            "itemsPerPage": len(resources),
            "Resources": resources,
        }
