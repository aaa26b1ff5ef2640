"""The parameters of a list or search request (RFC 7644 §3.4.2, §3.4.3), from a URL or a SearchRequest.

``GET /Users?...`` and ``POST /Users/.search`` share one object, so both
answer with the same semantics.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .conf import scim_settings
from .exceptions import ScimError, ScimType

SEARCH_REQUEST_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:SearchRequest"
SORT_ORDERS = ("ascending", "descending")


def _invalid(detail: str) -> ScimError:
    return ScimError(400, detail, ScimType.INVALID_VALUE)


def _integer(value: Any, name: str, default: int) -> int:
    if value in (None, ""):
        return default
    if isinstance(value, bool):
        raise _invalid(f"'{name}' must be an integer, not {value!r}.")
    try:
        return int(value)
    except (TypeError, ValueError, OverflowError) as exc:
        # OverflowError: a SearchRequest's Infinity, or a number too large for a float (1e400).
        raise _invalid(f"'{name}' must be an integer, not {value!r}.") from exc


def attribute_list(value: Any, name: str) -> list[str]:
    """``attributes``/``excludedAttributes``: comma-separated in a URL, a list in a SearchRequest."""
    if value in (None, ""):
        return []
    if isinstance(value, str):
        value = value.split(",")
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise _invalid(f"'{name}' must be a list of attribute names.")
    return [item.strip() for item in value if item.strip()]


@dataclass(frozen=True)
class ListQuery:
    """Filter, sort, page and attribute selection of one list request."""

    filter: str | None = None
    sort_by: str | None = None
    descending: bool = False
    start_index: int = 1
    count: int = 100
    attributes: list[str] = field(default_factory=list)
    excluded_attributes: list[str] = field(default_factory=list)

    @classmethod
    def build(cls, get: Any) -> ListQuery:
        """From a lookup function over parameter names (query string or SearchRequest)."""
        sort_order = get("sortOrder")
        if sort_order not in (None, "") and (not isinstance(sort_order, str) or sort_order.lower() not in SORT_ORDERS):
            raise _invalid(f"'sortOrder' must be 'ascending' or 'descending', not {sort_order!r}.")
        filter_text, sort_by = get("filter"), get("sortBy")
        for name, value in (("filter", filter_text), ("sortBy", sort_by)):
            if value is not None and not isinstance(value, str):
                raise _invalid(f"'{name}' must be a string.")
        # RFC 7644 §3.4.2.4: startIndex below 1 is 1; a negative count is 0.
        count = _integer(get("count"), "count", scim_settings.PAGE_SIZE)
        return cls(
            filter=filter_text,
            sort_by=sort_by or None,
            descending=bool(sort_order) and str(sort_order).lower() == "descending",
            start_index=max(_integer(get("startIndex"), "startIndex", 1), 1),
            count=min(max(count, 0), scim_settings.MAX_PAGE_SIZE),
            attributes=attribute_list(get("attributes"), "attributes"),
            excluded_attributes=attribute_list(get("excludedAttributes"), "excludedAttributes"),
        )

    @classmethod
    def from_query_params(cls, params: Any) -> ListQuery:
        return cls.build(params.get)

    @classmethod
    def from_search_request(cls, body: dict[str, Any]) -> ListQuery:
        """A SearchRequest body (RFC 7644 §3.4.3); member names in any case."""
        schemas = next((v for k, v in body.items() if k.lower() == "schemas"), None)
        if not isinstance(schemas, list) or SEARCH_REQUEST_SCHEMA.lower() not in {str(s).lower() for s in schemas}:
            raise ScimError(400, f"The request must name the schema {SEARCH_REQUEST_SCHEMA}.", ScimType.INVALID_SYNTAX)
        lowered = {key.lower(): value for key, value in body.items()}
        return cls.build(lambda name: lowered.get(name.lower()))
