"""Translate SCIM filters and ``sortBy`` into ORM ``Q`` objects and orderings (RFC 7644 §3.4.2.2-3).

The SCIM id, userName, externalId and meta timestamps live on our link model;
host-stored attributes come from the adapter's ``get_filter_fields()`` as ORM
paths or expressions; characteristics (caseExact, type) come from the schema
registry. Case-insensitive equality is ``LOWER(column) = LOWER(value)``, so
it uses the functional unique index on ``LOWER(user_name)`` (Django's
``iexact`` compiles to ``UPPER(...)`` on PostgreSQL and would miss it).

Comparisons on columns that may be NULL are made two-valued (``... AND
column IS NOT NULL``), so ``not (...)`` keeps users that lack the attribute,
as the RFC's logic requires, instead of SQL's unknown dropping them.
Attributes the product represents with a fixed value (``emails.type`` is
always "work", ``meta.resourceType`` always "User") are compared in Python
and become "has the attribute" or "nothing". Anything we cannot answer is a
400 ``invalidFilter``: never a silently empty or unfiltered list.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timezone as dt_timezone
from typing import Any

from django.db.models import F, Q, QuerySet, Value
from django.db.models.expressions import OrderBy
from django.db.models.functions import Lower, NullIf
from django.db.models.lookups import (
    Contains,
    EndsWith,
    Exact,
    GreaterThan,
    GreaterThanOrEqual,
    IContains,
    IEndsWith,
    IsNull,
    IStartsWith,
    LessThan,
    LessThanOrEqual,
    StartsWith,
)
from django.utils.dateparse import parse_datetime

from .conf import scim_settings
from .constants import USER_RESOURCE_TYPE, USER_SCHEMA
from .exceptions import ScimError, ScimType
from .filter_parser import (
    And,
    AttrPath,
    Compare,
    FilterSyntaxError,
    Node,
    Not,
    Or,
    Present,
    ValuePath,
    parse_attr_path,
    parse_filter,
)
from .patch import compare_values
from .schemas import Attribute, find_attribute, known_schemas


@dataclass(frozen=True)
class FilterField:
    """Where a filterable SCIM attribute lives and how it compares.

    ``kind`` is string, boolean, datetime, uuid or constant. A constant field
    has the same ``values`` for every user that has ``present_when`` (an ORM
    path), or for every user when ``present_when`` is None.
    """

    source: Any  # an ORM path from ProvisionedUser, or an expression
    case_exact: bool = False
    kind: str = "string"
    nullable: bool = True
    values: tuple[Any, ...] = ()
    present_when: str | None = None

    def expression(self) -> Any:
        return F(self.source) if isinstance(self.source, str) else self.source


LINK_FIELDS: dict[str, FilterField] = {
    "id": FilterField("pk", case_exact=True, kind="uuid", nullable=False),
    "username": FilterField("user_name", nullable=False),
    "externalid": FilterField("external_id", case_exact=True, nullable=False),
    "meta.created": FilterField("created_at", kind="datetime", nullable=False),
    "meta.lastmodified": FilterField("updated_at", kind="datetime", nullable=False),
    "meta.resourcetype": FilterField(None, case_exact=True, kind="constant", values=(USER_RESOURCE_TYPE,)),
}

# The product keeps one value of these multi-valued attributes and returns it
# with fixed sub-attributes (serializers.user_representation).
KEPT_VALUE_CONSTANTS: dict[str, dict[str, Any]] = {
    "emails.value": {"type": "work", "primary": True},
    "phonenumbers.value": {"type": "work"},
    "addresses.formatted": {"type": "work"},
}

_ORDERING = {"gt": GreaterThan, "ge": GreaterThanOrEqual, "lt": LessThan, "le": LessThanOrEqual}
_TEXT = {"co": (Contains, IContains), "sw": (StartsWith, IStartsWith), "ew": (EndsWith, IEndsWith)}
_NOTHING = Q(pk__in=[])


def invalid_filter(detail: str) -> ScimError:
    return ScimError(400, detail, ScimType.INVALID_FILTER)


def _characteristics(name: str) -> Attribute | None:
    attribute_name, _, sub_name = name.partition(".")
    attribute = find_attribute(attribute_name)
    if attribute is not None and sub_name:
        return attribute.sub_attribute(sub_name)
    return attribute


class FilterTranslator:
    """Turns filter ASTs into ``Q`` and ``sortBy`` paths into orderings, for one adapter."""

    def __init__(self, adapter_fields: dict[str, Any]) -> None:
        self.fields = dict(LINK_FIELDS)
        extension_in_use = False
        for name, source in adapter_fields.items():
            attribute = _characteristics(name)
            kind = "boolean" if attribute is not None and attribute.type == "boolean" else "string"
            self.fields[name.lower()] = FilterField(
                source, case_exact=bool(attribute and attribute.case_exact), kind=kind
            )
            extension_in_use |= name.lower() == "privilege"
            attribute_name = name.lower().partition(".")[0]
            for sub_name, value in KEPT_VALUE_CONSTANTS.get(name.lower(), {}).items():
                self.fields[f"{attribute_name}.{sub_name}"] = FilterField(
                    None, kind="constant", values=(value,), present_when=source
                )
        schemas = (USER_SCHEMA, scim_settings.EXTENSION_SCHEMA) if extension_in_use else (USER_SCHEMA,)
        self.fields["schemas"] = FilterField(None, kind="constant", values=schemas)

    def to_q(self, node: Node, prefix: str = "") -> Q:
        if isinstance(node, And):
            return self.to_q(node.left, prefix) & self.to_q(node.right, prefix)
        if isinstance(node, Or):
            return self.to_q(node.left, prefix) | self.to_q(node.right, prefix)
        if isinstance(node, Not):
            return ~self.to_q(node.operand, prefix)
        if isinstance(node, ValuePath):
            if prefix:
                raise invalid_filter("Value filters cannot be nested.")
            return self.to_q(node.filter, prefix=self._name(node.path) + ".")
        if isinstance(node, Present):
            return self._present_any(node.path, prefix)
        return self.compare(node, prefix)

    def _name(self, path: AttrPath) -> str:
        if path.urn is not None and path.urn.lower() not in {urn.lower() for urn in known_schemas()}:
            raise invalid_filter(f"Unknown schema {path.urn!r} in filter.")
        return path.attribute + (f".{path.sub_attribute}" if path.sub_attribute else "")

    def field(self, path: AttrPath, prefix: str = "") -> FilterField:
        name = (prefix + self._name(path)).lower()
        field = self.fields.get(name) or self.fields.get(f"{name}.value")
        if field is None:
            raise invalid_filter(f"Filtering on {prefix + self._name(path)!r} is not supported.")
        return field

    def _present_any(self, path: AttrPath, prefix: str) -> Q:
        """``pr``; on a complex attribute, true when any of its sub-attributes has a value (RFC 7644 §3.4.2.2)."""
        name = (prefix + self._name(path)).lower()
        if name in self.fields or f"{name}.value" in self.fields:
            return self._present(self.field(path, prefix))
        parts = [field for key, field in self.fields.items() if key.startswith(f"{name}.") and field.kind != "constant"]
        if not parts:
            self.field(path, prefix)  # raises invalidFilter naming the attribute
        condition = Q()
        for index, field in enumerate(parts):
            condition = self._present(field) if index == 0 else condition | self._present(field)
        return condition

    def _present(self, field: FilterField) -> Q:
        if field.kind == "constant":
            return self._present(FilterField(field.present_when)) if field.present_when else Q()
        expression = field.expression()
        present = Q(IsNull(expression, False))
        return present & ~Q(Exact(expression, "")) if field.kind == "string" else present

    def compare(self, node: Compare, prefix: str) -> Q:
        field = self.field(node.path, prefix)
        if field.kind == "constant":
            return self._compare_constant(field, node)
        value = self._coerce(field, node)
        if value is None:
            if node.operator not in ("eq", "ne"):
                raise invalid_filter(f"Operator {node.operator!r} cannot compare with null.")
            return ~self._present(field) if node.operator == "eq" else self._present(field)
        if field.kind == "uuid" and not isinstance(value, uuid.UUID):
            # Not a UUID, so no id can equal it: eq matches nothing, ne everything.
            if node.operator not in ("eq", "ne"):
                self._unsupported(node)
            return _NOTHING if node.operator == "eq" else Q()
        if node.operator == "ne":
            return ~self._condition(field, "eq", value)
        return self._condition(field, node.operator, value)

    def _condition(self, field: FilterField, operator: str, value: Any) -> Q:
        """A two-valued comparison: false, never unknown, where the attribute is absent."""
        expression = field.expression()
        insensitive = field.kind == "string" and not field.case_exact
        if operator in _TEXT:
            if field.kind != "string":
                raise invalid_filter(f"Operator {operator!r} applies to strings only.")
            condition = Q(_TEXT[operator][insensitive](expression, value))
        else:
            if operator != "eq" and field.kind == "boolean":
                raise invalid_filter(f"Operator {operator!r} cannot compare booleans.")
            lookup = Exact if operator == "eq" else _ORDERING[operator]
            if insensitive:
                condition = Q(lookup(Lower(expression), Lower(Value(value))))
            else:
                condition = Q(lookup(expression, Value(value)))
        return condition & Q(IsNull(expression, False)) if field.nullable else condition

    def _compare_constant(self, field: FilterField, node: Compare) -> Q:
        try:
            matched = any(compare_values(value, node.operator, node.value) for value in field.values)
        except ScimError as exc:
            raise invalid_filter(str(exc.detail)) from exc
        if node.operator == "ne":
            matched = not any(compare_values(value, "eq", node.value) for value in field.values)
        return self._present(field) if matched else _NOTHING

    def _coerce(self, field: FilterField, node: Compare) -> Any:
        value = node.value
        if value is None:
            return None
        if field.kind == "boolean":
            if not isinstance(value, bool):
                raise invalid_filter(f"{self._name(node.path)!r} is a boolean; compare it with true or false.")
            return value
        if isinstance(value, bool) or not isinstance(value, str):
            raise invalid_filter(f"{self._name(node.path)!r} is compared with a string value.")
        if "\x00" in value:
            # No stored value holds a NUL (PostgreSQL cannot); answered alike on every database.
            raise invalid_filter("Filter values cannot contain NUL characters.")
        if not _encodable(value):
            # A lone surrogate (the JSON escape "\ud800"): no database driver can send it.
            raise invalid_filter("Filter values cannot contain unpaired surrogate characters.")
        if field.kind == "datetime":
            try:
                parsed = parse_datetime(value)
            except ValueError:
                parsed = None
            if parsed is None:
                raise invalid_filter(f"{value!r} is not a date-time (RFC 3339).")
            if parsed.tzinfo is None:
                parsed = parsed.replace(tzinfo=dt_timezone.utc)  # RFC 3339 times carry an offset; assume UTC
            try:
                return parsed.astimezone(dt_timezone.utc)
            except OverflowError as exc:
                raise invalid_filter(f"{value!r} is out of the supported date range.") from exc
        if field.kind == "uuid":
            try:
                return uuid.UUID(value)
            except ValueError:
                return value  # a well-formed filter for an id that cannot exist
        return value

    @staticmethod
    def _unsupported(node: Compare) -> Q:
        raise invalid_filter(f"Operator {node.operator!r} is not supported for {node.path.attribute!r}.")

    def ordering(self, sort_by: str, descending: bool) -> list[OrderBy]:
        """``sortBy``/``sortOrder`` (RFC 7644 §3.4.2.3); absent values sort last ascending, first descending."""
        try:
            field = self.field(parse_attr_path(sort_by.strip()))
        except (FilterSyntaxError, ScimError) as exc:
            raise ScimError(400, f"Cannot sort by {sort_by!r}.", ScimType.INVALID_VALUE) from exc
        if field.kind == "constant":
            return []  # every user has the same value: the stable order decides
        expression = field.expression()
        if field.kind == "string":
            # Hosts store an absent string as "": sort it with the NULLs.
            expression = NullIf(expression, Value(""))
            if not field.case_exact:
                expression = Lower(expression)
        return [expression.desc(nulls_first=True) if descending else expression.asc(nulls_last=True)]


def _encodable(text: str) -> bool:
    """Whether ``text`` is valid Unicode text, i.e. has no unpaired surrogate, so UTF-8 can encode it."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def filter_queryset(queryset: QuerySet[Any], filter_text: str, translator: FilterTranslator) -> QuerySet[Any]:
    """Apply a SCIM filter string to a queryset of ``ProvisionedUser``."""
    try:
        node = parse_filter(filter_text)
    except FilterSyntaxError as exc:
        raise invalid_filter(f"Invalid filter: {exc}") from exc
    return queryset.filter(translator.to_q(node))
