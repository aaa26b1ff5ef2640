"""SCIM filter and PATCH path parsing (``scim_provisioning.filter_parser``), no database.

Every table row is an RFC 7644 example or a rule of its ABNF (§3.4.2.2 Figure 1, §3.5.2 ``PATH``),
asserted against the exact tree the parser must build.
"""

from __future__ import annotations

import pytest

from scim_provisioning.filter_parser import (
    COMPARE_OPERATORS,
    And,
    AttrPath,
    Compare,
    FilterSyntaxError,
    Not,
    Or,
    PatchPath,
    Present,
    ValuePath,
    parse_filter,
    parse_patch_path,
)

CORE_USER = "urn:ietf:params:scim:schemas:core:2.0:User"
ENTERPRISE_USER = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
TIMESTAMP = "2011-05-13T04:42:34Z"

USER_NAME = AttrPath(None, "userName")
TITLE = AttrPath(None, "title")
USER_TYPE = AttrPath(None, "userType")
EMAILS = AttrPath(None, "emails")
EMAILS_VALUE = AttrPath(None, "emails", "value")
LAST_MODIFIED = AttrPath(None, "meta", "lastModified")
TYPE = AttrPath(None, "type")
VALUE = AttrPath(None, "value")
A, B, C = AttrPath(None, "a"), AttrPath(None, "b"), AttrPath(None, "c")
WORK_EXAMPLE_COM = And(Compare(TYPE, "eq", "work"), Compare(VALUE, "co", "@example.com"))
EMAIL_DOMAINS = Or(Compare(EMAILS, "co", "example.com"), Compare(EMAILS_VALUE, "co", "example.org"))

RFC_EXAMPLES = [
    ('userName eq "bjensen"', Compare(USER_NAME, "eq", "bjensen")),
    ('name.familyName co "O\'Malley"', Compare(AttrPath(None, "name", "familyName"), "co", "O'Malley")),
    ('userName sw "J"', Compare(USER_NAME, "sw", "J")),
    (f'{CORE_USER}:userName sw "J"', Compare(AttrPath(CORE_USER, "userName"), "sw", "J")),
    ("title pr", Present(TITLE)),
    (f'meta.lastModified gt "{TIMESTAMP}"', Compare(LAST_MODIFIED, "gt", TIMESTAMP)),
    (f'meta.lastModified ge "{TIMESTAMP}"', Compare(LAST_MODIFIED, "ge", TIMESTAMP)),
    (f'meta.lastModified lt "{TIMESTAMP}"', Compare(LAST_MODIFIED, "lt", TIMESTAMP)),
    (f'meta.lastModified le "{TIMESTAMP}"', Compare(LAST_MODIFIED, "le", TIMESTAMP)),
    ('title pr and userType eq "Employee"', And(Present(TITLE), Compare(USER_TYPE, "eq", "Employee"))),
    ('title pr or userType eq "Intern"', Or(Present(TITLE), Compare(USER_TYPE, "eq", "Intern"))),
    (f'schemas eq "{ENTERPRISE_USER}"', Compare(AttrPath(None, "schemas"), "eq", ENTERPRISE_USER)),
    (
        'userType eq "Employee" and (emails co "example.com" or emails.value co "example.org")',
        And(Compare(USER_TYPE, "eq", "Employee"), EMAIL_DOMAINS),
    ),
    (
        'userType ne "Employee" and not (emails co "example.com" or emails.value co "example.org")',
        And(Compare(USER_TYPE, "ne", "Employee"), Not(EMAIL_DOMAINS)),
    ),
    (
        'userType eq "Employee" and (emails.type eq "work")',
        And(Compare(USER_TYPE, "eq", "Employee"), Compare(AttrPath(None, "emails", "type"), "eq", "work")),
    ),
    (
        'userType eq "Employee" and emails[type eq "work" and value co "@example.com"]',
        And(Compare(USER_TYPE, "eq", "Employee"), ValuePath(EMAILS, WORK_EXAMPLE_COM)),
    ),
    (
        'emails[type eq "work" and value co "@example.com"] or ims[type eq "xmpp" and value co "@foo.com"]',
        Or(
            ValuePath(EMAILS, WORK_EXAMPLE_COM),
            ValuePath(
                AttrPath(None, "ims"),
                And(Compare(TYPE, "eq", "xmpp"), Compare(VALUE, "co", "@foo.com")),
            ),
        ),
    ),
]


@pytest.mark.parametrize(("text", "expected"), [pytest.param(*row, id=row[0]) for row in RFC_EXAMPLES])
def test_rfc_examples(text, expected):
    """RFC 7644 §3.4.2.2: each filter example of the section parses to its tree."""
    assert parse_filter(text) == expected


PRECEDENCE = [
    ("a eq 1 or b eq 2 and c eq 3", Or(Compare(A, "eq", 1), And(Compare(B, "eq", 2), Compare(C, "eq", 3)))),
    ("a eq 1 and b eq 2 or c eq 3", Or(And(Compare(A, "eq", 1), Compare(B, "eq", 2)), Compare(C, "eq", 3))),
    ("(a eq 1 or b eq 2) and c eq 3", And(Or(Compare(A, "eq", 1), Compare(B, "eq", 2)), Compare(C, "eq", 3))),
    ("not (a eq 1) and b eq 2", And(Not(Compare(A, "eq", 1)), Compare(B, "eq", 2))),
    ("not (a eq 1) or b eq 2", Or(Not(Compare(A, "eq", 1)), Compare(B, "eq", 2))),
    (
        "a eq 1 or not (b eq 2) and c eq 3",
        Or(Compare(A, "eq", 1), And(Not(Compare(B, "eq", 2)), Compare(C, "eq", 3))),
    ),
    ("a eq 1 and b eq 2 and c eq 3", And(And(Compare(A, "eq", 1), Compare(B, "eq", 2)), Compare(C, "eq", 3))),
    ("a eq 1 or b eq 2 or c eq 3", Or(Or(Compare(A, "eq", 1), Compare(B, "eq", 2)), Compare(C, "eq", 3))),
    ("((a pr))", Present(A)),
    ("not (not (a pr))", Not(Not(Present(A)))),
    (
        'emails[type eq "work" or type eq "home" and primary eq true]',
        ValuePath(
            EMAILS,
            Or(
                Compare(TYPE, "eq", "work"),
                And(Compare(TYPE, "eq", "home"), Compare(AttrPath(None, "primary"), "eq", True)),
            ),
        ),
    ),
    ('emails[not (type eq "work")]', ValuePath(EMAILS, Not(Compare(TYPE, "eq", "work")))),
]


@pytest.mark.parametrize(("text", "expected"), [pytest.param(*row, id=row[0]) for row in PRECEDENCE])
def test_precedence(text, expected):
    """RFC 7644 §3.4.2.2: grouping first, then ``not`` before ``and`` before ``or``; same operators left to right."""
    assert parse_filter(text) == expected


@pytest.mark.parametrize("operator", sorted(COMPARE_OPERATORS))
@pytest.mark.parametrize("spelling", [str.lower, str.upper, str.title])
def test_compare_operators_in_any_case(operator, spelling):
    """RFC 7644 §3.4.2.2: attribute operators are case-insensitive; the tree holds them lower-case."""
    assert parse_filter(f'userName {spelling(operator)} "x"') == Compare(USER_NAME, operator, "x")


KEYWORDS_IN_ANY_CASE = [
    ('userName EQ "x"', Compare(USER_NAME, "eq", "x")),
    ("title PR", Present(TITLE)),
    ("title Pr", Present(TITLE)),
    ('title pr AND userType eq "E"', And(Present(TITLE), Compare(USER_TYPE, "eq", "E"))),
    ('title pr And userType eq "E"', And(Present(TITLE), Compare(USER_TYPE, "eq", "E"))),
    ('title pr Or userType eq "I"', Or(Present(TITLE), Compare(USER_TYPE, "eq", "I"))),
    ('title pr OR userType eq "I"', Or(Present(TITLE), Compare(USER_TYPE, "eq", "I"))),
    ("NOT (title pr)", Not(Present(TITLE))),
    ("Not (title pr)", Not(Present(TITLE))),
    (
        'emails[TYPE EQ "work" AND VALUE CO "@example.com"]',
        ValuePath(
            EMAILS,
            And(Compare(AttrPath(None, "TYPE"), "eq", "work"), Compare(AttrPath(None, "VALUE"), "co", "@example.com")),
        ),
    ),
]


@pytest.mark.parametrize(("text", "expected"), [pytest.param(*row, id=row[0]) for row in KEYWORDS_IN_ANY_CASE])
def test_keywords_in_any_case(text, expected):
    """RFC 7644 §3.4.2.2: operators are case-insensitive, and ABNF quoted strings (``and``, ``or``, ``not``) too."""
    assert parse_filter(text) == expected


LITERALS = [
    ("true", True),
    ("false", False),
    ("null", None),
    ("0", 0),
    ("42", 42),
    ("-7", -7),
    ("1.5", 1.5),
    ("-0.25", -0.25),
    ("1e3", 1000.0),
    ("2.5E-2", 0.025),
    ("6.02e+23", 6.02e23),
    ('""', ""),
    (r'"a\"b"', 'a"b'),
    (r'"\u00e9"', "é"),
    (r'"back\\slash"', "back\\slash"),
    (r'"\/"', "/"),
    (r'"tab\tnewline\n"', "tab\tnewline\n"),
    ('"O\'Malley"', "O'Malley"),
    ('"a and b or not (c)"', "a and b or not (c)"),
    ('"bracket ] inside"', "bracket ] inside"),
]


@pytest.mark.parametrize(("literal", "expected"), [pytest.param(*row, id=row[0]) for row in LITERALS])
def test_literals(literal, expected):
    """RFC 7644 §3.4.2.2: ``compValue`` is false / null / true / number / string with the rules of RFC 7159."""
    node = parse_filter(f"a eq {literal}")

    assert node == Compare(A, "eq", expected)
    assert type(node.value) is type(expected)


INVALID_FILTERS = [
    ("", "empty"),
    ("   ", "empty"),
    ('userName xx "bjensen"', "Unknown operator 'xx'"),
    ('userName "bjensen"', "Unknown operator"),
    ('userName = "bjensen"', "Unexpected character '='"),
    ("userName eq", "end of filter"),
    ("userName eq and title pr", "Expected a value"),
    ("userName eq )", "Expected a value"),
    ("userName", "end of filter"),
    ('(userName eq "x"', "end of filter"),
    ('((userName eq "x")', "end of filter"),
    ('userName eq "x")', "Unexpected '\\)'"),
    ("()", "Expected an attribute name"),
    ('emails[type eq "work"', "end of filter"),
    ('emails[type eq "work"]]', "Unexpected '\\]'"),
    ('emails type eq "work"]', "Unknown operator 'type'"),
    ('emails[type eq "work")', "Expected '\\]'"),
    ('userName eq "x" title pr', "Unexpected 'title'"),
    ('userName eq "x" "y"', "Unexpected '\"y\"'"),
    ("title pr pr", "Unexpected 'pr'"),
    ('userName pr "x"', "Unexpected '\"x\"'"),
    ('userName eq "x" and', "end of filter"),
    ('userName eq "x" or or title pr', "Unknown operator"),
    ("userName eq bjensen", "Expected a value .* found 'bjensen'"),
    ("active eq yes", "Expected a value .* found 'yes'"),
    ('not userName eq "x"', "Expected '\\('"),
    ('userName eq "unterminated', "Unexpected character '\"'"),
    ("userName eq 'single'", 'Unexpected character "\'"'),
    ("a eq 1x", "Unexpected character '1'"),
    ("a eq 1.", "Unexpected character '1'"),
    ("a eq +1", "Unexpected character '\\+'"),
    ('_x eq "y"', "Invalid attribute path"),
    ('name.familyName.x eq "y"', "Invalid attribute path"),
    (f'{CORE_USER}: eq "y"', "Invalid attribute path"),
    # RFC 7159 §6: no leading zeros in numbers.
    ("a eq 01", "Invalid value '01'"),
    # RFC 7159 §7: only the listed escapes, and control characters must be escaped.
    (r'a eq "\x41"', "Invalid value .*escape"),
    ('a eq "tab\there"', "Invalid value .*control character"),
    # §3.4.2.2 ABNF: subAttr = "." ATTRNAME, so a dot needs a name after it.
    ("name. pr", "Invalid attribute path"),
]


@pytest.mark.parametrize(("text", "message"), [pytest.param(*row, id=row[0] or "(empty)") for row in INVALID_FILTERS])
def test_invalid_filters(text, message):
    """RFC 7644 §3.4.2.2: a filter outside the ABNF is refused with a message naming the problem (§3.12)."""
    with pytest.raises(FilterSyntaxError, match=message):
        parse_filter(text)


MEMBER_ID = "2819c223-7f76-453a-919d-413861904646"

PATCH_PATHS = [
    ("members", PatchPath(AttrPath(None, "members"))),
    ("name.familyName", PatchPath(AttrPath(None, "name", "familyName"))),
    ('addresses[type eq "work"]', PatchPath(AttrPath(None, "addresses"), Compare(TYPE, "eq", "work"))),
    (
        f'members[value eq "{MEMBER_ID}"]',
        PatchPath(AttrPath(None, "members"), Compare(VALUE, "eq", MEMBER_ID)),
    ),
    (
        f'members[value eq "{MEMBER_ID}"].displayName',
        PatchPath(AttrPath(None, "members"), Compare(VALUE, "eq", MEMBER_ID), "displayName"),
    ),
    ('emails[type eq "work"].value', PatchPath(EMAILS, Compare(TYPE, "eq", "work"), "value")),
    (
        'addresses[type eq "work"].streetAddress',
        PatchPath(AttrPath(None, "addresses"), Compare(TYPE, "eq", "work"), "streetAddress"),
    ),
    (
        'emails[type eq "work" and value ew "example.com"]',
        PatchPath(EMAILS, And(Compare(TYPE, "eq", "work"), Compare(VALUE, "ew", "example.com"))),
    ),
    ('emails[value eq "a]b"]', PatchPath(EMAILS, Compare(VALUE, "eq", "a]b"))),
    (f"{ENTERPRISE_USER}:employeeNumber", PatchPath(AttrPath(ENTERPRISE_USER, "employeeNumber"))),
    (f"{ENTERPRISE_USER}:manager.value", PatchPath(AttrPath(ENTERPRISE_USER, "manager", "value"))),
    (f"{CORE_USER}:userName", PatchPath(AttrPath(CORE_USER, "userName"))),
    (
        f'{CORE_USER}:emails[type eq "work"].value',
        PatchPath(AttrPath(CORE_USER, "emails"), Compare(TYPE, "eq", "work"), "value"),
    ),
    ("  name.givenName  ", PatchPath(AttrPath(None, "name", "givenName"))),
]


@pytest.mark.parametrize(("text", "expected"), [pytest.param(*row, id=row[0]) for row in PATCH_PATHS])
def test_patch_paths(text, expected):
    """RFC 7644 §3.5.2: ``PATH = attrPath / valuePath [subAttr]``, with the paths of the §3.5.2.1-3 examples."""
    assert parse_patch_path(text) == expected


INVALID_PATCH_PATHS = [
    ("", "Invalid path"),
    ("   ", "Invalid path"),
    ("emails[", "Invalid path"),
    ("emails]", "Invalid path"),
    ('emails[type eq "work"', "Invalid path"),
    ('emails[type eq "work"]value', "Invalid path"),
    ('emails[type eq "work"].', "Invalid path"),
    ('emails[type eq "work"].value.display', "Invalid path"),
    ('emails[type eq "work"].1value', "Invalid path"),
    ("emails[]", "empty"),
    ("emails[type eq]", "end of filter"),
    ('emails[type xx "work"]', "Unknown operator 'xx'"),
    ('emails[type eq "work"][value eq "x"]', "Unexpected '\\]'"),
    ('name.familyName[type eq "work"]', "value filter follows a top-level attribute"),
    ("name.familyName.x", "Invalid attribute path"),
    ("1name", "Invalid attribute path"),
    ("user name", "Invalid attribute path"),
    (f"{ENTERPRISE_USER}:", "Invalid attribute path"),
    # §3.4.2.2 ABNF (used by PATH): subAttr = "." ATTRNAME.
    ("name.", "Invalid attribute path"),
    (None, "Invalid path"),
]


@pytest.mark.parametrize(("text", "message"), [pytest.param(*row, id=repr(row[0])) for row in INVALID_PATCH_PATHS])
def test_invalid_patch_paths(text, message):
    """RFC 7644 §3.5.2: a ``path`` outside the ``PATH`` rule is refused (§3.12 invalidPath at the PATCH layer)."""
    with pytest.raises(FilterSyntaxError, match=message):
        parse_patch_path(text)


def test_entra_sub_attribute_after_a_value_filter():
    """Entra ID sends `emails[type eq "work"].value eq "x"` (outside RFC 7644 §3.4.2.2's grammar).

    Read as the value filter `emails[type eq "work" and value eq "x"]`.
    """
    assert parse_filter('emails[type eq "work"].value eq "x"') == ValuePath(
        AttrPath(None, "emails"),
        And(
            Compare(AttrPath(None, "type"), "eq", "work"),
            Compare(AttrPath(None, "value"), "eq", "x"),
        ),
    )
