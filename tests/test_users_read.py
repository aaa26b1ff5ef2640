"""GET /Users/{id} and GET /Users: retrieval, filtering and paging (RFC 7644 §3.4)."""

from __future__ import annotations

import uuid

import pytest

from scim_provisioning.constants import ERROR_SCHEMA, LIST_RESPONSE_SCHEMA

USERS = "/scim/v2/Users"
pytestmark = pytest.mark.django_db


def test_get_returns_the_resource_with_etag(scim, create_user):
    """RFC 7644 §3.4.1 and §3.14: the resource, with an ETag equal to meta.version."""
    created = create_user()

    response = scim.get(f"{USERS}/{created['id']}")

    assert response.status_code == 200
    assert response.json() == created
    assert response["ETag"] == created["meta"]["version"]


@pytest.mark.parametrize("resource_id", [str(uuid.uuid4()), "1", "not-a-uuid", "%00"])
def test_unknown_id_is_a_scim_404(scim, resource_id):
    """RFC 7644 §3.12: 404 for a resource that does not exist, in the SCIM error envelope."""
    response = scim.get(f"{USERS}/{resource_id}")

    assert response.status_code == 404
    assert response.json()["schemas"] == [ERROR_SCHEMA]
    assert response.json()["status"] == "404"


def test_list_is_a_list_response_in_creation_order(scim, create_user):
    """RFC 7644 §3.4.2: ListResponse with integer totalResults, startIndex and itemsPerPage."""
    for n in range(3):
        create_user(f"user{n}@example.com")

    body = scim.get(USERS).json()

    assert body["schemas"] == [LIST_RESPONSE_SCHEMA]
    assert (body["totalResults"], body["startIndex"], body["itemsPerPage"]) == (3, 1, 3)
    assert [r["userName"] for r in body["Resources"]] == [f"user{n}@example.com" for n in range(3)]


def test_paging_with_start_index_and_count(scim, create_user):
    """RFC 7644 §3.4.2.4: 1-based startIndex; count is the page size."""
    for n in range(5):
        create_user(f"user{n}@example.com")

    body = scim.get(USERS, {"startIndex": 2, "count": 2}).json()

    assert (body["totalResults"], body["startIndex"], body["itemsPerPage"]) == (5, 2, 2)
    assert [r["userName"] for r in body["Resources"]] == ["user1@example.com", "user2@example.com"]


def test_start_index_below_one_is_one_and_count_zero_gives_totals_only(scim, create_user):
    """RFC 7644 §3.4.2.4: startIndex < 1 is read as 1; count=0 returns no resources, only totalResults."""
    for n in range(2):
        create_user(f"user{n}@example.com")

    assert scim.get(USERS, {"startIndex": -3, "count": 1}).json()["Resources"][0]["userName"] == "user0@example.com"
    empty = scim.get(USERS, {"count": 0}).json()
    assert (empty["totalResults"], empty["itemsPerPage"], empty["Resources"]) == (2, 0, [])


def test_count_is_capped_by_max_page_size(scim, create_user, settings):
    settings.SCIM_PROVISIONING = {**settings.SCIM_PROVISIONING, "MAX_PAGE_SIZE": 2, "PAGE_SIZE": 2}
    for n in range(3):
        create_user(f"user{n}@example.com")

    body = scim.get(USERS, {"count": 50}).json()

    assert (body["totalResults"], body["itemsPerPage"]) == (3, 2)


def test_page_past_the_end_is_empty(scim, create_user):
    create_user()

    body = scim.get(USERS, {"startIndex": 10}).json()

    assert (body["totalResults"], body["itemsPerPage"], body["Resources"]) == (1, 0, [])


def test_non_integer_paging_is_400(scim):
    response = scim.get(USERS, {"count": "ten"})

    assert response.status_code == 400
    assert response.json()["scimType"] == "invalidValue"


def test_okta_user_name_lookup_is_case_insensitive(scim, create_user):
    """Okta looks users up with filter=userName eq "..."&startIndex=1&count=100 before creating them."""
    created = create_user("isabella.lopez@example.com")
    create_user("someone.else@example.com")

    body = scim.get(USERS, {"filter": 'userName eq "Isabella.Lopez@EXAMPLE.com"', "startIndex": 1, "count": 100}).json()

    assert body["totalResults"] == 1
    assert body["Resources"][0]["id"] == created["id"]


def test_entra_test_connection_with_a_random_guid_is_an_empty_list(scim, create_user):
    """Entra ID's test connection filters on a random GUID and expects 200 with no resources."""
    create_user()

    response = scim.get(USERS, {"filter": f'userName eq "{uuid.uuid4()}"'})

    assert response.status_code == 200
    assert response.json()["totalResults"] == 0
    assert response.json()["Resources"] == []


def test_external_id_lookup_is_case_exact(scim, create_user):
    """RFC 7643 §3.1: externalId is caseExact."""
    created = create_user(externalId="00uAbC")

    match = scim.get(USERS, {"filter": 'externalId eq "00uAbC"'}).json()
    other_case = scim.get(USERS, {"filter": 'externalId eq "00UABC"'}).json()

    assert [r["id"] for r in match["Resources"]] == [created["id"]]
    assert other_case["totalResults"] == 0


def test_filter_on_id_and_combined_filters(scim, create_user):
    """RFC 7644 §3.4.2.2: and/or/not and parentheses."""
    first = create_user("a@example.com", externalId="1")
    create_user("b@example.com", externalId="2")
    third = create_user("c@example.com", externalId="3")

    by_id = scim.get(USERS, {"filter": f'id eq "{first["id"]}"'}).json()
    either = scim.get(USERS, {"filter": 'userName eq "a@example.com" or externalId eq "3"'}).json()
    negated = scim.get(USERS, {"filter": 'not (userName sw "b") and externalId pr'}).json()

    assert [r["id"] for r in by_id["Resources"]] == [first["id"]]
    assert {r["id"] for r in either["Resources"]} == {first["id"], third["id"]}
    assert {r["id"] for r in negated["Resources"]} == {first["id"], third["id"]}


def test_filter_on_email_value(scim, create_user):
    created = create_user("x@example.com")

    body = scim.get(USERS, {"filter": 'emails.value eq "X@example.com"'}).json()
    value_path = scim.get(USERS, {"filter": 'emails[value co "x@"]'}).json()

    assert [r["id"] for r in body["Resources"]] == [created["id"]]
    assert [r["id"] for r in value_path["Resources"]] == [created["id"]]


@pytest.mark.parametrize(
    "filter_text",
    [
        'userName eq "unterminated',
        "userName eq",
        'userName like "x"',
        'nickName eq "x"',
        'userName eq "a" and',
        '(userName eq "a"',
        'urn:example:unknown:User:userName eq "a"',
        'meta.created gt "yesterday"',
        "userName gt true",
        "",
    ],
)
def test_bad_filters_are_400_invalid_filter(scim, create_user, filter_text):
    """RFC 7644 §3.4.2.2 and §3.12: a filter we cannot answer is invalidFilter, never an unfiltered list."""
    create_user()

    response = scim.get(USERS, {"filter": filter_text})

    assert response.status_code == 400, response.json()
    assert response.json()["scimType"] == "invalidFilter"
    assert response.json()["detail"]


def test_suspended_users_stay_readable_and_findable(scim, create_user):
    """Okta: deactivated users stay readable; the seed: suspended, not deleted."""
    created = create_user(active=False)

    assert scim.get(f"{USERS}/{created['id']}").json()["active"] is False
    found = scim.get(USERS, {"filter": 'userName eq "bjensen@example.com"'}).json()
    assert found["totalResults"] == 1


def test_string_with_a_raw_control_character_is_400_not_500(scim):
    """RFC 7644 §3.4.2.2: string literals are JSON strings, which cannot hold raw control characters."""
    response = scim.get(USERS, {"filter": 'userName eq "tab\there"'})

    assert response.status_code == 400
    assert response.json()["scimType"] == "invalidFilter"


def test_deeply_nested_filter_is_400_not_500(scim):
    """Hostile nesting is refused as invalidFilter before it can exhaust the stack."""
    response = scim.get(USERS, {"filter": "(" * 1000 + "userName pr" + ")" * 1000})

    assert response.status_code == 400
    assert response.json()["scimType"] == "invalidFilter"
    assert "nested" in response.json()["detail"]


def test_computed_names_are_returned_only_on_request(scim, create_user):
    """RFC 7643 §2.2 returned "request": displayName and name.formatted appear when asked for."""
    created = create_user()
    url = f"{USERS}/{created['id']}"

    default = scim.get(url).json()
    asked = scim.get(url, {"attributes": "displayName,name.formatted"}).json()

    assert "displayName" not in default
    assert "formatted" not in default["name"]
    assert asked["displayName"] == "Barbara Jensen"
    assert asked["name"] == {"formatted": "Barbara Jensen"}


@pytest.mark.parametrize("start_index", [2**31, 2**62, 2**63, 10**20, 10**400])
def test_start_index_past_any_table_is_an_empty_page(scim, create_user, start_index):
    """RFC 7644 §3.4.2.4: a startIndex past the results answers an empty page, however large, never a database error."""
    create_user("ada@example.com")

    response = scim.get(USERS, {"startIndex": start_index, "count": 5})

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["totalResults"], body["itemsPerPage"], body["Resources"]) == (1, 0, [])
    assert scim.get(USERS).json()["totalResults"] == 1
