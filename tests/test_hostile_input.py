"""Hostile input never yields a 500, an HTML page or a partial write (RFC 7644 §3.12, DESIGN.md §3.2).

Property tests through the HTTP API: POST, PUT and PATCH bodies, list query
parameters and SearchRequests, raw bodies, headers and methods, built from
wrong JSON types, strings longer than the columns, deep nesting, huge arrays,
astral, combining and right-to-left characters, lone surrogates (as JSON
escapes, and as invalid UTF-8), NUL, numbers out of range and NaN/Infinity
literals. For every request:

- the status is one the SCIM endpoints document, never a 5xx;
- every answer with a body is ``application/scim+json`` and valid UTF-8 JSON;
  every error is the §3.12 envelope whose ``status`` is the HTTP status;
- after any error, the users, links (and memberships) are as many as before,
  and the existing user's GET answer is byte-for-byte the same.

Each example runs in a transaction rolled back afterwards, so every example
meets the same single user. ``SCIM_FUZZ_EXAMPLES`` sets the examples per
test (default 50); the long runs use 2000 or more.
"""

from __future__ import annotations

import json
import os
from typing import Any
from urllib.parse import quote

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from scim_provisioning.constants import ERROR_SCHEMA, MEDIA_TYPE, PATCH_OP_SCHEMA, USER_SCHEMA
from scim_provisioning.exceptions import ScimType
from scim_provisioning.models import ProvisionedUser

from .conftest import is_host, override_scim_settings

pytestmark = pytest.mark.django_db

USERS = "/scim/v2/Users"
SEARCH_REQUEST = "urn:ietf:params:scim:api:messages:2.0:SearchRequest"
EXTENSION = "urn:ietf:params:scim:schemas:extension:scim_provisioning:2.0:User"
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
EXISTING = "existing@example.com"
#: What the SCIM endpoints answer; 429 is not among them because throttling is off here.
KNOWN_STATUSES = frozenset({200, 201, 204, 304, 400, 401, 403, 404, 405, 406, 409, 412, 413, 415, 501})
SCIM_TYPES = frozenset(value for name, value in vars(ScimType).items() if name.isupper())

HOSTILE = settings(
    max_examples=int(os.environ.get("SCIM_FUZZ_EXAMPLES", "50")),
    deadline=None,
    database=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
    ],
)


# What every answer must be.


def assert_scim_answer(response: Any, method: str = "GET") -> None:
    """A documented status; a body only as SCIM JSON; every error as the RFC 7644 §3.12 envelope."""
    status = response.status_code
    assert status in KNOWN_STATUSES, (status, response.content[:500])
    content_type = response.get("Content-Type")
    assert not content_type or "html" not in content_type, (status, content_type)
    if status in (204, 304) or method == "HEAD":
        assert not response.content, (status, response.content[:200])
        return
    assert content_type == MEDIA_TYPE, (status, content_type, response.content[:200])
    body = json.loads(response.content.decode("utf-8"))  # strict UTF-8: nothing unencodable echoed back
    assert isinstance(body, dict), body
    if status >= 400:
        assert body["schemas"] == [ERROR_SCHEMA], body
        assert body["status"] == str(status), body
        assert isinstance(body["detail"], str) and body["detail"], body
        assert body.get("scimType", "invalidValue") in SCIM_TYPES, body
        assert set(body) <= {"schemas", "status", "scimType", "detail"}, body


class Api:
    """The test tenant's SCIM client, its one existing user, and the state a failed request must not change."""

    def __init__(self, client: Any, user_id: str) -> None:
        self.client = client
        self.user_id = user_id
        self.user_path = f"{USERS}/{user_id}"

    def snapshot(self) -> tuple[Any, ...]:
        response = self.client.get(self.user_path)
        assert response.status_code == 200, response.content
        return (*_row_counts(), response.content, response["ETag"])

    def exchange(self, method: str, path: str, body: bytes | str = b"", content_type: str = MEDIA_TYPE, **extra: Any):
        """Send one request and check its answer; after an error, check that nothing changed. Then roll back."""
        before = self.snapshot()
        with transaction.atomic():
            response = self.client.generic(method, path, body, content_type=content_type, **extra)
            assert_scim_answer(response, method)
            if response.status_code >= 400:
                assert self.snapshot() == before, response.content[:300]
            transaction.set_rollback(True)
        return response


def _row_counts() -> tuple[int, ...]:
    counts = [get_user_model().objects.count(), ProvisionedUser.objects.count()]
    if is_host():
        from accounts.models import Membership

        counts.append(Membership.objects.count())
    return tuple(counts)


@pytest.fixture
def api(settings: Any, scim: Any, create_user: Any) -> Api:
    override_scim_settings(settings, THROTTLE_RATE=None)
    user = create_user(
        EXISTING,
        externalId="ext-1",
        name={"givenName": "Ex", "familyName": "Isting"},
        phoneNumbers=[{"value": "+1 555 0100", "type": "work"}],
        addresses=[{"formatted": "1 Main Street", "type": "work"}],
    )
    return Api(scim, user["id"])


# JSON the tests write: Raw values are inserted as they are, so a body can hold what json.dumps refuses
# or cannot reach (NaN and Infinity literals, 1e400, nesting past the recursion limit).


class Raw(str):
    """JSON text put into a body verbatim."""


def encode(value: Any, ascii_only: bool = True) -> str:
    """JSON text of ``value``; with ``ascii_only``, lone surrogates become escapes such as ``\\ud800``."""
    if isinstance(value, Raw):
        return str(value)
    if isinstance(value, dict):
        items = (f"{encode(str(key), ascii_only)}:{encode(item, ascii_only)}" for key, item in value.items())
        return "{" + ",".join(items) + "}"
    if isinstance(value, list):
        return "[" + ",".join(encode(item, ascii_only) for item in value) + "]"
    return json.dumps(value, ensure_ascii=ascii_only)  # NaN and Infinity as literals


def body_bytes(value: Any, ascii_only: bool) -> bytes:
    """The body on the wire; without ``ascii_only`` a lone surrogate becomes invalid UTF-8."""
    return encode(value, ascii_only).encode("utf-8", "surrogatepass")


# Strategies.

SPECIAL_STRINGS = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "\ud800",
    "x\udfffy",
    "\U0001d518\U0001d52b\U0001d526",  # astral plane
    "e\u0301\u0301\u0301",  # combining marks
    "\u202eexe.txt\u202c",  # right-to-left override
    "\u05e9\u05dc\u05d5\u05dd",  # Hebrew, right to left
    "\ufeff",
    "\uffff",
    "\u2028",
    "null",
    "True",
    "False",
    "1e400",
    "NaN",
    '"',
    "\\",
    "<html><body>x</body></html>",
    "' OR 1=1 --",
    "%00",
    "\r\n",
    "work",
    "member",
    "inactive",
    USER_SCHEMA,
    EXTENSION,
]
LONG_UNITS = ["a", "é", "\U0001f642", "\x00", "\u0301", "\u202e", "ab@"]

characters = st.one_of(
    st.characters(),
    st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF),  # lone surrogates
    st.sampled_from("\x00\u0301\u202e\u200f\U0001f642"),
)
long_texts = st.one_of(
    st.builds(lambda n, unit: (unit * n)[:n], st.integers(255, 10_000), st.sampled_from(LONG_UNITS)),
    st.builds(lambda n: "a" * n + "@example.com", st.integers(240, 10_000)),
    st.builds(lambda n: "x@" + "a" * n + ".example.com", st.integers(60, 10_000)),
)
texts = st.one_of(
    st.sampled_from(SPECIAL_STRINGS),
    st.text(characters, max_size=30),
    long_texts,
    st.builds(lambda a, b: f"{a}@{b}.example", st.text(characters, min_size=1, max_size=8), st.text(max_size=8)),
)
raw_numbers = st.sampled_from(
    [
        "NaN",
        "Infinity",
        "-Infinity",
        "1e400",
        "-1e400",
        "1E-400",
        "-0",
        "123456789012345678901234567890",
        "1" * 5000,  # past CPython's limit on integer digits
        "0.5",
    ]
)
numbers = st.one_of(
    st.integers(-(2**70), 2**70),
    st.sampled_from([2**63, -(2**63) - 1, 2**31, -1, 0]),
    st.floats(allow_nan=True, allow_infinity=True),
    raw_numbers.map(Raw),
)
scalars = st.one_of(st.none(), st.booleans(), numbers, texts)
DEPTHS = [10, 63, 64, 65, 200, 999, 1000, 5000, 100_000]
deep = st.one_of(
    st.sampled_from(DEPTHS).map(lambda d: Raw("[" * d + "]" * d)),
    st.sampled_from(DEPTHS).map(lambda d: Raw('{"a":' * d + "1" + "}" * d)),
    st.sampled_from(DEPTHS).map(lambda d: Raw(f'{{"{USER_SCHEMA}":' * d + "{}" + "}" * d)),
)
huge_arrays = st.builds(
    lambda n, item: Raw("[" + ",".join([encode(item)] * n) + "]"),
    st.integers(1000, 5000),
    st.sampled_from([1, "x", None, {"value": "a@example.com"}, {"value": "a@example.com", "primary": True}, []]),
)
json_values = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(texts, children, max_size=4),
    max_leaves=8,
)
SUB_ATTRIBUTES = [
    "value",
    "type",
    "primary",
    "display",
    "formatted",
    "givenName",
    "familyName",
    "streetAddress",
    "locality",
    "country",
    "privilege",
]
complex_items = st.dictionaries(st.sampled_from(SUB_ATTRIBUTES), st.one_of(scalars, json_values), max_size=4)
values = st.one_of(
    scalars,
    json_values,
    complex_items,
    st.lists(complex_items, max_size=3),
    deep,
    huge_arrays,
)

ATTRIBUTES = [
    "schemas",
    "id",
    "externalId",
    "userName",
    "name",
    "displayName",
    "emails",
    "phoneNumbers",
    "addresses",
    "preferredLanguage",
    "locale",
    "timezone",
    "active",
    "password",
    "privilege",
    "meta",
    "groups",
    "title",
    "name.givenName",
    "emails.value",
    f"{USER_SCHEMA}:userName",
    f"{EXTENSION}:privilege",
    USER_SCHEMA,
    EXTENSION,
    ENTERPRISE,
]
attribute_names = st.one_of(
    st.sampled_from(ATTRIBUTES).flatmap(lambda a: st.sampled_from([a, a.upper(), a.lower()])),
    texts,
)


def user_bodies(user_name: str) -> st.SearchStrategy[dict[str, Any]]:
    """A valid User with some attributes replaced, added or dropped, any of them hostile."""
    valid = {
        "schemas": [USER_SCHEMA],
        "userName": user_name,
        "name": {"givenName": "Ada", "familyName": "Lovelace"},
        "emails": [{"value": user_name, "type": "work", "primary": True}],
        "active": True,
    }
    return st.builds(
        lambda dropped, changes: {**{k: v for k, v in valid.items() if k not in dropped}, **changes},
        st.sets(st.sampled_from(sorted(valid))),
        st.dictionaries(attribute_names, values, max_size=5),
    )


PATHS = [
    "active",
    "userName",
    "externalId",
    "name",
    "name.givenName",
    "name.familyName",
    "emails",
    "emails.value",
    'emails[type eq "work"].value',
    'emails[type eq "work"]',
    'emails[value co "\\u0000"].primary',
    'emails[type eq "\\ud800"].value',
    'phoneNumbers[type eq "work"].value',
    'addresses[type eq "work"].formatted',
    "phoneNumbers",
    "addresses",
    "privilege",
    "id",
    "meta.created",
    "schemas",
    f"{USER_SCHEMA}:name.givenName",
    f"{EXTENSION}:privilege",
    EXTENSION,
    USER_SCHEMA,
    f"{ENTERPRISE}:department",
    "emails[",
    "emails[type eq]",
    "emails[" + "(" * 40 + 'type eq "work"' + ")" * 40 + "]",
    'name[givenName eq "x"]',
    "]",
]
operation_names = st.one_of(
    st.sampled_from(["add", "replace", "remove", "Add", "REPLACE", "Remove", "move", "copy", "test"]),
    scalars,
)
operations = st.one_of(
    st.fixed_dictionaries(
        {"op": operation_names},
        optional={"path": st.one_of(st.sampled_from(PATHS), scalars), "value": values},
    ),
    json_values,
)
patch_bodies = st.fixed_dictionaries(
    {
        "schemas": st.one_of(st.just([PATCH_OP_SCHEMA]), values),
        "Operations": st.one_of(st.lists(operations, max_size=5), values),
    }
)

SEARCH_MEMBERS = ["filter", "sortBy", "sortOrder", "startIndex", "count", "attributes", "excludedAttributes"]
FILTER_ATTRIBUTES = ["userName", "emails", "emails.value", "name.givenName", "externalId", "id", "meta.created"]
filters = st.one_of(
    texts,
    st.builds(
        lambda attribute, operator, value, ascii_only: (
            f"{attribute} {operator} {json.dumps(value, ensure_ascii=ascii_only)}"
        ),
        st.sampled_from(FILTER_ATTRIBUTES),
        st.sampled_from(["eq", "ne", "co", "sw", "ew", "gt", "ge", "lt", "le"]),
        st.one_of(texts, numbers.filter(lambda n: not isinstance(n, Raw))),
        st.booleans(),
    ),
    st.builds(lambda n: "not (" * n + 'userName eq "x"' + ")" * n, st.integers(30, 2000)),
)
query_values = st.one_of(texts, filters, st.sampled_from(["1", "0", "-1", "99999999999999999999999", "1e400", "1.5"]))
search_bodies = st.builds(
    lambda schemas, members: {"schemas": schemas, **members},
    st.one_of(st.just([SEARCH_REQUEST]), values),
    st.dictionaries(
        st.sampled_from(SEARCH_MEMBERS).flatmap(lambda m: st.sampled_from([m, m.lower(), m.upper()])),
        st.one_of(values, filters),
        max_size=5,
    ),
)


# Bodies: POST, PUT and PATCH.


@HOSTILE
@given(
    body=user_bodies("new@example.com"),
    ascii_only=st.booleans(),
    media_type=st.sampled_from([MEDIA_TYPE, "application/json"]),
)
@example(
    body={"userName": "new@example.com", "emails": [{"value": "new@example.com"}], "addresses": [None]},
    ascii_only=True,
    media_type=MEDIA_TYPE,
)
@example(
    body={
        "userName": "new@example.com",
        "emails": [{"value": "new@example.com"}],
        "phoneNumbers": [None, {"value": "1"}],
    },
    ascii_only=True,
    media_type=MEDIA_TYPE,
)
@example(
    body={
        "userName": "new@example.com",
        "emails": [{"value": "new@example.com"}],
        "title": Raw("[" * 100_000 + "]" * 100_000),
    },
    ascii_only=True,
    media_type=MEDIA_TYPE,
)
@example(
    body={"userName": "x" * 255, "emails": [{"value": "a" * 250 + "@example.com"}], "externalId": "e" * 10_000},
    ascii_only=True,
    media_type=MEDIA_TYPE,
)
@example(
    body={"userName": "nul\x00@example.com", "emails": [{"value": "nul\x00@example.com"}]},
    ascii_only=True,
    media_type=MEDIA_TYPE,
)
@example(
    body={"userName": "\ud800@example.com", "emails": [{"value": "new@example.com"}]},
    ascii_only=False,
    media_type=MEDIA_TYPE,
)
def test_create_never_fails_badly(api, body, ascii_only, media_type):
    """POST /Users (RFC 7644 §3.3): 201, or a SCIM error and no user, link or membership created."""
    api.exchange("POST", USERS, body_bytes(body, ascii_only), content_type=media_type)


@HOSTILE
@given(body=user_bodies(EXISTING), ascii_only=st.booleans(), send_id=st.sampled_from(["none", "same", "other"]))
@example(body={"userName": EXISTING, "emails": [None]}, ascii_only=True, send_id="none")
@example(body={"userName": EXISTING, "addresses": [None], "phoneNumbers": [None]}, ascii_only=True, send_id="same")
@example(
    body={"userName": EXISTING, "name": {"givenName": "g" * 151}, "timezone": "\x00"}, ascii_only=True, send_id="none"
)
def test_replace_never_fails_badly(api, body, ascii_only, send_id):
    """PUT /Users/{id} (RFC 7644 §3.5.1): 200, or a SCIM error and the user exactly as before."""
    if send_id != "none":
        body = {**body, "id": api.user_id if send_id == "same" else "2819c223-7f76-453a-919d-413861904646"}
    api.exchange("PUT", api.user_path, body_bytes(body, ascii_only))


@HOSTILE
@given(body=patch_bodies, ascii_only=st.booleans())
@example(
    body={
        "schemas": [PATCH_OP_SCHEMA],
        "Operations": [
            {"op": "replace", "path": "emails", "value": [1]},
            {"op": "replace", "path": "emails.value", "value": "x@example.com"},
        ],
    },
    ascii_only=True,
)
@example(
    body={
        "schemas": [PATCH_OP_SCHEMA],
        "Operations": [{"op": "add", "value": {USER_SCHEMA: Raw(f'{{"{USER_SCHEMA}":' * 900 + "{}" + "}" * 900)}}],
    },
    ascii_only=True,
)
@example(
    body={"schemas": [PATCH_OP_SCHEMA], "Operations": [{"op": "replace", "path": "name.givenName", "value": "\x00"}]},
    ascii_only=True,
)
@example(
    body={
        "schemas": [PATCH_OP_SCHEMA],
        "Operations": [
            {"op": "replace", "path": "userName", "value": "renamed@example.com"},
            {"op": "replace", "path": "externalId", "value": "x" * 300},
        ],
    },
    ascii_only=True,
)
def test_patch_never_fails_badly(api, body, ascii_only):
    """PATCH /Users/{id} (RFC 7644 §3.5.2): all operations apply, or a SCIM error and none do."""
    api.exchange("PATCH", api.user_path, body_bytes(body, ascii_only))


# Lists: query parameters and SearchRequests.


def query_string(params: list[tuple[str, str]]) -> str:
    """Percent-encode as a browser would, lone surrogates included (as the invalid UTF-8 they would be)."""
    return "&".join(
        f"{quote(name.encode('utf-8', 'surrogatepass'))}={quote(value.encode('utf-8', 'surrogatepass'))}"
        for name, value in params
    )


@HOSTILE
@given(
    params=st.lists(
        st.tuples(st.sampled_from([*SEARCH_MEMBERS, "format", "startindex", "FILTER"]) | texts, query_values),
        max_size=6,
    ),
    padding=st.sampled_from([0, 0, 0, 999, 1001, 3000]),
    path=st.sampled_from([USERS, "existing"]),
)
@example(params=[("filter", 'userName eq "\\ud800"')], padding=0, path=USERS)
@example(params=[("filter", 'emails.value co "\\udfff"')], padding=0, path=USERS)
@example(params=[("filter", 'userName eq "x"')], padding=1001, path=USERS)
@example(params=[("attributes", "\x00"), ("sortBy", "\ud800")], padding=0, path="existing")
def test_list_parameters_never_fail_badly(api, params, padding, path):
    """GET /Users (RFC 7644 §3.4.2) and GET /Users/{id} with any query string: a ListResponse, or a SCIM error."""
    params = params + [(f"p{i}", "1") for i in range(padding)]
    target = api.user_path if path == "existing" else path
    api.exchange("GET", f"{target}?{query_string(params)}")


@HOSTILE
@given(body=search_bodies, ascii_only=st.booleans(), path=st.sampled_from([f"{USERS}/.search", "/scim/v2/.search"]))
@example(body={"schemas": [SEARCH_REQUEST], "startIndex": Raw("Infinity")}, ascii_only=True, path=f"{USERS}/.search")
@example(body={"schemas": [SEARCH_REQUEST], "count": Raw("1e400")}, ascii_only=True, path="/scim/v2/.search")
@example(
    body={"schemas": [SEARCH_REQUEST], "count": Raw("-Infinity"), "startIndex": Raw("NaN")},
    ascii_only=True,
    path=f"{USERS}/.search",
)
@example(
    body={"schemas": [SEARCH_REQUEST], "filter": 'userName eq "\\ud800"'}, ascii_only=True, path=f"{USERS}/.search"
)
@example(body={"schemas": [SEARCH_REQUEST], "filter": 'userName eq "\ud800"'}, ascii_only=True, path=f"{USERS}/.search")
def test_search_requests_never_fail_badly(api, body, ascii_only, path):
    """POST /.search (RFC 7644 §3.4.3): a ListResponse, or a SCIM error."""
    api.exchange("POST", path, body_bytes(body, ascii_only))


# Raw bodies, media types, headers and methods.

raw_bodies = st.one_of(
    st.binary(max_size=200),
    st.sampled_from(
        [
            b"",
            b"\xff",
            b"\xc3\x28",
            b'{"userName": "\xed\xa0\x80@example.com", "emails": [{"value": "a@example.com"}]}',
            b"\xef\xbb\xbf{}",
            '{"userName": "a@example.com"}'.encode("utf-16"),
            b"userName=a%40example.com",
            b"<User><userName>a</userName></User>",
            b'{"userName": NaN, "emails": Infinity}',
            b'{"schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"], "count": -Infinity}',
            b'{"userName": "a@example.com", "emails": [{"value": "a@example.com"}], "active": 1e400}',
            b'{"userName": ' + b"9" * 5000 + b"}",
            b"[" * 100_000 + b"]" * 100_000,
            b'{"a":' * 100_000 + b"1" + b"}" * 100_000,
            b"null",
            b"[]",
            b'"string"',
            b"{" * 3,
            b'{"userName": "a"} trailing',
            b'{"userName": "a", "userName": "b"}',
        ]
    ),
    st.text(characters, max_size=100).map(lambda text: text.encode("utf-8", "surrogatepass")),
)
media_types = st.one_of(
    st.sampled_from(
        [
            MEDIA_TYPE,
            "application/json",
            "application/json; charset=utf-8",
            "application/scim+json; charset=latin-1",
            'application/scim+json; charset="',
            "application/scim+json;;;",
            "text/plain",
            "text/html",
            "application/x-www-form-urlencoded",
            "multipart/form-data; boundary=xyz",
            "application/xml",
            "*/*",
            "",
        ]
    ),
    st.text(st.characters(max_codepoint=0xFF, exclude_characters="\r\n"), max_size=40),
)
header_values = st.one_of(
    st.sampled_from(["*", 'W/"x"', '"x", W/"y"', "", ",", "W/", "Bearer", "Bearer a b", "Basic Zm9vOmJhcg==", "\x00"]),
    st.text(st.characters(max_codepoint=0xFF, exclude_characters="\r\n"), max_size=60),
    st.builds(lambda n: "x" * n, st.integers(256, 10_000)),
)


@HOSTILE
@given(
    method=st.sampled_from(["POST", "PUT", "PATCH"]),
    path=st.sampled_from(["users", "user", "search"]),
    body=raw_bodies,
    media_type=media_types,
)
@example(method="POST", path="users", body=b"[" * 100_000 + b"]" * 100_000, media_type=MEDIA_TYPE)
@example(method="PATCH", path="user", body=b'{"a":' * 100_000 + b"1" + b"}" * 100_000, media_type=MEDIA_TYPE)
@example(
    method="POST",
    path="search",
    body=b'{"schemas": ["' + SEARCH_REQUEST.encode() + b'"], "startIndex": Infinity}',
    media_type=MEDIA_TYPE,
)
def test_raw_bodies_never_fail_badly(api, method, path, body, media_type):
    """Anything as a body, under any media type: 400, 405 or 415 as a SCIM error, never a 500."""
    target = {"users": USERS, "user": api.user_path, "search": f"{USERS}/.search"}[path]
    api.exchange(method, target, body, content_type=media_type)


@HOSTILE
@given(
    method=st.sampled_from(["GET", "PUT", "PATCH", "DELETE", "HEAD"]),
    headers=st.dictionaries(
        st.sampled_from(
            ["HTTP_IF_MATCH", "HTTP_IF_NONE_MATCH", "HTTP_ACCEPT", "HTTP_AUTHORIZATION", "HTTP_USER_AGENT"]
        ),
        header_values,
        max_size=3,
    ),
)
@example(method="GET", headers={"HTTP_ACCEPT": "text/html"})
@example(method="DELETE", headers={"HTTP_IF_MATCH": 'W/"stale"'})
@example(method="PATCH", headers={"HTTP_AUTHORIZATION": "Bearer " + "\xff" * 10})
def test_headers_never_fail_badly(api, method, headers):
    """Conditional, Accept and Authorization headers of any shape: 2xx/304, or a SCIM error (401, 406, 412...)."""
    body = json.dumps(
        {"schemas": [PATCH_OP_SCHEMA], "Operations": [{"op": "replace", "path": "active", "value": True}]}
    )
    if method == "PUT":
        body = json.dumps({"userName": EXISTING, "emails": [{"value": EXISTING}]})
    api.exchange(method, api.user_path, body if method in ("PUT", "PATCH") else b"", **headers)


@HOSTILE
@given(
    method=st.sampled_from(["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "TRACE", "PROPFIND", "X" * 40]),
    path=st.one_of(
        st.sampled_from(
            [
                "Users",
                "users/",
                "Users/{id}",
                "Users/{id}/x",
                "Users/.search",
                ".search",
                "Groups",
                "Bulk",
                "Me",
                "Schemas",
                "Schemas/x",
                "ServiceProviderConfig",
                "ResourceTypes/User",
                "",
                "%00",
                "Users/%00",
                "Users/%ED%A0%80",
                "Users/" + "9" * 5000,
            ]
        ),
        st.text(characters, max_size=20).map(lambda t: quote(t.encode("utf-8", "surrogatepass"))),
    ),
)
@example(method="GET", path="a%0Ab")
@example(method="POST", path="Groups/%0A")
def test_methods_and_paths_never_fail_badly(api, method, path):
    """Any method on any path below the mount point: a SCIM answer (404, 405, 501...), never an HTML page."""
    api.exchange(method, "/scim/v2/" + path.replace("{id}", api.user_id), b"{}")


# Bodies over MAX_BODY_SIZE.

LIMIT = 2000


@pytest.fixture
def small_limit(settings: Any, api: Api) -> Api:
    override_scim_settings(settings, MAX_BODY_SIZE=LIMIT, THROTTLE_RATE=None)
    return api


def padded_user(size: int) -> bytes:
    """A valid new User of exactly ``size`` bytes (padding in an attribute that is ignored)."""
    head = json.dumps({"userName": "big@example.com", "emails": [{"value": "big@example.com"}], "title": ""})
    return (head[:-2] + "x" * (size - len(head)) + '"}').encode()


@HOSTILE
@given(size=st.integers(LIMIT - 100, LIMIT + 100))
@example(size=LIMIT)
@example(size=LIMIT + 1)
def test_body_size_limit_is_exact(small_limit, size):
    """A body of MAX_BODY_SIZE bytes is read; one byte more is 413 and writes nothing."""
    response = small_limit.exchange("POST", USERS, padded_user(size))

    assert response.status_code == (201 if size <= LIMIT else 413), response.content


@pytest.mark.parametrize(
    ("content_length", "statuses"),
    [
        # Declared over the limit, body small: refused before reading.
        (str(LIMIT + 1), {413}),
        ("99999999999999999999999999", {413}),
        # Declared small, body over the limit: only the declared bytes are read, and they are not JSON.
        ("10", {400}),
        # No Content-Length, as with Transfer-Encoding: chunked: Django's WSGI handler reads no body.
        ("", {400}),
        ("abc", {400}),
        ("-1", {400}),
        ("+5000", {413}),
        (" 5000", {413}),
        ("1e3", {400}),
    ],
)
def test_lying_content_length_never_fails_badly(small_limit, content_length, statuses):
    """MAX_BODY_SIZE holds whatever Content-Length claims: the body read is capped, never a 500 or a write."""
    response = small_limit.exchange(
        "POST", USERS, padded_user(LIMIT * 10), CONTENT_LENGTH=content_length, HTTP_TRANSFER_ENCODING="chunked"
    )

    assert response.status_code in statuses, response.content


def test_superscript_digit_content_length_is_not_a_server_error(small_limit):
    response = small_limit.exchange("POST", USERS, padded_user(100), CONTENT_LENGTH="\N{SUPERSCRIPT TWO}")

    assert response.status_code == 400


# Regressions found by the properties above, pinned as plain tests.


def test_too_many_query_parameters_is_a_scim_400(api):
    """Django's DATA_UPLOAD_MAX_NUMBER_FIELDS (1000) refusal was an unhandled SuspiciousOperation: a 500."""
    response = api.exchange("GET", f"{USERS}?" + "&".join(f"p{i}=1" for i in range(1001)))

    assert (response.status_code, response.json()["scimType"]) == (400, "invalidSyntax")


def test_json_nested_past_the_recursion_limit_is_invalid_syntax(api):
    """json.loads raised RecursionError, which was a 500."""
    response = api.exchange("POST", USERS, b"[" * 100_000 + b"]" * 100_000)

    assert (response.status_code, response.json()["scimType"]) == (400, "invalidSyntax")


def test_json_nested_past_max_depth_is_invalid_syntax(api):
    body = '{"userName": "a@example.com", "emails": [{"value": "a@example.com"}], "x": ' + "[" * 64 + "]" * 64 + "}"

    response = api.exchange("POST", USERS, body)

    assert response.status_code == 400
    assert "nested more than 64 levels" in response.json()["detail"]


@pytest.mark.parametrize("literal", ["Infinity", "-Infinity", "1e400", "NaN"])
def test_search_request_numbers_out_of_range_are_invalid_value(api, literal):
    """int(float('inf')) raised OverflowError, which was a 500."""
    body = f'{{"schemas": ["{SEARCH_REQUEST}"], "startIndex": {literal}}}'

    response = api.exchange("POST", f"{USERS}/.search", body)

    assert (response.status_code, response.json()["scimType"]) == (400, "invalidValue")


@pytest.mark.parametrize("filter_text", ['userName eq "\\ud800"', 'name.givenName sw "a\\udc00"'])
def test_lone_surrogate_in_a_filter_value_is_invalid_filter(api, filter_text):
    """The JSON escape decoded to a string no database driver can encode: a 500 on SQLite and PostgreSQL."""
    response = api.exchange("GET", f"{USERS}?{query_string([('filter', filter_text)])}")

    assert (response.status_code, response.json()["scimType"]) == (400, "invalidFilter")


def test_patch_sub_attribute_of_a_non_object_value_is_refused(api):
    """A second operation on ``emails.value`` after ``emails`` became ``[1]`` raised TypeError: a 500."""
    body = {
        "schemas": [PATCH_OP_SCHEMA],
        "Operations": [
            {"op": "replace", "path": "emails", "value": [1]},
            {"op": "replace", "path": "emails.value", "value": "x@example.com"},
        ],
    }

    response = api.exchange("PATCH", api.user_path, json.dumps(body))

    assert (response.status_code, response.json()["scimType"]) == (400, "invalidValue")


@pytest.mark.parametrize("attribute", ["addresses", "phoneNumbers"])
def test_null_items_of_multi_valued_attributes_are_no_value(api, attribute):
    """``[null]`` passed validation (DRF applies allow_null to the items) and crashed choosing the work item."""
    body = {"userName": "new@example.com", "emails": [{"value": "new@example.com"}], attribute: [None]}

    response = api.exchange("POST", USERS, json.dumps(body))

    assert response.status_code == 201, response.content
    assert attribute not in response.json()


@pytest.mark.parametrize("path", ["%0A", "a%0Ab", "Groups/%0A", "Users/x%0A/y"])
def test_encoded_newline_in_a_path_is_a_scim_answer(api, path):
    """The catch-all route's "." missed newlines, so Django answered its HTML 404 page."""
    response = api.exchange("GET", f"/scim/v2/{path}")

    assert response.status_code in (404, 501)
