"""Sorting, attribute selection, SearchRequest and ETags over HTTP (RFC 7644 §3.4.2.3, §3.4.2.5, §3.9,
§3.4.3 and §3.14).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from scim_provisioning.constants import ERROR_SCHEMA, LIST_RESPONSE_SCHEMA, PATCH_OP_SCHEMA, USER_SCHEMA
from scim_provisioning.models import ProvisionedUser

from .conftest import is_host

pytestmark = pytest.mark.django_db

ROOT = "/scim/v2"
USERS = f"{ROOT}/Users"
EXTENSION = "urn:ietf:params:scim:schemas:extension:scim_provisioning:2.0:User"
SEARCH_REQUEST = "urn:ietf:params:scim:api:messages:2.0:SearchRequest"


def assert_scim_error(response: Any, status: int, scim_type: str | None = None) -> dict[str, Any]:
    """RFC 7644 §3.12: the error envelope, with ``scimType`` when one applies."""
    assert response.status_code == status, response.content
    body = response.json()
    assert body["schemas"] == [ERROR_SCHEMA]
    assert body["status"] == str(status)
    if scim_type is not None:
        assert body["scimType"] == scim_type
    return body


def user_names(response: Any) -> list[str]:
    assert response.status_code == 200, response.json()
    return [resource["userName"] for resource in response.json()["Resources"]]


def ids(response: Any) -> list[str]:
    assert response.status_code == 200, response.json()
    return [resource["id"] for resource in response.json()["Resources"]]


# Sorting (RFC 7644 §3.4.2.3)


@pytest.fixture
def mixed_case_users(create_user: Any) -> list[str]:
    """Created in an order that is neither alphabetical nor ASCII order."""
    names = ["Carol@example.com", "alice@example.com", "dave@example.com", "Bob@example.com"]
    for name in names:
        create_user(name)
    return names


def test_sort_by_user_name_ascending_ignores_case(scim, mixed_case_users):
    """RFC 7644 §3.4.2.3 and RFC 7643 §4.1.1: userName is caseExact false, so it sorts without regard to case."""
    response = scim.get(USERS, {"sortBy": "userName"})

    assert user_names(response) == ["alice@example.com", "Bob@example.com", "Carol@example.com", "dave@example.com"]


def test_sort_by_user_name_descending(scim, mixed_case_users):
    """RFC 7644 §3.4.2.3: sortOrder "descending" reverses the order."""
    response = scim.get(USERS, {"sortBy": "userName", "sortOrder": "descending"})

    assert user_names(response) == ["dave@example.com", "Carol@example.com", "Bob@example.com", "alice@example.com"]


def test_explicit_ascending_is_the_default_order(scim, mixed_case_users):
    """RFC 7644 §3.4.2.3: "ascending" is the default sortOrder."""
    explicit = scim.get(USERS, {"sortBy": "userName", "sortOrder": "ascending"})

    assert user_names(explicit) == user_names(scim.get(USERS, {"sortBy": "userName"}))


@pytest.mark.parametrize("sort_by", ["USERNAME", f"{USER_SCHEMA}:userName"])
def test_sort_by_accepts_any_case_and_the_urn(scim, mixed_case_users, sort_by):
    """RFC 7643 §2.1 and RFC 7644 §3.10: attribute names in any case, optionally URN-qualified."""
    response = scim.get(USERS, {"sortBy": sort_by, "sortOrder": "descending"})

    assert user_names(response) == ["dave@example.com", "Carol@example.com", "Bob@example.com", "alice@example.com"]


@pytest.fixture
def family_names(create_user: Any) -> None:
    """Three family names in mixed case, and two users without one (no name; a given name only)."""
    create_user("zeta@example.com", name={"givenName": "Zed", "familyName": "Zeta"})
    create_user("noname@example.com", name=None)
    create_user("alpha@example.com", name={"givenName": "Al", "familyName": "alpha"})
    create_user("given@example.com", name={"givenName": "Bea"})
    create_user("beta@example.com", name={"givenName": "Bo", "familyName": "Beta"})


def test_sort_by_family_name_puts_absent_values_last_ascending(scim, family_names):
    """RFC 7644 §3.4.2.3: with no data for sortBy, resources are "ordered last if ascending"."""
    response = scim.get(USERS, {"sortBy": "name.familyName"})

    assert user_names(response) == [
        "alpha@example.com",
        "beta@example.com",
        "zeta@example.com",
        "noname@example.com",
        "given@example.com",
    ]


def test_sort_by_family_name_puts_absent_values_first_descending(scim, family_names):
    """RFC 7644 §3.4.2.3: with no data for sortBy, resources are "first if descending" (ties in creation order)."""
    response = scim.get(USERS, {"sortBy": "name.familyName", "sortOrder": "descending"})

    assert user_names(response) == [
        "noname@example.com",
        "given@example.com",
        "zeta@example.com",
        "beta@example.com",
        "alpha@example.com",
    ]


def test_sort_order_without_sort_by_keeps_creation_order(scim, mixed_case_users):
    """RFC 7644 §3.4.2.3: sortOrder orders by sortBy; without sortBy the provider's own order stands."""
    response = scim.get(USERS, {"sortOrder": "descending"})

    assert user_names(response) == mixed_case_users


@pytest.mark.parametrize("sort_order", ["down", "asc", "1"])
def test_invalid_sort_order_is_400_invalid_value(scim, mixed_case_users, sort_order):
    """RFC 7644 §3.4.2.3: sortOrder is "ascending" or "descending"; anything else is invalidValue (§3.12)."""
    assert_scim_error(scim.get(USERS, {"sortBy": "userName", "sortOrder": sort_order}), 400, "invalidValue")


@pytest.mark.parametrize("sort_by", ["title", "nickName", "name.middleName", "urn:example:x:userName", "user name"])
def test_unknown_sort_by_is_400_invalid_value(scim, mixed_case_users, sort_by):
    """RFC 7644 §3.4.2.3 and §3.12: an attribute we cannot sort by is refused, not silently ignored."""
    assert_scim_error(scim.get(USERS, {"sortBy": sort_by}), 400, "invalidValue")


@pytest.mark.parametrize(
    ("sort_by", "sort_order"),
    [("name.givenName", "ascending"), ("userName", "descending"), ("emails.type", ""), ("active", "descending")],
)
def test_paging_through_a_sorted_list_is_stable(scim, create_user, sort_by, sort_order):
    """RFC 7644 §3.4.2.4: pages of a sorted list cut one consistent order, ties included (equal given names).

    Pages past the first are read by a deferred join (``pagination``): they must cut the same order.
    """
    for n in range(7):
        create_user(f"user{n}@example.com", active=n % 3 != 0)
    params = {"sortBy": sort_by, "sortOrder": sort_order}

    everything = ids(scim.get(USERS, params))
    pages = [ids(scim.get(USERS, {**params, "startIndex": start, "count": 3})) for start in (1, 4, 7)]

    assert [len(page) for page in pages] == [3, 3, 1]
    assert [id_ for page in pages for id_ in page] == everything
    assert len(set(everything)) == 7


# attributes / excludedAttributes (RFC 7644 §3.4.2.5 and §3.9)


def keep(*names: str) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """The full resource reduced to ``names`` (plus schemas and id, always returned)."""
    return lambda full: {key: full[key] for key in full if key in {"schemas", "id", *names}}


def drop(*names: str) -> Callable[[dict[str, Any]], dict[str, Any]]:
    return lambda full: {key: full[key] for key in full if key not in names}


def privilege_only(full: dict[str, Any]) -> dict[str, Any]:
    expected = keep()(full)
    if is_host():
        expected[EXTENSION] = {"privilege": "member"}
    return expected


SELECTIONS: list[tuple[dict[str, str], Callable[[dict[str, Any]], dict[str, Any]]]] = [
    ({"attributes": "userName"}, keep("userName")),
    ({"attributes": "USERNAME"}, keep("userName")),
    ({"attributes": f"{USER_SCHEMA}:userName"}, keep("userName")),
    ({"attributes": "userName, externalId"}, keep("userName", "externalId")),
    ({"attributes": "name.givenName"}, lambda full: {**keep()(full), "name": {"givenName": "Barbara"}}),
    ({"attributes": "emails.value"}, lambda full: {**keep()(full), "emails": [{"value": full["userName"]}]}),
    ({"excludedAttributes": "emails,meta"}, drop("emails", "meta")),
    ({"excludedAttributes": "id"}, drop()),
    ({"excludedAttributes": "schemas,id"}, drop()),
    (
        {"excludedAttributes": "name.formatted"},
        lambda full: {**full, "name": {"givenName": "Barbara", "familyName": "Jensen"}},
    ),
    ({"attributes": f"{EXTENSION}:privilege"}, privilege_only),
    ({"attributes": EXTENSION}, privilege_only),
    ({"excludedAttributes": EXTENSION}, drop(EXTENSION)),
    ({"excludedAttributes": f"{EXTENSION}:privilege"}, drop(EXTENSION)),
]
SELECTION_IDS = ["&".join(f"{k}={v}" for k, v in params.items()) for params, _ in SELECTIONS]


def _get(scim: Any, created: dict[str, Any], params: dict[str, str], payload: Any) -> Any:
    return scim.get(f"{USERS}/{created['id']}", params)


def _list(scim: Any, created: dict[str, Any], params: dict[str, str], payload: Any) -> Any:
    response = scim.get(USERS, {"filter": f'userName eq "{created["userName"]}"', **params})
    assert response.json()["totalResults"] == 1
    return response


def _put(scim: Any, created: dict[str, Any], params: dict[str, str], payload: Any) -> Any:
    body = payload(created["userName"], externalId="ext-1", preferredLanguage="de")
    return scim.put(f"{USERS}/{created['id']}?{_query(params)}", body, format="json")


def _patch(scim: Any, created: dict[str, Any], params: dict[str, str], payload: Any) -> Any:
    body = {"schemas": [PATCH_OP_SCHEMA], "Operations": [{"op": "replace", "path": "timezone", "value": "UTC"}]}
    return scim.patch(f"{USERS}/{created['id']}?{_query(params)}", body, format="json")


def _query(params: dict[str, str]) -> str:
    from urllib.parse import urlencode

    return urlencode(params)


WRITES = {"get": _get, "list": _list, "put": _put, "patch": _patch}


@pytest.mark.parametrize(("params", "expected"), SELECTIONS, ids=SELECTION_IDS)
@pytest.mark.parametrize("method", ["get", "list", "put", "patch"])
def test_attribute_selection_on_existing_user(scim, create_user, user_payload, method, params, expected):
    """RFC 7644 §3.4.2.5 and §3.9: GET, list, PUT and PATCH answer with the selected attributes only.

    ``id`` is returned "always" (RFC 7643 §7), so excluding it keeps it.
    """
    created = create_user(externalId="ext-1")

    response = WRITES[method](scim, created, params, user_payload)

    assert response.status_code == 200, response.json()
    body = response.json()
    resource = body["Resources"][0] if method == "list" else body
    full = scim.get(f"{USERS}/{created['id']}").json()
    assert resource == expected(full)


@pytest.mark.parametrize(("params", "expected"), SELECTIONS, ids=SELECTION_IDS)
def test_attribute_selection_on_post(scim, user_payload, params, expected):
    """RFC 7644 §3.3 and §3.9: a POST answers 201 with the selected attributes of the new resource."""
    response = scim.post(f"{USERS}?{_query(params)}", user_payload(externalId="ext-1"), format="json")

    assert response.status_code == 201, response.json()
    full = scim.get(f"{USERS}/{response.json()['id']}").json()
    assert response.json() == expected(full)
    assert response["Location"] == full["meta"]["location"]
    assert response["ETag"] == full["meta"]["version"]


def test_selection_of_an_attribute_the_user_lacks_leaves_schemas_and_id(scim, create_user):
    """RFC 7644 §3.9: an unassigned attribute is simply absent from the reduced resource."""
    created = create_user(name=None)

    body = scim.get(f"{USERS}/{created['id']}", {"attributes": "name.givenName,nickName"}).json()

    assert body == {"schemas": created["schemas"], "id": created["id"]}


def test_selection_applies_to_every_resource_of_a_list(scim, create_user):
    """RFC 7644 §3.4.2.5: the selection applies to each resource of a ListResponse, not to the envelope."""
    for n in range(3):
        create_user(f"user{n}@example.com")

    body = scim.get(USERS, {"attributes": "userName"}).json()

    assert body["schemas"] == [LIST_RESPONSE_SCHEMA]
    assert body["totalResults"] == 3
    assert [set(resource) for resource in body["Resources"]] == [{"schemas", "id", "userName"}] * 3


# SearchRequest: POST /.search (RFC 7644 §3.4.3)


@pytest.fixture
def search_population(create_user: Any) -> None:
    for name in ["ursula", "uma", "victor", "ulrich", "una", "walter"]:
        create_user(f"{name}@example.com", externalId=f"ext-{name}")


SEARCHES = [
    (
        {
            "filter": 'userName sw "u"',
            "sortBy": "userName",
            "sortOrder": "descending",
            "startIndex": 2,
            "count": 2,
            "attributes": ["userName", "name.givenName"],
        },
        {
            "filter": 'userName sw "u"',
            "sortBy": "userName",
            "sortOrder": "descending",
            "startIndex": 2,
            "count": 2,
            "attributes": "userName,name.givenName",
        },
    ),
    (
        {"filter": 'externalId pr and not (userName eq "uma@example.com")', "excludedAttributes": ["meta", "emails"]},
        {"filter": 'externalId pr and not (userName eq "uma@example.com")', "excludedAttributes": "meta,emails"},
    ),
    ({"startIndex": 5}, {"startIndex": 5}),
    ({"count": 0}, {"count": 0}),
    ({}, {}),
]


@pytest.mark.parametrize("path", [f"{USERS}/.search", f"{ROOT}/.search"])
@pytest.mark.parametrize(("search", "query"), SEARCHES)
def test_search_request_answers_as_the_equivalent_get(scim, search_population, path, search, query):
    """RFC 7644 §3.4.3: POST .search with a SearchRequest is the GET query in a body, answered 200.

    Attribute lists are JSON arrays in the body and comma-separated in the URL.
    """
    response = scim.post(path, {"schemas": [SEARCH_REQUEST], **search}, format="json")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/scim+json")
    assert response.json() == scim.get(USERS, query).json()


def test_search_request_member_names_are_case_insensitive(scim, search_population):
    """RFC 7644 §3.4.3 and RFC 7643 §2.1: SearchRequest attribute names in any case."""
    body = {"SCHEMAS": [SEARCH_REQUEST], "Filter": 'userName eq "uma@example.com"', "ATTRIBUTES": ["userName"]}

    response = scim.post(f"{USERS}/.search", body, format="json")

    assert [set(resource) for resource in response.json()["Resources"]] == [{"schemas", "id", "userName"}]


@pytest.mark.parametrize(
    "body",
    [
        {"filter": 'userName sw "u"'},
        {"schemas": [LIST_RESPONSE_SCHEMA], "filter": 'userName sw "u"'},
        {"schemas": SEARCH_REQUEST, "filter": 'userName sw "u"'},
    ],
    ids=["missing", "other-schema", "not-a-list"],
)
def test_search_request_without_its_schema_is_400_invalid_syntax(scim, search_population, body):
    """RFC 7644 §3.4.3: the body MUST name the SearchRequest schema; otherwise invalidSyntax (§3.12)."""
    assert_scim_error(scim.post(f"{USERS}/.search", body, format="json"), 400, "invalidSyntax")


def test_search_request_with_a_bad_filter_is_400_invalid_filter(scim, search_population):
    """RFC 7644 §3.4.3 and §3.12: the SearchRequest's filter is checked like the query parameter's."""
    body = {"schemas": [SEARCH_REQUEST], "filter": 'title pr and userName eq "x"'}

    assert_scim_error(scim.post(f"{ROOT}/.search", body, format="json"), 400, "invalidFilter")


def test_search_request_attributes_must_be_a_list_of_strings(scim, search_population):
    """RFC 7644 §3.4.3: "attributes" is a multi-valued string; other JSON is invalidValue (§3.12)."""
    body = {"schemas": [SEARCH_REQUEST], "attributes": [1, 2]}

    assert_scim_error(scim.post(f"{USERS}/.search", body, format="json"), 400, "invalidValue")


def test_get_on_search_is_405(scim):
    """RFC 7644 §3.4.3: .search is reached with POST; GET is 405 in the SCIM error envelope, with Allow."""
    response = scim.get(f"{USERS}/.search")

    assert_scim_error(response, 405)
    assert "POST" in response["Allow"]


def test_search_requires_a_key(client, search_population):
    """RFC 7644 §2: searching users needs the provisioning key."""
    response = client.post(f"{USERS}/.search", {"schemas": [SEARCH_REQUEST]}, content_type="application/scim+json")

    assert_scim_error(response, 401)


# ETags (RFC 7644 §3.14)


def patch_body(value: str = "Babs") -> dict[str, Any]:
    return {"schemas": [PATCH_OP_SCHEMA], "Operations": [{"op": "replace", "path": "name.givenName", "value": value}]}


def test_get_has_a_weak_etag_equal_to_meta_version(scim, create_user):
    """RFC 7644 §3.14: the ETag header and meta.version carry the same (weak) entity tag."""
    created = create_user()

    response = scim.get(f"{USERS}/{created['id']}")

    assert response["ETag"] == response.json()["meta"]["version"] == created["meta"]["version"]
    assert response["ETag"].startswith('W/"') and response["ETag"].endswith('"')


@pytest.mark.parametrize("form", ["same", "strong", "list", "star"])
def test_if_none_match_with_the_current_version_is_304(scim, create_user, form):
    """RFC 7644 §3.14 and RFC 9110 §13.1.2: If-None-Match compares weakly; a match answers 304 with no body."""
    created = create_user()
    tag = created["meta"]["version"]
    header = {"same": tag, "strong": tag[2:], "list": f'"other", {tag}', "star": "*"}[form]

    response = scim.get(f"{USERS}/{created['id']}", HTTP_IF_NONE_MATCH=header)

    assert response.status_code == 304
    assert response.content == b""
    assert response["ETag"] == tag


def test_if_none_match_with_another_version_is_200(scim, create_user):
    """RFC 7644 §3.14: a stale If-None-Match gets the current representation."""
    created = create_user()

    response = scim.get(f"{USERS}/{created['id']}", HTTP_IF_NONE_MATCH='W/"stale"')

    assert response.status_code == 200
    assert response.json() == created


def _write(scim: Any, method: str, created: dict[str, Any], payload: Any, if_match: str) -> Any:
    url = f"{USERS}/{created['id']}"
    if method == "put":
        body = payload(created["userName"], name={"givenName": "Babs", "familyName": "Jensen"})
        return scim.put(url, body, format="json", HTTP_IF_MATCH=if_match)
    if method == "patch":
        return scim.patch(url, patch_body(), format="json", HTTP_IF_MATCH=if_match)
    return scim.delete(url, HTTP_IF_MATCH=if_match)


SUCCESS = {"put": 200, "patch": 200, "delete": 204}


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_if_match_with_the_current_version_succeeds(scim, create_user, user_payload, method):
    """RFC 7644 §3.14: a write conditional on the current version goes through."""
    created = create_user()

    response = _write(scim, method, created, user_payload, created["meta"]["version"])

    assert response.status_code == SUCCESS[method], response.content
    after = scim.get(f"{USERS}/{created['id']}")
    if method == "delete":
        assert after.status_code == 404
    else:
        assert after.json()["name"]["givenName"] == "Babs"
        assert response["ETag"] == after.json()["meta"]["version"] != created["meta"]["version"]


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_if_match_with_a_stale_version_is_412_and_changes_nothing(scim, create_user, user_payload, method):
    """RFC 7644 §3.14: a version mismatch is 412 Precondition Failed, and the resource is left as it was."""
    created = create_user()
    scim.patch(f"{USERS}/{created['id']}", patch_body("Barb"), format="json")
    current = scim.get(f"{USERS}/{created['id']}").json()

    response = _write(scim, method, created, user_payload, created["meta"]["version"])

    assert_scim_error(response, 412)
    assert scim.get(f"{USERS}/{created['id']}").json() == current


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_if_match_star_succeeds(scim, create_user, user_payload, method):
    """RFC 9110 §13.1.1: If-Match: * matches any current representation."""
    created = create_user()

    assert _write(scim, method, created, user_payload, "*").status_code == SUCCESS[method]


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_if_match_list_containing_the_current_version_succeeds(scim, create_user, user_payload, method):
    """RFC 9110 §13.1.1: If-Match may list several entity tags; one match suffices."""
    created = create_user()

    response = _write(scim, method, created, user_payload, f'W/"stale", {created["meta"]["version"]}')

    assert response.status_code == SUCCESS[method]


def test_etag_changes_after_a_patch(scim, create_user):
    """RFC 7644 §3.14: a modified resource has a new version, in the PATCH answer and on the next GET."""
    created = create_user()

    patched = scim.patch(f"{USERS}/{created['id']}", patch_body(), format="json")

    assert patched.status_code == 200
    assert patched["ETag"] == patched.json()["meta"]["version"] != created["meta"]["version"]
    assert scim.get(f"{USERS}/{created['id']}")["ETag"] == patched["ETag"]


def test_etag_changes_when_the_host_edits_the_user_directly(scim, create_user, user_payload):
    """RFC 7644 §3.14: versions follow the content, so an edit outside SCIM invalidates the IdP's If-Match."""
    created = create_user()
    link = ProvisionedUser.objects.get(pk=created["id"])
    get_user_model().objects.filter(pk=link.user_id).update(first_name="Edited")

    response = scim.get(f"{USERS}/{created['id']}")

    assert response.json()["name"]["givenName"] == "Edited"
    assert response["ETag"] != created["meta"]["version"]
    stale = _write(scim, "put", created, user_payload, created["meta"]["version"])
    assert_scim_error(stale, 412)


def test_etag_is_unchanged_by_edits_the_representation_does_not_show(scim, create_user):
    """RFC 7644 §3.14: a weak tag identifies the representation; unrelated host fields do not change it."""
    created = create_user()
    link = ProvisionedUser.objects.get(pk=created["id"])
    get_user_model().objects.filter(pk=link.user_id).update(last_login=timezone.now())

    response = scim.get(f"{USERS}/{created['id']}", HTTP_IF_NONE_MATCH=created["meta"]["version"])

    assert response.status_code == 304


def test_post_answers_with_the_etag_of_the_new_resource(scim, user_payload):
    """RFC 7644 §3.14: the ETag header accompanies every response that returns a resource version."""
    response = scim.post(USERS, user_payload(), format="json")

    assert response.status_code == 201
    assert response["ETag"] == response.json()["meta"]["version"]
