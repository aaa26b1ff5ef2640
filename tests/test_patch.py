"""PATCH operations on plain dicts (``scim_provisioning.patch``), no database.

Each row is an RFC 7644 §3.5.2 rule or one of the IdP dialects the module documents,
applied with ``apply_patch`` to a canonical User dict.
"""

from __future__ import annotations

import copy

import pytest

from scim_provisioning.constants import ENTERPRISE_USER_SCHEMA, PATCH_OP_SCHEMA, USER_SCHEMA
from scim_provisioning.exceptions import ScimError, ScimType
from scim_provisioning.filter_parser import AttrPath, Compare, ValuePath, parse_filter
from scim_provisioning.patch import apply_patch, matches

EXTENSION = "urn:ietf:params:scim:schemas:extension:scim_provisioning:2.0:User"
UNKNOWN_EXTENSION = "urn:ietf:params:scim:schemas:extension:acme:2.0:User"

WORK_EMAIL = {"value": "b@example.com", "type": "work", "primary": True}
HOME_EMAIL = {"value": "babs@example.org", "type": "home"}
BARBARA = {
    "userName": "bjensen",
    "name": {"givenName": "Barbara", "familyName": "Jensen"},
    "emails": [WORK_EMAIL],
    "active": True,
}
REMOVED = object()


def barbara(**changes):
    """A fresh copy of BARBARA with ``changes`` applied; ``REMOVED`` drops a key."""
    resource = copy.deepcopy(BARBARA)
    for key, value in changes.items():
        if value is REMOVED:
            resource.pop(key, None)
        else:
            resource[key] = value
    return resource


def patch_body(*operations):
    return {"schemas": [PATCH_OP_SCHEMA], "Operations": list(operations)}


def op(name, path=None, value=None):
    """One operation; ``path`` and ``value`` are left out when None."""
    operation = {"op": name}
    if path is not None:
        operation["path"] = path
    if value is not None:
        operation["value"] = value
    return operation


def apply(resource, *operations):
    return apply_patch(resource, patch_body(*operations))


def assert_scim_error(excinfo, scim_type):
    assert excinfo.value.status_code == 400
    assert excinfo.value.scim_type == scim_type


# --- add (RFC 7644 §3.5.2.1) ----------------------------------------------------------------

NEW_EMAIL = {"value": "bj@example.net", "type": "other"}

ADD = [
    pytest.param("emails", [NEW_EMAIL], barbara(emails=[WORK_EMAIL, NEW_EMAIL]), id="multi-valued appends"),
    pytest.param("emails", NEW_EMAIL, barbara(emails=[WORK_EMAIL, NEW_EMAIL]), id="multi-valued single object"),
    pytest.param("emails", [WORK_EMAIL], barbara(), id="multi-valued existing value is not duplicated"),
    pytest.param(
        "emails",
        [dict(WORK_EMAIL), NEW_EMAIL],
        barbara(emails=[WORK_EMAIL, NEW_EMAIL]),
        id="multi-valued only new values added",
    ),
    pytest.param(
        "emails",
        [{"VALUE": "bj@example.net", "Type": "other"}],
        barbara(emails=[WORK_EMAIL, NEW_EMAIL]),
        id="multi-valued sub-attribute names canonicalised",
    ),
    pytest.param(
        "phoneNumbers",
        [{"value": "555-1234", "type": "work"}],
        barbara(phoneNumbers=[{"value": "555-1234", "type": "work"}]),
        id="absent multi-valued is created",
    ),
    pytest.param("displayName", "Babs", barbara(displayName="Babs"), id="absent single-valued is added"),
    pytest.param("userName", "babs", barbara(userName="babs"), id="existing single-valued is replaced"),
    pytest.param("active", False, barbara(active=False), id="boolean"),
    pytest.param(
        "name",
        {"givenName": "Babs"},
        barbara(name={"givenName": "Babs", "familyName": "Jensen"}),
        id="complex merges sub-attributes",
    ),
    pytest.param(
        "name.formatted",
        "Ms. Barbara J Jensen III",
        barbara(name={"givenName": "Barbara", "familyName": "Jensen", "formatted": "Ms. Barbara J Jensen III"}),
        id="sub-attribute added",
    ),
    pytest.param(
        "name.givenName",
        "Babs",
        barbara(name={"givenName": "Babs", "familyName": "Jensen"}),
        id="sub-attribute replaced",
    ),
    pytest.param("USERNAME", "babs", barbara(userName="babs"), id="attribute name in any case"),
    pytest.param(f"{USER_SCHEMA}:displayName", "Babs", barbara(displayName="Babs"), id="core URN-qualified"),
]


@pytest.mark.parametrize(("path", "value", "expected"), ADD)
def test_add(path, value, expected):
    """RFC 7644 §3.5.2.1: add appends to multi-valued attributes (no duplicates) and sets or merges the others."""
    assert apply(barbara(), op("add", path, value)) == expected


# --- replace (RFC 7644 §3.5.2.3) ------------------------------------------------------------

WORK_ADDRESS = {"streetAddress": "100 Universal City Plaza", "locality": "Hollywood", "type": "work"}
HOME_ADDRESS = {"streetAddress": "456 Hollywood Blvd", "locality": "Hollywood", "type": "home"}

REPLACE = [
    pytest.param(barbara(), "emails", [NEW_EMAIL], barbara(emails=[NEW_EMAIL]), id="multi-valued replaced whole"),
    pytest.param(
        barbara(),
        "name",
        {"givenName": "Babs"},
        barbara(name={"givenName": "Babs", "familyName": "Jensen"}),
        id="complex keeps unspecified sub-attributes",
    ),
    pytest.param(barbara(), "displayName", "Babs", barbara(displayName="Babs"), id="absent attribute is added"),
    pytest.param(
        barbara(name=REMOVED),
        "name",
        {"familyName": "Jensen"},
        barbara(name={"familyName": "Jensen"}),
        id="absent complex is added",
    ),
    pytest.param(
        barbara(),
        "name.familyName",
        "Jensen-Smith",
        barbara(name={"givenName": "Barbara", "familyName": "Jensen-Smith"}),
        id="sub-attribute",
    ),
    pytest.param(
        barbara(emails=[WORK_EMAIL, HOME_EMAIL]),
        'emails[type eq "work"].value',
        "barbara@example.com",
        barbara(emails=[{**WORK_EMAIL, "value": "barbara@example.com"}, HOME_EMAIL]),
        id="sub-attribute of the matching item",
    ),
    pytest.param(
        barbara(emails=[WORK_EMAIL, HOME_EMAIL]),
        'emails[type eq "work"]',
        {"value": "barbara@example.com"},
        barbara(emails=[{**WORK_EMAIL, "value": "barbara@example.com"}, HOME_EMAIL]),
        id="matching item keeps unspecified sub-attributes",
    ),
    pytest.param(
        barbara(addresses=[WORK_ADDRESS, HOME_ADDRESS]),
        'addresses[type eq "work"].streetAddress',
        "911 Universal City Plaza",
        barbara(addresses=[{**WORK_ADDRESS, "streetAddress": "911 Universal City Plaza"}, HOME_ADDRESS]),
        id="RFC example addresses[type eq work].streetAddress",
    ),
    pytest.param(
        barbara(addresses=[WORK_ADDRESS, HOME_ADDRESS]),
        'addresses[locality eq "Hollywood"].region',
        "CA",
        barbara(addresses=[{**WORK_ADDRESS, "region": "CA"}, {**HOME_ADDRESS, "region": "CA"}]),
        id="every matching item",
    ),
    pytest.param(
        barbara(emails=[WORK_EMAIL, HOME_EMAIL]),
        'emails[value co "example.org"].display',
        "Home",
        barbara(emails=[WORK_EMAIL, {**HOME_EMAIL, "display": "Home"}]),
        id="non-equality filter that matches",
    ),
]


@pytest.mark.parametrize(("resource", "path", "value", "expected"), REPLACE)
def test_replace(resource, path, value, expected):
    """RFC 7644 §3.5.2.3: replace swaps values, keeps unspecified sub-attributes, and targets filtered items."""
    assert apply(resource, op("replace", path, value)) == expected


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("userName", "babs"),
        ("displayName", "Babs"),
        ("active", False),
        ("name.givenName", "Babs"),
        ("name", {"givenName": "Babs"}),
        (f"{EXTENSION}:privilege", "member"),
    ],
)
def test_add_and_replace_are_equivalent_on_single_valued(path, value):
    """RFC 7644 §3.5.2.1: add on a single-valued attribute replaces it, as replace does (§3.5.2.3)."""
    assert apply(barbara(), op("add", path, value)) == apply(barbara(), op("replace", path, value))


# --- remove (RFC 7644 §3.5.2.2) -------------------------------------------------------------

REMOVE = [
    pytest.param(barbara(displayName="Babs"), "displayName", barbara(), id="single-valued"),
    pytest.param(
        barbara(emails=[WORK_EMAIL, HOME_EMAIL]),
        'emails[type eq "work"].primary',
        barbara(emails=[{"value": "b@example.com", "type": "work"}, HOME_EMAIL]),
        id="boolean",
    ),
    pytest.param(barbara(), "name", barbara(name=REMOVED), id="complex"),
    pytest.param(barbara(), "name.givenName", barbara(name={"familyName": "Jensen"}), id="sub-attribute"),
    pytest.param(
        barbara(phoneNumbers=[{"value": "555-1234", "type": "work"}]),
        "phoneNumbers",
        barbara(),
        id="multi-valued",
    ),
    pytest.param(
        barbara(emails=[WORK_EMAIL, HOME_EMAIL]),
        'emails[type eq "home"]',
        barbara(),
        id="filtered item",
    ),
    pytest.param(
        barbara(emails=[WORK_EMAIL, HOME_EMAIL]),
        'emails[value eq "BABS@example.org"]',
        barbara(),
        id="filtered item, caseExact false",
    ),
    pytest.param(
        barbara(emails=[WORK_EMAIL, HOME_EMAIL]),
        'emails[type eq "home" or type eq "work"]',
        barbara(emails=[]),
        id="every filtered item",
    ),
    pytest.param(
        barbara(emails=[{**WORK_EMAIL, "display": "Work"}, {**HOME_EMAIL, "display": "Home"}]),
        'emails[type eq "work"].display',
        barbara(emails=[WORK_EMAIL, {**HOME_EMAIL, "display": "Home"}]),
        id="sub-attribute of filtered items",
    ),
    pytest.param(
        barbara(addresses=[WORK_ADDRESS, HOME_ADDRESS]),
        'addresses[locality eq "Hollywood" and not (type eq "home")].streetAddress',
        barbara(addresses=[{"locality": "Hollywood", "type": "work"}, HOME_ADDRESS]),
        id="sub-attribute of items matching a complex filter",
    ),
]


@pytest.mark.parametrize(("resource", "path", "expected"), REMOVE)
def test_remove(resource, path, expected):
    """RFC 7644 §3.5.2.2: remove drops the attribute, the sub-attribute, or the items the filter selects."""
    assert apply(resource, op("remove", path)) == expected


def test_remove_last_filtered_item_leaves_attribute_unassigned():
    """RFC 7644 §3.5.2.2: with no values left the multi-valued attribute is unassigned (RFC 7643 §2.5: [] is too)."""
    result = apply(barbara(), op("remove", 'emails[type eq "work"]'))

    assert not result.get("emails")


# --- path-less add and replace --------------------------------------------------------------

PATHLESS = [
    pytest.param({"displayName": "Babs"}, barbara(displayName="Babs"), id="plain"),
    pytest.param({"DisplayName": "Babs", "ACTIVE": False}, barbara(displayName="Babs", active=False), id="any case"),
    pytest.param(
        {"name": {"givenName": "Babs"}},
        barbara(name={"givenName": "Babs", "familyName": "Jensen"}),
        id="nested keeps unspecified sub-attributes",
    ),
    pytest.param(
        {"name.givenName": "Babs", "name.familyName": "J"},
        barbara(name={"givenName": "Babs", "familyName": "J"}),
        id="dotted",
    ),
    pytest.param({f"{USER_SCHEMA}:userName": "babs"}, barbara(userName="babs"), id="core URN-prefixed"),
    pytest.param(
        {f"{USER_SCHEMA}:name.familyName": "J"},
        barbara(name={"givenName": "Barbara", "familyName": "J"}),
        id="core URN-prefixed dotted",
    ),
    pytest.param({USER_SCHEMA: {"displayName": "Babs"}}, barbara(displayName="Babs"), id="core URN container"),
    pytest.param({EXTENSION: {"privilege": "member"}}, barbara(privilege="member"), id="extension URN container"),
    pytest.param({f"{EXTENSION}:privilege": "member"}, barbara(privilege="member"), id="extension URN-prefixed"),
    pytest.param({"privilege": "inactive"}, barbara(privilege="inactive"), id="extension attribute top-level"),
    pytest.param(
        {"schemas": [USER_SCHEMA, EXTENSION], "displayName": "Babs"},
        barbara(displayName="Babs"),
        id="schemas key skipped",
    ),
    pytest.param({ENTERPRISE_USER_SCHEMA: {"employeeNumber": "701984"}}, barbara(), id="enterprise container ignored"),
    pytest.param({f"{ENTERPRISE_USER_SCHEMA}:employeeNumber": "701984"}, barbara(), id="enterprise key ignored"),
    pytest.param({"title": "Tour Guide", "nickName": "Babs"}, barbara(), id="unknown attributes ignored"),
    pytest.param({"name.middleName": "Jane"}, barbara(), id="unknown sub-attribute ignored"),
    pytest.param({UNKNOWN_EXTENSION: {"active": False}}, barbara(), id="unknown extension container ignored"),
    # RFC 7644 §3.10: an attribute qualified by another schema's URN is not the core attribute.
    pytest.param({f"{UNKNOWN_EXTENSION}:active": False}, barbara(), id="unknown extension key ignored"),
]


@pytest.mark.parametrize("name", ["add", "replace"])
@pytest.mark.parametrize(("value", "expected"), PATHLESS)
def test_pathless(name, value, expected):
    """RFC 7644 §3.5.2.1, §3.5.2.3: without ``path`` the target is the resource and ``value`` holds attributes."""
    assert apply(barbara(), op(name, value=value)) == expected


def test_pathless_add_merges_multi_valued():
    """RFC 7644 §3.5.2.1: a path-less add of a multi-valued attribute adds its values."""
    result = apply(barbara(), op("add", value={"emails": [WORK_EMAIL, NEW_EMAIL]}))

    assert result == barbara(emails=[WORK_EMAIL, NEW_EMAIL])


def test_pathless_replace_replaces_multi_valued():
    """RFC 7644 §3.5.2.3: a path-less replace of a multi-valued attribute replaces all its values."""
    result = apply(barbara(), op("replace", value={"emails": [NEW_EMAIL]}))

    assert result == barbara(emails=[NEW_EMAIL])


# --- attributes this product does not store -------------------------------------------------

IGNORED = [
    pytest.param("add", f"{ENTERPRISE_USER_SCHEMA}:employeeNumber", "701984", id="enterprise employeeNumber"),
    pytest.param("replace", f"{ENTERPRISE_USER_SCHEMA}:manager.value", "26118915", id="enterprise manager.value"),
    pytest.param("replace", f"{ENTERPRISE_USER_SCHEMA.upper()}:department", "Tour", id="enterprise URN in any case"),
    pytest.param("remove", f"{ENTERPRISE_USER_SCHEMA}:employeeNumber", None, id="remove enterprise"),
    pytest.param("replace", "title", "Tour Guide", id="unknown attribute"),
    pytest.param("remove", "title", None, id="remove unknown attribute"),
    pytest.param("add", 'ims[type eq "xmpp"].value', "b@jabber.example", id="unknown multi-valued"),
    pytest.param("replace", "name.middleName", "Jane", id="unknown sub-attribute"),
    pytest.param("replace", f"{UNKNOWN_EXTENSION}:costCenter", "4130", id="unknown extension"),
    # RFC 7644 §3.10: the URN qualifies the attribute; acme's "active" is not the core "active".
    pytest.param("replace", f"{UNKNOWN_EXTENSION}:active", False, id="unknown extension, core-like name"),
]


@pytest.mark.parametrize(("name", "path", "value"), IGNORED)
def test_attributes_not_stored_are_ignored(name, path, value):
    """RFC 7644 §3.5.2, §3.10: enterprise-extension and unknown attributes change nothing (seed rule: ignored)."""
    assert apply(barbara(), op(name, path, value)) == barbara()


def test_extension_path_sets_privilege():
    """RFC 7644 §3.10: a path qualified by the product extension URN reaches its ``privilege``."""
    result = apply(barbara(), op("replace", f"{EXTENSION}:privilege", "member"))

    assert result == barbara(privilege="member")


# --- operation and member names -------------------------------------------------------------


@pytest.mark.parametrize("name", ["add", "Add", "ADD", "replace", "Replace", "REPLACE", "rEpLaCe"])
def test_op_names_in_any_case(name):
    """RFC 7644 §3.5.2: ``op`` is add / replace / remove; the module accepts any case (Entra sends "Replace")."""
    assert apply(barbara(), op(name, "displayName", "Babs")) == barbara(displayName="Babs")


@pytest.mark.parametrize("name", ["remove", "Remove", "REMOVE"])
def test_remove_op_name_in_any_case(name):
    """RFC 7644 §3.5.2.2, with the module's case-insensitive ``op``."""
    assert apply(barbara(displayName="B"), op(name, "displayName")) == barbara()


def test_member_names_in_any_case():
    """RFC 7643 §2.1: attribute names, ``Operations``/``op``/``path``/``value`` included, are case-insensitive."""
    body = {"schemas": [PATCH_OP_SCHEMA.upper()], "operations": [{"OP": "add", "Path": "displayName", "VALUE": "B"}]}

    assert apply_patch(barbara(), body) == barbara(displayName="B")


@pytest.mark.parametrize("key", ["Schemas", "SCHEMAS"])
def test_schemas_member_name_in_any_case(key):
    """RFC 7643 §2.1: ``schemas`` is an attribute name too, so its spelling is case-insensitive."""
    body = {key: [PATCH_OP_SCHEMA], "Operations": [op("add", "displayName", "B")]}

    assert apply_patch(barbara(), body) == barbara(displayName="B")


def test_operations_apply_in_order():
    """RFC 7644 §3.5.2: operations are applied in sequence, each on the result of the previous one."""
    result = apply(
        barbara(),
        op("add", "displayName", "Babs"),
        op("replace", "displayName", "Barbara J."),
        op("remove", "name.givenName"),
    )

    assert result == barbara(displayName="Barbara J.", name={"familyName": "Jensen"})


# --- filtered paths that match nothing ------------------------------------------------------

CREATED_BY_EQUALITY = [
    pytest.param(
        "replace",
        barbara(),
        'phoneNumbers[type eq "work"].value',
        "+1 555 0100",
        [{"type": "work", "value": "+1 555 0100"}],
        id="replace, no phoneNumbers",
    ),
    pytest.param(
        "replace",
        barbara(phoneNumbers=[{"value": "+1 555 0199", "type": "mobile"}]),
        'phoneNumbers[type eq "work"].value',
        "+1 555 0100",
        [{"value": "+1 555 0199", "type": "mobile"}, {"type": "work", "value": "+1 555 0100"}],
        id="replace, other phone present",
    ),
    pytest.param(
        "add",
        barbara(),
        'phoneNumbers[type eq "work"].value',
        "+1 555 0100",
        [{"type": "work", "value": "+1 555 0100"}],
        id="add, no phoneNumbers",
    ),
    pytest.param(
        "replace",
        barbara(),
        'phoneNumbers[TYPE eq "work" and primary eq true].value',
        "+1 555 0100",
        [{"type": "work", "primary": True, "value": "+1 555 0100"}],
        id="replace, equalities joined by and",
    ),
    pytest.param(
        "replace",
        barbara(phoneNumbers=[{"value": "+1 555 0199", "type": "work"}]),
        'phoneNumbers[type eq "work"].value',
        "+1 555 0100",
        [{"value": "+1 555 0100", "type": "work"}],
        id="replace, matching phone updated",
    ),
]


@pytest.mark.parametrize(("name", "resource", "path", "value", "phones"), CREATED_BY_EQUALITY)
def test_equality_filter_creates_missing_item(name, resource, path, value, phones):
    """RFC 7644 §3.5.2.3 (Entra dialect, module docstring): an equality filter with no match adds an item."""
    result = apply(resource, op(name, path, value))

    assert result["phoneNumbers"] == phones
    assert result["emails"] == [WORK_EMAIL]


@pytest.mark.parametrize(
    "path",
    [
        'emails[type co "home"].value',
        'emails[type eq "home" or type eq "other"].value',
        'emails[type ne "work"]',
        'emails[not (type eq "work")].display',
        'emails[type eq "home" and value co "example.org"].value',
        "emails[display pr].value",
    ],
)
def test_replace_non_equality_filter_without_match_is_no_target(path):
    """RFC 7644 §3.5.2.3: a value filter that matches no record fails with 400 noTarget."""
    with pytest.raises(ScimError) as excinfo:
        apply(barbara(), op("replace", path, {"value": "x"} if path.endswith("]") else "x"))

    assert_scim_error(excinfo, ScimType.NO_TARGET)


# --- errors -----------------------------------------------------------------------------------

OPERATION_ERRORS = [
    pytest.param(op("replace", "id", "x"), ScimType.MUTABILITY, id="replace id"),
    pytest.param(op("add", "ID", "x"), ScimType.MUTABILITY, id="add id any case"),
    pytest.param(op("remove", "id"), ScimType.MUTABILITY, id="remove id"),
    pytest.param(op("replace", f"{USER_SCHEMA}:id", "x"), ScimType.MUTABILITY, id="URN-qualified id"),
    pytest.param(op("replace", "meta", {"resourceType": "Group"}), ScimType.MUTABILITY, id="replace meta"),
    pytest.param(op("replace", "meta.lastModified", "2011-05-13T04:42:34Z"), ScimType.MUTABILITY, id="meta sub"),
    pytest.param(op("remove", "meta"), ScimType.MUTABILITY, id="remove meta"),
    pytest.param(op("replace", value={"id": "x"}), ScimType.MUTABILITY, id="path-less id"),
    pytest.param(op("add", value={"meta": {"version": 'W/"1"'}}), ScimType.MUTABILITY, id="path-less meta"),
    pytest.param(op("replace", "emails[", "x"), ScimType.INVALID_PATH, id="unbalanced bracket"),
    pytest.param(op("replace", 'emails[type eq "work"', "x"), ScimType.INVALID_PATH, id="unclosed filter"),
    pytest.param(op("replace", "emails[type eq]", "x"), ScimType.INVALID_PATH, id="filter without value"),
    pytest.param(op("replace", 'emails[type xx "work"]', "x"), ScimType.INVALID_PATH, id="unknown operator"),
    pytest.param(op("replace", 'emails[type eq "work"]value', "x"), ScimType.INVALID_PATH, id="junk after ]"),
    pytest.param(op("replace", "name.familyName.x", "x"), ScimType.INVALID_PATH, id="two sub-attributes"),
    pytest.param(op("replace", "1name", "x"), ScimType.INVALID_PATH, id="bad attribute name"),
    pytest.param(op("replace", "", "x"), ScimType.INVALID_PATH, id="empty path"),
    pytest.param({"op": "replace", "path": 42, "value": "x"}, ScimType.INVALID_PATH, id="path not a string"),
    pytest.param(
        op("replace", 'name[givenName eq "Barbara"]', {"givenName": "B"}),
        ScimType.INVALID_PATH,
        id="value filter on single-valued complex",
    ),
    pytest.param(
        op("replace", 'name[givenName eq "Barbara"].familyName', "J"),
        ScimType.INVALID_PATH,
        id="value filter on single-valued, with sub-attribute",
    ),
    pytest.param(op("remove", 'userName[value eq "bjensen"]'), ScimType.INVALID_PATH, id="value filter on string"),
    pytest.param(op("remove", "active[value eq true]"), ScimType.INVALID_PATH, id="value filter on boolean"),
    # RFC 7159 §6 (numbers, used by §3.4.2.2 compValue): leading zeros are invalid.
    pytest.param(op("remove", "emails[value eq 01]"), ScimType.INVALID_PATH, id="invalid number in filter"),
    pytest.param(op("remove"), ScimType.NO_TARGET, id="remove without path"),
    pytest.param(op("remove", value={"displayName": "Babs"}), ScimType.NO_TARGET, id="remove with value, no path"),
    pytest.param(op("add", value="Babs"), ScimType.INVALID_VALUE, id="path-less string"),
    pytest.param(op("replace", value=[{"displayName": "Babs"}]), ScimType.INVALID_VALUE, id="path-less list"),
    pytest.param(op("add"), ScimType.INVALID_VALUE, id="path-less without value"),
    pytest.param(
        op("replace", 'emails[type eq "work"]', "b@example.net"),
        ScimType.INVALID_VALUE,
        id="non-object value for a filtered item",
    ),
    pytest.param(op("move", "displayName", "Babs"), ScimType.INVALID_SYNTAX, id="unknown op"),
    pytest.param({"path": "displayName", "value": "Babs"}, ScimType.INVALID_SYNTAX, id="missing op"),
    pytest.param(op("", "displayName", "Babs"), ScimType.INVALID_SYNTAX, id="empty op"),
    pytest.param("add", ScimType.INVALID_SYNTAX, id="operation not an object"),
]


@pytest.mark.parametrize(("operation", "scim_type"), OPERATION_ERRORS)
def test_operation_errors(operation, scim_type):
    """RFC 7644 §3.5.2 and §3.12 Table 9: each refused operation is a 400 with its scimType."""
    with pytest.raises(ScimError) as excinfo:
        apply(barbara(), operation)

    assert_scim_error(excinfo, scim_type)


BODY_ERRORS = [
    pytest.param({}, id="empty body"),
    pytest.param({"Operations": [op("add", "displayName", "B")]}, id="no schemas"),
    pytest.param({"schemas": [USER_SCHEMA], "Operations": [op("add", "displayName", "B")]}, id="wrong schema"),
    pytest.param({"schemas": PATCH_OP_SCHEMA, "Operations": [op("add", "displayName", "B")]}, id="schemas not a list"),
    pytest.param({"schemas": [PATCH_OP_SCHEMA]}, id="no Operations"),
    pytest.param({"schemas": [PATCH_OP_SCHEMA], "Operations": []}, id="empty Operations"),
    pytest.param({"schemas": [PATCH_OP_SCHEMA], "Operations": op("add", "displayName", "B")}, id="Operations object"),
    pytest.param({"schemas": [PATCH_OP_SCHEMA], "Operations": "add"}, id="Operations string"),
    pytest.param({"schemas": [PATCH_OP_SCHEMA], "Operations": None}, id="Operations null"),
]


@pytest.mark.parametrize("body", BODY_ERRORS)
def test_body_errors(body):
    """RFC 7644 §3.5.2: the body names the PatchOp schema and a non-empty ``Operations`` list, else invalidSyntax."""
    with pytest.raises(ScimError) as excinfo:
        apply_patch(barbara(), body)

    assert_scim_error(excinfo, ScimType.INVALID_SYNTAX)


@pytest.mark.parametrize(
    "operation",
    [
        pytest.param({"op": "add", "path": "displayName"}, id="add single-valued"),
        pytest.param({"op": "add", "path": "emails"}, id="add multi-valued"),
        pytest.param({"op": "add", "path": "name.givenName"}, id="add sub-attribute"),
        pytest.param({"op": "replace", "path": "userName"}, id="replace single-valued"),
        pytest.param({"op": "replace", "path": "emails"}, id="replace multi-valued"),
    ],
)
def test_add_or_replace_without_value_member_is_invalid_value(operation):
    """RFC 7644 §3.5.2.1, §3.5.2.3: add and replace MUST contain a ``value`` member (§3.12 invalidValue)."""
    with pytest.raises(ScimError) as excinfo:
        apply(barbara(), operation)

    assert_scim_error(excinfo, ScimType.INVALID_VALUE)


def test_remove_required_attribute_is_mutability():
    """RFC 7644 §3.5.2.2: removing a required attribute (userName, RFC 7643 §4.1) fails with mutability."""
    with pytest.raises(ScimError) as excinfo:
        apply(barbara(), op("remove", "userName"))

    assert_scim_error(excinfo, ScimType.MUTABILITY)


@pytest.mark.parametrize(
    "operation",
    [
        pytest.param(op("add", "emails", [{"value": "new@example.com", "type": "work", "primary": True}]), id="add"),
        pytest.param(
            op("replace", 'emails[type eq "home"].primary', True),
            id="replace sub-attribute",
        ),
    ],
)
def test_setting_primary_clears_the_other_primaries(operation):
    """RFC 7644 §3.5.2: setting ``primary`` true on one value sets it false on the others of the attribute."""
    result = apply(barbara(emails=[WORK_EMAIL, HOME_EMAIL]), operation)

    assert [email.get("primary") for email in result["emails"]].count(True) == 1
    assert result["emails"][0]["primary"] is False


# --- apply_patch works on a copy ------------------------------------------------------------

COPY_CASES = [
    pytest.param([op("add", "emails", [NEW_EMAIL])], id="add multi-valued"),
    pytest.param([op("replace", "name", {"givenName": "Babs"})], id="replace complex"),
    pytest.param([op("replace", "name.givenName", "Babs")], id="replace sub-attribute"),
    pytest.param([op("replace", 'emails[type eq "work"].value', "x@example.com")], id="filtered sub-attribute"),
    pytest.param(
        [
            op("replace", "phoneNumbers", [{"value": "1", "type": "work"}]),
            op("remove", 'phoneNumbers[type eq "work"].value'),
        ],
        id="value changed by a later filtered operation",
    ),
    pytest.param([op("remove", 'emails[type eq "work"].primary')], id="remove filtered sub-attribute"),
    pytest.param([op("remove", 'emails[type eq "work"]')], id="remove filtered item"),
    pytest.param([op("remove", "name.familyName")], id="remove sub-attribute"),
    pytest.param([op("add", value={"name.givenName": "B", EXTENSION: {"privilege": "member"}})], id="path-less"),
    pytest.param(
        [op("replace", "name", {"givenName": "Babs"}), op("replace", "name.familyName", "J")],
        id="value reused by a later operation",
    ),
]


@pytest.mark.parametrize("operations", COPY_CASES)
def test_input_is_never_mutated(operations):
    """RFC 7644 §3.5.2: the module returns a patched copy; resource and request body stay as they were."""
    resource, body = barbara(), patch_body(*operations)
    resource_before, body_before = copy.deepcopy(resource), copy.deepcopy(body)

    result = apply_patch(resource, body)

    assert result != resource
    assert resource == resource_before
    assert body == body_before


def test_failed_patch_leaves_input_untouched():
    """RFC 7644 §3.5.2: a PATCH is atomic; an error in a later operation leaves the resource unchanged."""
    resource = barbara()

    with pytest.raises(ScimError):
        apply(resource, op("remove", "name.givenName"), op("replace", "id", "x"))

    assert resource == barbara()


# --- matches: value filters on one item ---------------------------------------------------

ITEM = {"value": "bjensen@example.com", "type": "work", "primary": True, "display": ""}

MATCHES = [
    ('type eq "work"', True),
    ('type eq "WORK"', True),
    ('TYPE eq "work"', True),
    ('type eq "home"', False),
    ("primary eq true", True),
    ("primary eq false", False),
    ("missing eq null", True),
    ("type eq null", False),
    ('type ne "home"', True),
    ('type ne "work"', False),
    ('missing ne "x"', True),
    ('value co "example"', True),
    ('value co "EXAMPLE.COM"', True),
    ('value co "example.org"', False),
    ('missing co "x"', False),
    ('value sw "bjensen@"', True),
    ('value sw "BJ"', True),
    ('value sw "example"', False),
    ('value ew ".com"', True),
    ('value ew ".org"', False),
    ('value gt "a"', True),
    ('value gt "c"', False),
    ('value gt "bjensen@example.com"', False),
    ('value ge "bjensen@example.com"', True),
    ('value ge "c"', False),
    ('value lt "c"', True),
    ('value lt "bjensen@example.com"', False),
    ('value le "BJENSEN@EXAMPLE.COM"', True),
    ('value le "a"', False),
    ('missing gt "a"', False),
    ("value gt 1", False),
    ("type pr", True),
    ("display pr", False),
    ("missing pr", False),
    ('type eq "work" and primary eq true', True),
    ('type eq "work" and primary eq false', False),
    ('type eq "home" or primary eq true', True),
    ('type eq "home" or primary eq false', False),
    ('not (type eq "home")', True),
    ('not (type eq "work")', False),
    ('type eq "home" or type eq "work" and value ew ".com"', True),
    ('(type eq "home" or type eq "work") and value ew ".org"', False),
]


@pytest.mark.parametrize(("text", "expected"), [pytest.param(*row, id=row[0]) for row in MATCHES])
def test_matches(text, expected):
    """RFC 7644 §3.4.2.2: each operator on one item; strings compare case-insensitively (caseExact false)."""
    assert matches(parse_filter(text), ITEM) is expected


@pytest.mark.parametrize(
    ("item", "text", "expected"),
    [
        ({"value": 5}, "value gt 4", True),
        ({"value": 5}, "value ge 5.0", True),
        ({"value": 5}, "value lt 5", False),
        ({"value": 5}, "value le 1e1", True),
        ({"value": "2011-05-13T04:42:34Z"}, 'value gt "2011-01-01T00:00:00Z"', True),
        ({"value": "2011-05-13T04:42:34Z"}, 'value lt "2011-01-01T00:00:00Z"', False),
    ],
)
def test_matches_orders_numbers_and_timestamps(item, text, expected):
    """RFC 7644 §3.4.2.2: gt/ge/lt/le order numbers numerically and DateTime strings chronologically."""
    assert matches(parse_filter(text), item) is expected


@pytest.mark.parametrize("operator", ["gt", "ge", "lt", "le"])
def test_matches_refuses_ordering_booleans(operator):
    """RFC 7644 §3.4.2.2: gt/ge/lt/le on a Boolean attribute fail with 400 invalidFilter."""
    with pytest.raises(ScimError) as excinfo:
        matches(parse_filter(f"primary {operator} false"), ITEM)

    assert_scim_error(excinfo, ScimType.INVALID_FILTER)


def test_matches_refuses_nested_value_filters():
    """RFC 7644 §3.4.2.2: ``valFilter`` holds no ``valuePath``; a nested one is an invalid path."""
    nested = ValuePath(AttrPath(None, "type"), Compare(AttrPath(None, "value"), "eq", "work"))

    with pytest.raises(ScimError) as excinfo:
        matches(nested, ITEM)

    assert_scim_error(excinfo, ScimType.INVALID_PATH)


@pytest.mark.parametrize("path", ["userName", "active", "emails", f"{EXTENSION}:privilege"])
def test_required_attributes_cannot_be_removed(path):
    """RFC 7644 §3.5.2.2: removing a required attribute fails with mutability."""
    with pytest.raises(ScimError) as excinfo:
        apply(barbara(**{EXTENSION: {"privilege": "member"}}), op("remove", path))

    assert (excinfo.value.status_code, excinfo.value.scim_type) == (400, "mutability")


# --- the User examples printed in RFC 7644 §3.5.2 (its "members" examples are for Groups) ---

RFC_WORK_ADDRESS = {
    "type": "work",
    "streetAddress": "911 Universal City Plaza",
    "locality": "Hollywood",
    "region": "CA",
    "postalCode": "91608",
    "country": "US",
    "formatted": "911 Universal City Plaza\nHollywood, CA 91608 US",
    "primary": True,
}
BABS_HOME = {"value": "babs@jensen.org", "type": "home"}

RFC_EXAMPLES = [
    pytest.param(
        barbara(),
        {"op": "add", "value": {"emails": [BABS_HOME], "nickname": "Babs"}},
        barbara(emails=[WORK_EMAIL, BABS_HOME]),
        id="3.5.2.1 add emails and nickname without path (nickname is not stored)",
    ),
    pytest.param(
        barbara(emails=[WORK_EMAIL, {"value": "bj@example.com", "type": "work"}, BABS_HOME]),
        {"op": "remove", "path": 'emails[type eq "work" and value ew "example.com"]'},
        barbara(emails=[BABS_HOME]),
        id="3.5.2.2 remove the work emails ending in example.com",
    ),
    pytest.param(
        barbara(addresses=[WORK_ADDRESS, HOME_ADDRESS]),
        {"op": "replace", "path": 'addresses[type eq "work"]', "value": RFC_WORK_ADDRESS},
        barbara(addresses=[{**WORK_ADDRESS, **RFC_WORK_ADDRESS}, HOME_ADDRESS]),
        id="3.5.2.3 replace the work address",
    ),
    pytest.param(
        barbara(addresses=[WORK_ADDRESS]),
        {"op": "replace", "path": 'addresses[type eq "work"].streetAddress', "value": "1010 Broadway Ave"},
        barbara(addresses=[{**WORK_ADDRESS, "streetAddress": "1010 Broadway Ave"}]),
        id="3.5.2.3 replace the work address's streetAddress",
    ),
    pytest.param(
        barbara(emails=[{"value": "old@example.com", "type": "work"}]),
        {
            "op": "replace",
            "value": {
                "emails": [{"value": "bjensen@example.com", "type": "work", "primary": True}, BABS_HOME],
                "nickname": "Babs",
            },
        },
        barbara(emails=[{"value": "bjensen@example.com", "type": "work", "primary": True}, BABS_HOME]),
        id="3.5.2.3 replace emails and nickname without path",
    ),
]


@pytest.mark.parametrize(("resource", "operation", "expected"), RFC_EXAMPLES)
def test_rfc_7644_user_examples(resource, operation, expected):
    """RFC 7644 §3.5.2.1-§3.5.2.3: each User example the RFC prints, with the result it describes."""
    assert apply(resource, operation) == expected
