"""Queries per request are bounded and do not grow with the number of users (DESIGN.md §6)."""

from __future__ import annotations

import pytest

from scim_provisioning.constants import PATCH_OP_SCHEMA

from .conftest import is_host

USERS = "/scim/v2/Users"
pytestmark = pytest.mark.django_db

# Measured budgets. Authentication is one query (the key, with its tenant);
# last_used_at is written at most once a minute, so a warmed key is used.
# Writes include their transaction's savepoint pair (tests run inside a
# transaction). The example host pays for its memberships and seat count, and
# DELETE for the host's own cascades: fixed per host, flat in the user count.
# Each write also INSERTs its ProvisioningEvent, inside its transaction: +1 on
# post/put/patch/delete (measured; was 7/6/6/11 and 10/8/8/15). Successful
# reads record nothing, so list/lookup/get are unchanged.
ZERO_CONFIG_BUDGET = {"list": 3, "lookup": 3, "get": 2, "post": 8, "put": 7, "patch": 7, "delete": 12}
HOST_BUDGET = {"list": 4, "lookup": 4, "get": 3, "post": 11, "put": 9, "patch": 9, "delete": 16}
BUDGET = HOST_BUDGET if is_host() else ZERO_CONFIG_BUDGET


@pytest.fixture
def warm_key(scim):
    """Use the key once so its last_used_at write is not counted below."""
    scim.get(USERS, {"count": 0})
    return scim


@pytest.fixture(params=[3, 30], ids=["3-users", "30-users"])
def population(request, create_user, warm_key):
    return [create_user(f"user{n}@example.com") for n in range(request.param)]


def test_list_page_is_bounded(warm_key, population, django_assert_max_num_queries):
    with django_assert_max_num_queries(BUDGET["list"]):
        body = warm_key.get(USERS, {"count": 100}).json()
    assert body["itemsPerPage"] == len(population)


def test_user_name_lookup_is_bounded(warm_key, population, django_assert_max_num_queries):
    with django_assert_max_num_queries(BUDGET["lookup"]):
        body = warm_key.get(USERS, {"filter": 'userName eq "USER1@example.com"'}).json()
    assert body["totalResults"] == 1


def test_get_is_bounded(warm_key, population, django_assert_max_num_queries):
    with django_assert_max_num_queries(BUDGET["get"]):
        assert warm_key.get(f"{USERS}/{population[-1]['id']}").status_code == 200


def test_post_is_bounded(warm_key, population, user_payload, django_assert_max_num_queries):
    with django_assert_max_num_queries(BUDGET["post"]):
        assert warm_key.post(USERS, user_payload("new@example.com"), format="json").status_code == 201


def test_put_is_bounded(warm_key, population, user_payload, django_assert_max_num_queries):
    with django_assert_max_num_queries(BUDGET["put"]):
        response = warm_key.put(f"{USERS}/{population[0]['id']}", user_payload("user0@example.com"), format="json")
    assert response.status_code == 200


def test_patch_is_bounded(warm_key, population, django_assert_max_num_queries):
    body = {"schemas": [PATCH_OP_SCHEMA], "Operations": [{"op": "replace", "value": {"active": False}}]}
    with django_assert_max_num_queries(BUDGET["patch"]):
        assert warm_key.patch(f"{USERS}/{population[0]['id']}", body, format="json").status_code == 200


def test_delete_is_bounded(warm_key, population, django_assert_max_num_queries):
    with django_assert_max_num_queries(BUDGET["delete"]):
        assert warm_key.delete(f"{USERS}/{population[0]['id']}").status_code == 204
