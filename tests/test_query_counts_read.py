"""Read requests cost a fixed number of queries, whatever the page size and the number of users (DESIGN.md §6).

Lists (RFC 7644 §3.4.2), filters (§3.4.2.2), sorting (§3.4.2.3) and
SearchRequests (§3.4.3) are measured with 3 users and again with 60, and
must cost the same, within the pinned budget.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from .conftest import is_host

USERS = "/scim/v2/Users"
SEARCH_REQUEST = "urn:ietf:params:scim:api:messages:2.0:SearchRequest"
pytestmark = pytest.mark.django_db

# Measured. Authentication is one query (the key with its tenant; a warmed key
# writes no last_used_at), then COUNT and the page. The example host adds one
# prefetch of the page's memberships in this organization; filters and sorts
# on active and privilege are subqueries inside the same two statements.
# count=0 skips the page query. POST .search is a read: no transaction, the
# same statements as the GET. Successful reads write no ProvisioningEvent, so
# the event log left these budgets unchanged (measured).
ZERO_CONFIG_BUDGET = {"page": 3, "totals-only": 2, "search": 3}
HOST_BUDGET = {"page": 4, "totals-only": 2, "search": 4}
BUDGET = HOST_BUDGET if is_host() else ZERO_CONFIG_BUDGET

FILTER = 'userName sw "user" and (active eq true or emails.value co "example") and not (externalId eq "x")'
HOST_FILTER = f'{FILTER} and privilege eq "member" and phoneNumbers.value pr'


def search(body: dict[str, Any]) -> Callable[[Any], Any]:
    return lambda client: client.post(f"{USERS}/.search", {"schemas": [SEARCH_REQUEST], **body}, format="json")


REQUESTS: dict[str, tuple[str, Callable[[Any], Any], int]] = {
    # name: (budget, request, page size it asks for)
    "list-count-10": ("page", lambda client: client.get(USERS, {"count": 10}), 10),
    "list-count-100": ("page", lambda client: client.get(USERS, {"count": 100}), 100),
    "list-count-0": ("totals-only", lambda client: client.get(USERS, {"count": 0}), 0),
    "filter": ("page", lambda client: client.get(USERS, {"filter": HOST_FILTER if is_host() else FILTER}), 100),
    "sort-user-name": ("page", lambda client: client.get(USERS, {"sortBy": "userName", "count": 50}), 50),
    "sort-family-name-descending": (
        "page",
        lambda client: client.get(USERS, {"sortBy": "name.familyName", "sortOrder": "descending", "count": 100}),
        100,
    ),
    "sort-active": ("page", lambda client: client.get(USERS, {"sortBy": "active", "count": 100}), 100),
    "attributes": (
        "page",
        lambda client: client.get(USERS, {"attributes": "userName,emails.value", "startIndex": 2, "count": 100}),
        100,
    ),
    "search": (
        "search",
        search({"filter": FILTER, "sortBy": "userName", "sortOrder": "descending", "count": 100, "attributes": ["id"]}),
        100,
    ),
    "search-paged": ("search", search({"startIndex": 2, "count": 10}), 10),
}


@pytest.fixture
def warm_key(scim):
    """Use the key once so its last_used_at write is not counted below."""
    scim.get(USERS, {"count": 0})
    return scim


def add_users(create_user: Callable[..., Any], start: int, stop: int) -> None:
    for n in range(start, stop):
        create_user(
            f"user{n:02d}@example.com",
            name={"givenName": f"Given{n}", "familyName": f"Family{n % 7}"} if n % 5 else None,
            phoneNumbers=[{"value": f"+1 555 01{n:02d}", "type": "work"}],
            active=n % 4 != 0,
        )


def measure_all(client: Any, assert_max: Any) -> dict[str, tuple[int, dict[str, Any]]]:
    """Each request's query count (within its budget) and answer."""
    results = {}
    for name, (budget_name, request, _) in REQUESTS.items():
        with assert_max(BUDGET[budget_name]) as captured:
            response = request(client)
        assert response.status_code == 200, (name, response.content)
        results[name] = (len(captured), response.json())
    return results


def test_reads_cost_the_same_for_3_and_60_users(warm_key, create_user, django_assert_max_num_queries):
    """RFC 7644 §3.4.2-§3.4.3: a list, filter, sort or search page costs the same queries at any size.

    Measured with 3 users, then again with 60, request by request.
    """
    add_users(create_user, 0, 3)
    small = measure_all(warm_key, django_assert_max_num_queries)
    add_users(create_user, 3, 60)
    large = measure_all(warm_key, django_assert_max_num_queries)

    assert {name: count for name, (count, _) in large.items()} == {name: count for name, (count, _) in small.items()}
    for name, (_, body) in large.items():
        page_size = REQUESTS[name][2]
        assert body["totalResults"] > small[name][1]["totalResults"], name
        assert body["itemsPerPage"] == min(page_size, body["totalResults"] - body["startIndex"] + 1), name


@pytest.mark.parametrize("name", REQUESTS)
def test_read_budget_is_pinned(warm_key, create_user, django_assert_num_queries, name):
    """The measured cost of each read, exactly: a cheaper one means the budget above should come down."""
    budget_name, request, _ = REQUESTS[name]
    add_users(create_user, 0, 2)

    with django_assert_num_queries(BUDGET[budget_name]):
        assert request(warm_key).status_code == 200
