"""Paging and the ListResponse (RFC 7644 §3.4.2.4, §3.4.2).

The page is cut with LIMIT/OFFSET after one COUNT, so a page costs two
queries (plus what the adapter prefetches) whatever its size. ``count=0``
answers ``totalResults`` alone, with no page query at all.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from .constants import LIST_RESPONSE_SCHEMA


def paginate(queryset: QuerySet[Any], start_index: int, count: int) -> tuple[int, list[Any]]:
    """``(totalResults, page)`` for a 1-based ``start_index`` and a page size ``count``."""
    total = queryset.count()
    if count == 0 or start_index > total:
        return total, []
    offset = start_index - 1
    return total, list(queryset[offset : offset + count])


def list_response(resources: list[dict[str, Any]], total: int, start_index: int) -> dict[str, Any]:
    """The ListResponse message (RFC 7644 §3.4.2)."""
    return {
        "schemas": [LIST_RESPONSE_SCHEMA],
        "totalResults": total,
        "startIndex": start_index,
        "itemsPerPage": len(resources),
        "Resources": resources,
    }
