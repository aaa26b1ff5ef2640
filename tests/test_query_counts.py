"""Statements per request are bounded and do not grow with the number of users (DESIGN.md §6, issue 7).

Counted as ``benchmarks/request_costs.py`` counts them: authentication
included, transaction control (the request's BEGIN/COMMIT, a test's
savepoints) excluded. ``CEILING`` is the promise (the issue's targets for the
stock User); the budgets are what each request measures today, pinned
exactly, so a regression fails here and an improvement asks for the budget to
come down.
"""

from __future__ import annotations

import pytest

from scim_provisioning.constants import PATCH_OP_SCHEMA

from .conftest import is_host

USERS = "/scim/v2/Users"
pytestmark = pytest.mark.django_db

#: The targets: lookup 3, page 4, get 3, writes 6, authentication included.
CEILING = {"lookup": 3, "page": 4, "get": 3, "post": 6, "put": 6, "patch": 6}

# Zero configuration. Authentication is one statement (the key with its tenant;
# last_used_at is written at most once a minute, so a warmed key is used). A
# lookup is one page query: a short page needs no COUNT (pagination.py). A full
# page adds the COUNT. Reads select only the values they return, the user's
# with the link (reading.RowReader). POST: an account to adopt?, INSERT user,
# INSERT link, INSERT event (a taken userName is the link's unique constraint's
# to refuse). PUT/PATCH: the locked link and user,
# UPDATE user, UPDATE link, INSERT event. DELETE adds Django's cascades of
# auth.User (groups, permissions, admin log, the link).
ZERO_CONFIG_BUDGET = {"lookup": 2, "page": 3, "get": 2, "post": 5, "put": 5, "patch": 5, "delete": 10}
# The example host reads its membership in the same statement (subqueries);
# its writes also lock the subscription, count seats and write the membership,
# and its DELETE removes the membership and the account's own rows.
HOST_BUDGET = {"lookup": 2, "page": 3, "get": 2, "post": 8, "put": 7, "patch": 7, "delete": 14}
BUDGET = HOST_BUDGET if is_host() else ZERO_CONFIG_BUDGET


def test_zero_configuration_budgets_meet_the_ceiling():
    """The pinned budgets of the stock User are within the promised ceiling."""
    assert all(ZERO_CONFIG_BUDGET[name] <= ceiling for name, ceiling in CEILING.items())


@pytest.fixture
def warm_key(scim):
    """Use the key once so its last_used_at write is not counted below."""
    scim.get(USERS, {"count": 0})
    return scim


@pytest.fixture(params=[3, 30], ids=["3-users", "30-users"])
def population(request, create_user, warm_key):
    return [create_user(f"user{n}@example.com") for n in range(request.param)]


def test_list_page_is_bounded(warm_key, population, assert_statements):
    """A full page (RFC 7644 §3.4.2.4): the page and the COUNT its totalResults needs."""
    with assert_statements(exactly=BUDGET["page"]):
        body = warm_key.get(USERS, {"startIndex": 2, "count": 2}).json()
    assert (body["itemsPerPage"], body["totalResults"]) == (2, len(population))


def test_short_page_costs_one_statement_less(warm_key, population, assert_statements):
    """A page that ends the results gives totalResults without a COUNT."""
    with assert_statements(exactly=BUDGET["lookup"]):
        body = warm_key.get(USERS, {"startIndex": 2, "count": 100}).json()
    assert (body["itemsPerPage"], body["totalResults"]) == (len(population) - 1, len(population))


def test_user_name_lookup_is_bounded(warm_key, population, assert_statements):
    with assert_statements(exactly=BUDGET["lookup"]):
        body = warm_key.get(USERS, {"filter": 'userName eq "USER1@example.com"'}).json()
    assert body["totalResults"] == 1


def test_get_is_bounded(warm_key, population, assert_statements):
    with assert_statements(exactly=BUDGET["get"]):
        assert warm_key.get(f"{USERS}/{population[-1]['id']}").status_code == 200


def test_post_is_bounded(warm_key, population, user_payload, assert_statements):
    with assert_statements(exactly=BUDGET["post"]):
        assert warm_key.post(USERS, user_payload("new@example.com"), format="json").status_code == 201


def test_put_is_bounded(warm_key, population, user_payload, assert_statements):
    with assert_statements(exactly=BUDGET["put"]):
        response = warm_key.put(f"{USERS}/{population[0]['id']}", user_payload("user0@example.com"), format="json")
    assert response.status_code == 200


def test_patch_is_bounded(warm_key, population, assert_statements):
    body = {"schemas": [PATCH_OP_SCHEMA], "Operations": [{"op": "replace", "value": {"active": False}}]}
    with assert_statements(exactly=BUDGET["patch"]):
        assert warm_key.patch(f"{USERS}/{population[0]['id']}", body, format="json").status_code == 200


def test_delete_is_bounded(warm_key, population, assert_statements):
    with assert_statements(exactly=BUDGET["delete"]):
        assert warm_key.delete(f"{USERS}/{population[0]['id']}").status_code == 204


@pytest.mark.parametrize(
    ("name", "request_"),
    [
        ("lookup", lambda client, ids: client.get(USERS, {"filter": 'userName eq "user1@example.com"'})),
        ("page", lambda client, ids: client.get(USERS, {"startIndex": 2, "count": 2})),
        ("get", lambda client, ids: client.get(f"{USERS}/{ids[0]}")),
    ],
)
def test_reads_stay_under_the_ceiling_by_pytest_django(
    warm_key, population, django_assert_max_num_queries, name, request_
):
    """Reads run no transaction, so pytest-django's own count is the statement count: at most the ceiling."""
    with django_assert_max_num_queries(CEILING[name]):
        assert request_(warm_key, [user["id"] for user in population]).status_code == 200
