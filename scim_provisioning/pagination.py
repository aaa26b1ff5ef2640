"""Paging and the ListResponse (RFC 7644 §3.4.2.4, §3.4.2).

The page is cut with LIMIT/OFFSET and read first; ``totalResults`` follows
from it whenever it can: a page that starts inside the results and comes
back short ends them, so the total is its offset plus its length. Only a
full page, or one past the end, needs a COUNT. So the IdPs' most frequent
request, ``filter=userName eq "…"`` before each create, costs one query,
and a page of a listing at most two, whatever the page size.
``count=0`` answers ``totalResults`` alone, with the COUNT only.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from .constants import LIST_RESPONSE_SCHEMA


def paginate(queryset: QuerySet[Any], start_index: int, count: int) -> tuple[int, list[Any]]:
    """``(totalResults, page)`` for a 1-based ``start_index`` and a page size ``count``."""
    if count == 0:
        return queryset.count(), []
    offset = start_index - 1
    page = list(queryset[offset : offset + count])
    if 0 < len(page) < count or (offset == 0 and not page):
        return offset + len(page), page
    return queryset.count(), page


def list_response(resources: list[dict[str, Any]], total: int, start_index: int) -> dict[str, Any]:
    """The ListResponse message (RFC 7644 §3.4.2)."""
    return {
        "schemas": [LIST_RESPONSE_SCHEMA],
        "totalResults": total,
        "startIndex": start_index,
        "itemsPerPage": len(resources),
        "Resources": resources,
    }
