"""Read requests cost a fixed number of queries, whatever the page size and the number of users (DESIGN.md §6).

Lists (RFC 7644 §3.4.2), filters (§3.4.2.2), sorting (§3.4.2.3) and
SearchRequests (§3.4.3) are measured with 12 users and again with 60, and
must cost the same, within the pinned budget. Statements are counted as in
``test_query_counts``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from .conftest import StatementCount, is_host

USERS = "/scim/v2/Users"
SEARCH_REQUEST = "urn:ietf:params:scim:api:messages:2.0:SearchRequest"
pytestmark = pytest.mark.django_db

# Measured. Authentication is one statement (the key with its tenant; a warmed
# key writes no last_used_at), then the page, with the users' values selected
# alongside (the example host's membership as subqueries, for reads, filters
# and sorts alike). A full page adds the COUNT its totalResults needs; a short
# one ends the results and needs none. count=0 is the COUNT alone. POST .search
# is a read: no transaction, the same statements as the GET. Successful reads
# write no ProvisioningEvent. Both configurations measure the same.
BUDGET = {"full-page": 3, "short-page": 2, "totals-only": 2}

FILTER = 'userName sw "user" and (active eq true or emails.value co "example") and not (externalId eq "x")'
HOST_FILTER = f'{FILTER} and privilege eq "member" and phoneNumbers.value pr'


def search(body: dict[str, Any]) -> Callable[[Any], Any]:
    return lambda client: client.post(f"{USERS}/.search", {"schemas": [SEARCH_REQUEST], **body}, format="json")


REQUESTS: dict[str, tuple[str, Callable[[Any], Any], int]] = {
    # name: (budget, request, page size it asks for)
    # Full pages at both sizes (count 10 of 12 or 60 users), short ones at both (count 100).
    "list-count-10": ("full-page", lambda client: client.get(USERS, {"count": 10}), 10),
    "list-count-100": ("short-page", lambda client: client.get(USERS, {"count": 100}), 100),
    "list-count-0": ("totals-only", lambda client: client.get(USERS, {"count": 0}), 0),
    "filter": ("short-page", lambda client: client.get(USERS, {"filter": HOST_FILTER if is_host() else FILTER}), 100),
    "sort-user-name": ("full-page", lambda client: client.get(USERS, {"sortBy": "userName", "count": 10}), 10),
    "sort-family-name-descending": (
        "short-page",
        lambda client: client.get(USERS, {"sortBy": "name.familyName", "sortOrder": "descending", "count": 100}),
        100,
    ),
    "sort-active": ("full-page", lambda client: client.get(USERS, {"sortBy": "active", "count": 10}), 10),
    "attributes": (
        "short-page",
        lambda client: client.get(USERS, {"attributes": "userName,emails.value", "startIndex": 2, "count": 100}),
        100,
    ),
    "search": (
        "short-page",
        search({"filter": FILTER, "sortBy": "userName", "sortOrder": "descending", "count": 100, "attributes": ["id"]}),
        100,
    ),
    "search-paged": ("full-page", search({"startIndex": 2, "count": 10}), 10),
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


def measure_all(client: Any, assert_statements: Any) -> dict[str, tuple[int, dict[str, Any]]]:
    """Each request's statement count (within its budget) and answer."""
    results = {}
    for name, (budget_name, request, _) in REQUESTS.items():
        with assert_statements(at_most=BUDGET[budget_name]) as captured:
            response = request(client)
        assert response.status_code == 200, (name, response.content)
        results[name] = (len(StatementCount(captured.captured_queries)), response.json())
    return results


def test_reads_cost_the_same_for_12_and_60_users(warm_key, create_user, assert_statements):
    """RFC 7644 §3.4.2-§3.4.3: a list, filter, sort or search page costs the same statements at any size.

    Measured with 12 users, then again with 60, request by request.
    """
    add_users(create_user, 0, 12)
    small = measure_all(warm_key, assert_statements)
    add_users(create_user, 12, 60)
    large = measure_all(warm_key, assert_statements)

    assert {name: count for name, (count, _) in large.items()} == {name: count for name, (count, _) in small.items()}
    for name, (_, body) in large.items():
        page_size = REQUESTS[name][2]
        assert body["totalResults"] > small[name][1]["totalResults"], name
        assert body["itemsPerPage"] == min(page_size, body["totalResults"] - body["startIndex"] + 1), name


@pytest.mark.parametrize("name", REQUESTS)
def test_read_budget_is_pinned(warm_key, create_user, assert_statements, name):
    """The measured cost of each read, exactly: a cheaper one means the budget above should come down."""
    budget_name, request, _ = REQUESTS[name]
    add_users(create_user, 0, 12)

    with assert_statements(exactly=BUDGET[budget_name]):
        assert request(warm_key).status_code == 200
