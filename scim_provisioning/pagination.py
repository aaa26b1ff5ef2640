"""Paging and the ListResponse (RFC 7644 §3.4.2.4, §3.4.2).

The page is cut with LIMIT/OFFSET and read first; ``totalResults`` follows
from it whenever it can: a page that starts inside the results and comes
back short ends them, so the total is its offset plus its length. Only a
full page, or one past the end, needs a COUNT. So the IdPs' most frequent
request, ``filter=userName eq "…"`` before each create, costs one query,
and a page of a listing at most two, whatever the page size.
``count=0`` answers ``totalResults`` alone, with the COUNT only.

A page past the first is a deferred join: the subquery pages through the
filtered, ordered link keys alone (on the listing index, without touching
the users), and the outer query reads the values of those keys only. Paged
in one query with the users joined, the database would join every one of
the ``startIndex - 1`` rows it skips: at 100,000 users a page from the
middle cost 4x a bare DRF page. Databases that cannot slice an ``IN``
subquery (MySQL) page in one query.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import connections
from django.db.models import QuerySet

from .constants import LIST_RESPONSE_SCHEMA

#: Past every table's end: a larger OFFSET would overflow the databases' 64-bit integers.
MAX_OFFSET = 2**62


def paginate(
    queryset: QuerySet[Any],
    start_index: int,
    count: int,
    prepare: Callable[[QuerySet[Any]], QuerySet[Any]] = lambda queryset: queryset,
) -> tuple[int, list[Any]]:
    """``(totalResults, page)`` for a 1-based ``start_index`` and a page size ``count``.

    ``queryset`` selects and orders the links; ``prepare`` adds what reading
    a page needs (the users' values), applied to the page's rows only.
    """
    offset = start_index - 1
    if count == 0 or offset >= MAX_OFFSET:
        return queryset.count(), []
    page = list(prepare(_page(queryset, offset, count)))
    if 0 < len(page) < count or (offset == 0 and not page):
        return offset + len(page), page
    return queryset.count(), page


def _page(queryset: QuerySet[Any], offset: int, count: int) -> QuerySet[Any]:
    if offset == 0 or not connections[queryset.db].features.allow_sliced_subqueries_with_in:
        return queryset[offset : offset + count]
    return queryset.filter(pk__in=queryset.values("pk")[offset : offset + count])


def list_response(resources: list[dict[str, Any]], total: int, start_index: int) -> dict[str, Any]:
    """The ListResponse message (RFC 7644 §3.4.2)."""
    return {
        "schemas": [LIST_RESPONSE_SCHEMA],
        "totalResults": total,
        "startIndex": start_index,
        "itemsPerPage": len(resources),
        "Resources": resources,
    }
