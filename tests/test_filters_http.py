"""Filters through ``GET /Users?filter=`` (RFC 7644 §3.4.2.2), on a small population of users.

Every example of RFC 7644 §3.4.2.2 is run: those on attributes the product
stores must return exactly the matching users, those on attributes it does not
store (title, userType, ims) must be refused with 400 ``invalidFilter``
(RFC 7644 §3.12), never answered with an empty or unfiltered list. Property
tests then throw arbitrary text and random grammar-shaped filters at the
endpoint: the answer is always a ListResponse or ``invalidFilter``.
"""

from __future__ import annotations

import json
import string
from datetime import timedelta, timezone
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from scim_provisioning.constants import ERROR_SCHEMA, LIST_RESPONSE_SCHEMA, USER_SCHEMA

from .conftest import is_host

pytestmark = pytest.mark.django_db

USERS = "/scim/v2/Users"
EXTENSION = "urn:ietf:params:scim:schemas:extension:scim_provisioning:2.0:User"
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
ALL = frozenset({"bj", "js", "jo", "kz", "jl"})


@pytest.fixture
def population(create_user: Any) -> dict[str, Any]:
    """Five users, created in this order; ``jo`` lacks an externalId, ``kz`` a family name and is suspended.

    Returns the ids by key, and the ``meta`` timestamps of ``jo`` (the middle one) as pivots.
    """
    bj = create_user(
        "bjensen@example.com",
        externalId="bj-1",
        name={"givenName": "Barbara", "familyName": "Jensen"},
        phoneNumbers=[{"value": "+1 555 0101", "type": "work"}],
        addresses=[{"formatted": "100 Universal City Plaza, Hollywood", "type": "work"}],
    )
    js = create_user(
        "jsmith@example.org",
        externalId="js-2",
        name={"givenName": "John", "familyName": "Smith"},
        phoneNumbers=[{"value": "+44 20 7946 0000", "type": "work"}],
        addresses=[{"formatted": "221B Baker Street, London", "type": "work"}],
    )
    jo = create_user(
        "jomalley@example.com",
        name={"givenName": "Joan", "familyName": "O'Malley"},
        **{EXTENSION: {"privilege": "inactive"}},
    )
    kz = create_user("kzed@example.net", externalId="kz-4", name={"givenName": "Kim"}, active=False)
    jl = create_user("jlee@example.com", externalId="jl-5", name={"givenName": "Jae", "familyName": "Lee"})
    return {
        "ids": {"bj": bj["id"], "js": js["id"], "jo": jo["id"], "kz": kz["id"], "jl": jl["id"]},
        "modified": jo["meta"]["lastModified"],
        "created": jo["meta"]["created"],
    }


def run_filter(scim: Any, filter_text: str) -> Any:
    return scim.get(USERS, {"filter": filter_text, "count": 1000})


def matched(population: dict[str, Any], response: Any) -> set[str]:
    """The population keys of the resources in a 200 ListResponse."""
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["schemas"] == [LIST_RESPONSE_SCHEMA]
    assert body["totalResults"] == len(body["Resources"])
    keys = {id_: key for key, id_ in population["ids"].items()}
    return {keys[resource["id"]] for resource in body["Resources"]}


def assert_invalid_filter(response: Any) -> None:
    """RFC 7644 §3.12: 400 with scimType invalidFilter in the SCIM error envelope."""
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["schemas"] == [ERROR_SCHEMA]
    assert (body["status"], body["scimType"]) == ("400", "invalidFilter")
    assert body["detail"]


# RFC 7644 §3.4.2.2, the examples' list as written (our userNames are email addresses).
RFC_EXAMPLES_SUPPORTED = [
    ('userName eq "bjensen@example.com"', {"bj"}),
    ('name.familyName co "O\'Malley"', {"jo"}),
    ('userName sw "J"', {"js", "jo", "jl"}),
    ('urn:ietf:params:scim:schemas:core:2.0:User:userName sw "J"', {"js", "jo", "jl"}),
    ('meta.lastModified gt "{modified}"', {"kz", "jl"}),
    ('meta.lastModified ge "{modified}"', {"jo", "kz", "jl"}),
    ('meta.lastModified lt "{modified}"', {"bj", "js"}),
    ('meta.lastModified le "{modified}"', {"bj", "js", "jo"}),
    (f'schemas eq "{ENTERPRISE}"', set()),
]

RFC_EXAMPLES_UNSUPPORTED = [
    "title pr",
    'title pr and userType eq "Employee"',
    'title pr or userType eq "Intern"',
    'userType eq "Employee" and (emails co "example.com" or emails.value co "example.org")',
    'userType ne "Employee" and not (emails co "example.com" or emails.value co "example.org")',
    'userType eq "Employee" and (emails.type eq "work")',
    'userType eq "Employee" and emails[type eq "work" and value co "@example.com"]',
    'emails[type eq "work" and value co "@example.com"] or ims[type eq "xmpp" and value co "@foo.com"]',
]

# The same constructs on attributes the product stores.
SUPPORTED = [
    ('emails[type eq "work" and value co "@example.com"]', {"bj", "jo", "jl"}),
    ('emails co "example.com"', {"bj", "jo", "jl"}),
    ('emails co "example.com" or emails.value co "example.org"', {"bj", "js", "jo", "jl"}),
    ('not (emails co "example.com" or emails.value co "example.org")', {"kz"}),
    ('emails.value ew ".net"', {"kz"}),
    ('emails.type eq "work"', ALL),
    ('emails.type eq "home"', set()),
    ('emails[type eq "work"]', ALL),
    ("emails.primary eq true", ALL),
    ("emails.primary eq false", set()),
    ("emails pr", ALL),
    (f'schemas eq "{USER_SCHEMA}"', ALL),
    ('meta.resourceType eq "User"', ALL),
    ('meta.resourceType eq "Group"', set()),
    ('meta.created ge "{created}"', {"jo", "kz", "jl"}),
    ('meta.created gt "{created}"', {"kz", "jl"}),
    ('meta.created lt "{created}"', {"bj", "js"}),
    ('meta.created le "{created}"', {"bj", "js", "jo"}),
    ('name.formatted co "smith"', {"js"}),
    ('name.formatted eq "Barbara Jensen"', {"bj"}),
    ('name.givenName eq "KIM"', {"kz"}),
    ("name.familyName pr", {"bj", "js", "jo", "jl"}),
    ("not (name.familyName pr)", {"kz"}),
    ('displayName sw "j"', {"js", "jo", "jl"}),
    ('displayName eq "Kim"', {"kz"}),
    ("active eq false", {"kz"}),
    ("active eq true", {"bj", "js", "jo", "jl"}),
    ("not (active eq true)", {"kz"}),
    ('userName ne "bjensen@example.com"', {"js", "jo", "kz", "jl"}),
    ('not (userName eq "bjensen@example.com")', {"js", "jo", "kz", "jl"}),
    ('userName gt "k"', {"kz"}),
    ('userName lt "JL"', {"bj"}),
    # Precedence: "and" binds tighter than "or" (RFC 7644 §3.4.2.2, Table 3 and the grammar of Figure 1).
    ('userName eq "bjensen@example.com" or userName eq "jsmith@example.org" and active eq false', {"bj"}),
    ('(userName eq "bjensen@example.com" or userName eq "jsmith@example.org") and active eq false', set()),
    ('active eq false or userName sw "b" and externalId eq "bj-1"', {"bj", "kz"}),
    ('not (userName sw "j") and not (active eq false)', {"bj"}),
    # Attribute names, operators and keywords are case-insensitive (RFC 7643 §2.1, RFC 7644 §3.4.2.2).
    ('USERNAME eq "BJENSEN@example.com"', {"bj"}),
    ('username EQ "bjensen@example.com" OR EXTERNALID Eq "js-2"', {"bj", "js"}),
    ("NOT (Active EQ TRUE)", {"kz"}),
    ('URN:IETF:PARAMS:SCIM:SCHEMAS:CORE:2.0:USER:userName eq "jlee@example.com"', {"jl"}),
    ('urn:ietf:params:scim:schemas:core:2.0:User:name.givenName sw "jo"', {"js", "jo"}),
    # externalId is caseExact (RFC 7643 §3.1); absent is null for eq/pr (RFC 7644 §3.4.2.2).
    ("externalId eq null", {"jo"}),
    ("externalId pr", {"bj", "js", "kz", "jl"}),
    ("externalId ne null", {"bj", "js", "kz", "jl"}),
    ('externalId eq "BJ-1"', set()),
    ('externalId sw "j"', {"js", "jl"}),
]

# Attributes only the example host stores: exact matches there, invalidFilter under zero configuration.
HOST_ONLY = [
    ('privilege eq "inactive"', {"jo"}),
    (f'{EXTENSION}:privilege eq "member"', {"bj", "js", "kz", "jl"}),
    (f'{EXTENSION}:privilege ne "member"', {"jo"}),
    ('phoneNumbers.value co "555"', {"bj"}),
    ('phoneNumbers[value sw "+44"]', {"js"}),
    ("phoneNumbers pr", {"bj", "js"}),
    ('addresses.formatted co "london"', {"js"}),
    ('addresses[type eq "work" and formatted co "Hollywood"]', {"bj"}),
    ("addresses.formatted pr", {"bj", "js"}),
    ("not (phoneNumbers.value pr)", {"jo", "kz", "jl"}),
]


@pytest.mark.parametrize(("filter_text", "expected"), RFC_EXAMPLES_SUPPORTED)
def test_rfc_example_on_stored_attributes(scim, population, filter_text, expected):
    """RFC 7644 §3.4.2.2: each example on a stored attribute returns exactly the matching users."""
    filter_text = filter_text.format(**population)

    assert matched(population, run_filter(scim, filter_text)) == expected


@pytest.mark.parametrize("filter_text", RFC_EXAMPLES_UNSUPPORTED)
def test_rfc_example_on_attributes_not_stored_is_invalid_filter(scim, population, filter_text):
    """RFC 7644 §3.4.2.2 and §3.12: title, userType and ims are not stored, so these cannot be answered."""
    assert_invalid_filter(run_filter(scim, filter_text))


@pytest.mark.parametrize(("filter_text", "expected"), SUPPORTED)
def test_filter_on_stored_attributes(scim, population, filter_text, expected):
    """RFC 7644 §3.4.2.2: operators, grouping, value paths, case-insensitive names, null and pr."""
    filter_text = filter_text.format(**population)

    assert matched(population, run_filter(scim, filter_text)) == expected


@pytest.mark.parametrize(("filter_text", "expected"), HOST_ONLY)
def test_filter_on_host_only_attributes(scim, population, filter_text, expected):
    """RFC 7644 §3.4.2.2: privilege, phones and addresses filter where stored; elsewhere invalidFilter (§3.12)."""
    response = run_filter(scim, filter_text)

    if is_host():
        assert matched(population, response) == expected
    else:
        assert_invalid_filter(response)


def test_ne_includes_users_that_lack_the_attribute(scim, population):
    """RFC 7644 §3.4.2.2: "ne" matches when the attribute is absent, as "not (eq)" does."""
    response = run_filter(scim, 'name.familyName ne "Jensen"')

    assert matched(population, response) == {"js", "jo", "kz", "jl"}


def test_filtered_total_results_count_matches_beyond_the_page(scim, population):
    """RFC 7644 §3.4.2: totalResults counts every match, not only those on the page."""
    body = scim.get(USERS, {"filter": 'userName sw "j"', "count": 1}).json()

    assert (body["totalResults"], body["itemsPerPage"]) == (3, 1)


def test_filter_never_reaches_another_tenants_users(scim, other_scim, population, create_user):
    """RFC 7644 §3.4.2.2: a filter narrows the tenant's own users; a match elsewhere is not returned."""
    create_user("elsewhere@example.com", client=other_scim)

    assert matched(population, run_filter(scim, 'userName sw "e" or emails co "example.com"')) == {"bj", "jo", "jl"}


# Property tests: whatever the filter, a ListResponse or invalidFilter, never another status or a 500.

PROPERTY_SETTINGS = settings(
    max_examples=100,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

KNOWN_ATTRIBUTES = [
    "id",
    "userName",
    "USERNAME",
    "externalId",
    "name.givenName",
    "name.familyName",
    "name.formatted",
    "name",
    "displayName",
    "active",
    "emails",
    "emails.value",
    "emails.type",
    "emails.primary",
    "Emails.Value",
    "meta.created",
    "meta.lastModified",
    "meta.resourceType",
    "schemas",
    "preferredLanguage",
    "timezone",
    "phoneNumbers",
    "phoneNumbers.value",
    "phoneNumbers.primary",
    "addresses.formatted",
    "privilege",
    f"{USER_SCHEMA}:userName",
    f"{USER_SCHEMA}:name.familyName",
    f"{EXTENSION}:privilege",
]
UNKNOWN_ATTRIBUTES = [
    "title",
    "userType",
    "ims",
    "nickName",
    "password",
    "groups",
    "meta.location",
    "meta.version",
    "name.middleName",
    "emails.display",
    "x509Certificates.value",
    "userName.value",
    "name.givenName.x",
    f"{ENTERPRISE}:employeeNumber",
    "urn:example:unknown:User:userName",
    "$ref",
    "a-b",
]
OPERATORS = ["eq", "ne", "co", "sw", "ew", "gt", "ge", "lt", "le", "EQ", "Co", "like", "=="]
FIXED_OFFSETS = [timezone.utc, timezone(timedelta(hours=14)), timezone(timedelta(hours=-12, minutes=-30))]

json_values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.text(st.characters(exclude_categories=("Cs",)), max_size=12),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=1),
)
value_literals = st.one_of(
    st.builds(json.dumps, json_values),
    st.builds(lambda v: json.dumps(v, ensure_ascii=False), json_values),
    st.datetimes(timezones=st.sampled_from(FIXED_OFFSETS)).map(lambda d: json.dumps(d.isoformat())),
    st.uuids().map(lambda u: json.dumps(str(u))),
    st.sampled_from(["true", "FALSE", "Null", '"work"', '"User"', '"bjensen@example.com"', "1e400", "-0", "x"]),
)
attribute_names = st.sampled_from(KNOWN_ATTRIBUTES + UNKNOWN_ATTRIBUTES)


def _keyword(word: str) -> st.SearchStrategy[str]:
    return st.sampled_from([word, word.upper(), word.title()])


leaf_filters = st.one_of(
    st.builds(lambda a, o, v: f"{a} {o} {v}", attribute_names, st.sampled_from(OPERATORS), value_literals),
    st.builds(lambda a, p: f"{a} {p}", attribute_names, _keyword("pr")),
)


def _compound(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.one_of(
        st.builds(lambda a, k, b: f"{a} {k} {b}", children, _keyword("and"), children),
        st.builds(lambda a, k, b: f"{a} {k} {b}", children, _keyword("or"), children),
        st.builds(lambda k, a: f"{k} ({a})", _keyword("not"), children),
        st.builds(lambda a: f"({a})", children),
        st.builds(lambda n, a: f"{n}[{a}]", attribute_names, children),
    )


grammar_filters = st.recursive(leaf_filters, _compound, max_leaves=6)

FILTER_CHARACTERS = string.ascii_letters + string.digits + ' "\\()[].:-_$\x00\t\n' + "éß🙂"
text_filters = st.one_of(
    st.text(st.characters(exclude_categories=("Cs",)), max_size=40),
    st.text(st.sampled_from(FILTER_CHARACTERS), max_size=40),
)


def assert_list_or_invalid_filter(response: Any) -> None:
    """RFC 7644 §3.4.2 and §3.12: a ListResponse (200) or 400 invalidFilter; nothing else, never a 500."""
    assert response.status_code in (200, 400), (response.status_code, response.content)
    body = response.json()
    if response.status_code == 200:
        assert body["schemas"] == [LIST_RESPONSE_SCHEMA]
        assert isinstance(body["totalResults"], int)
        assert len(body["Resources"]) == body["itemsPerPage"] <= body["totalResults"]
    else:
        assert body["schemas"] == [ERROR_SCHEMA]
        assert body["scimType"] == "invalidFilter", body


# Edge cases found by the properties below, pinned so they run on every database.
EDGE_CASES = [
    # Valid RFC 3339 date-times whose UTC equivalents fall outside year 1..9999.
    'meta.created gt "0001-01-01T00:00:00+14:00"',
    'meta.lastModified lt "9999-12-31T23:00:00-12:30"',
    # A JSON escape for NUL: a valid string literal that PostgreSQL text cannot hold.
    'userName eq "\\u0000"',
    'emails[value co "a\\u0000b"]',
    'displayName sw "\\u0000"',
]


@pytest.mark.parametrize("filter_text", EDGE_CASES)
def test_edge_case_literal_is_a_list_or_invalid_filter(scim, population, filter_text):
    """RFC 7644 §3.4.2.2 and §3.12: a well-formed filter no user can match is an empty list or invalidFilter.

    Never a 500, and never an answer that depends on the database (invalidValue
    on PostgreSQL for a value SQLite compares without complaint).
    """
    assert_list_or_invalid_filter(run_filter(scim, filter_text))


@pytest.fixture
def small_population(create_user: Any) -> None:
    create_user("bjensen@example.com", externalId="bj-1", phoneNumbers=[{"value": "+1 555 0101", "type": "work"}])
    create_user("kzed@example.net", name={"givenName": "Kim"}, active=False)


@PROPERTY_SETTINGS
@given(filter_text=text_filters)
@example(filter_text='userName eq "a\x00"')
@example(filter_text='userName eq "unterminated')
def test_arbitrary_text_is_a_list_or_invalid_filter(scim, small_population, filter_text):
    """RFC 7644 §3.4.2.2: any text, unicode, quotes, brackets and NUL included, is answered 200 or invalidFilter."""
    assert_list_or_invalid_filter(run_filter(scim, filter_text))


@PROPERTY_SETTINGS
@given(filter_text=grammar_filters)
@example(filter_text='userName eq "\\u0000"')
@example(filter_text='meta.created gt "0001-01-01T00:00:00+14:00"')
def test_grammar_shaped_filter_is_a_list_or_invalid_filter(scim, small_population, filter_text):
    """RFC 7644 §3.4.2.2: known and unknown attributes, every operator, values of every JSON type, and/or/not."""
    assert_list_or_invalid_filter(run_filter(scim, filter_text))
