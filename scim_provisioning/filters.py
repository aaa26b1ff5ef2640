"""Translate SCIM filters into ORM ``Q`` objects over ``ProvisionedUser`` (RFC 7644 §3.4.2.2).

The SCIM id, userName, externalId and meta timestamps live on our link model;
host-stored attributes are reached through the adapter's ``filter_fields``.
Case-insensitive equality is written as ``LOWER(column) = LOWER(value)`` so
that it uses the functional unique index on ``LOWER(user_name)``; Django's
``iexact`` would compile to ``UPPER(...)`` on PostgreSQL and miss it. An
attribute or operator we cannot answer is a 400 ``invalidFilter``, never a
silently empty or unfiltered list.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from django.db.models import F, Q, QuerySet, Value
from django.db.models.functions import Lower
from django.db.models.lookups import Exact, GreaterThan, GreaterThanOrEqual, LessThan, LessThanOrEqual
from django.utils.dateparse import parse_datetime

from .exceptions import ScimError, ScimType
from .filter_parser import And, AttrPath, Compare, FilterSyntaxError, Node, Not, Or, Present, ValuePath, parse_filter
from .schemas import find_attribute, known_schemas


@dataclass(frozen=True)
class FilterField:
    """Where a filterable SCIM attribute lives and how it compares."""

    orm_path: str
    case_exact: bool = False
    kind: str = "string"  # string | boolean | datetime | uuid


LINK_FIELDS: dict[str, FilterField] = {
    "id": FilterField("pk", case_exact=True, kind="uuid"),
    "username": FilterField("user_name"),
    "externalid": FilterField("external_id", case_exact=True),
    "meta.created": FilterField("created_at", kind="datetime"),
    "meta.lastmodified": FilterField("updated_at", kind="datetime"),
}

_ORDERING = {"gt": GreaterThan, "ge": GreaterThanOrEqual, "lt": LessThan, "le": LessThanOrEqual}
_TEXT_LOOKUPS = {"co": "contains", "sw": "startswith", "ew": "endswith"}


def invalid_filter(detail: str) -> ScimError:
    return ScimError(400, detail, ScimType.INVALID_FILTER)


class FilterTranslator:
    """Turns a filter AST into ``Q`` using the link fields and the adapter's ``filter_fields``."""

    def __init__(self, adapter_fields: dict[str, str]) -> None:
        self.fields = dict(LINK_FIELDS)
        for name, orm_path in adapter_fields.items():
            attribute = find_attribute(name.partition(".")[0])
            case_exact = bool(attribute and attribute.case_exact)
            kind = "boolean" if attribute is not None and attribute.type == "boolean" else "string"
            self.fields[name.lower()] = FilterField(orm_path, case_exact=case_exact, kind=kind)

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
            field = self.field(node.path, prefix)
            present = Q(**{f"{field.orm_path}__isnull": False})
            return present & ~Q(**{field.orm_path: ""}) if field.kind == "string" else present
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

    def compare(self, node: Compare, prefix: str) -> Q:
        field = self.field(node.path, prefix)
        value = self._coerce(field, node)
        if value is None:
            if node.operator not in ("eq", "ne"):
                raise invalid_filter(f"Operator {node.operator!r} cannot compare with null.")
            absent = Q(**{f"{field.orm_path}__isnull": True})
            return absent if node.operator == "eq" else ~absent
        if field.kind == "uuid" and isinstance(value, str):
            # Not a UUID, so no id can equal it: eq matches nothing, ne everything.
            if node.operator not in ("eq", "ne"):
                self._unsupported(node)
            return Q(pk__in=[]) if node.operator == "eq" else Q()
        if node.operator in ("eq", "ne"):
            q = self._equals(field, value)
            return q if node.operator == "eq" else ~q
        if node.operator in _TEXT_LOOKUPS:
            if field.kind != "string":
                raise invalid_filter(f"Operator {node.operator!r} applies to strings only.")
            lookup = _TEXT_LOOKUPS[node.operator]
            return Q(**{f"{field.orm_path}__{lookup if field.case_exact else 'i' + lookup}": value})
        if field.kind == "boolean":
            self._unsupported(node)
        lookup_class = _ORDERING[node.operator]
        if field.kind == "string" and not field.case_exact:
            return Q(lookup_class(Lower(F(field.orm_path)), Lower(Value(value))))
        return Q(lookup_class(F(field.orm_path), Value(value)))

    def _equals(self, field: FilterField, value: Any) -> Q:
        if field.kind == "string" and not field.case_exact:
            return Q(Exact(Lower(F(field.orm_path)), Lower(Value(value))))
        return Q(**{field.orm_path: value})

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
        if field.kind == "datetime":
            try:
                parsed = parse_datetime(value)
            except ValueError:
                parsed = None
            if parsed is None:
                raise invalid_filter(f"{value!r} is not a date-time (RFC 3339).")
            return parsed
        if field.kind == "uuid":
            try:
                return uuid.UUID(value)
            except ValueError:
                return value  # a well-formed filter for an id that cannot exist
        return value

    @staticmethod
    def _unsupported(node: Compare) -> Q:
        raise invalid_filter(f"Operator {node.operator!r} is not supported for {node.path.attribute!r}.")


def filter_queryset(queryset: QuerySet[Any], filter_text: str, adapter_fields: dict[str, str]) -> QuerySet[Any]:
    """Apply a SCIM filter string to a queryset of ``ProvisionedUser``."""
    try:
        node = parse_filter(filter_text)
    except FilterSyntaxError as exc:
        raise invalid_filter(f"Invalid filter: {exc}") from exc
    return queryset.filter(FilterTranslator(adapter_fields).to_q(node))


class ScimFilterBackend:
    """DRF filter backend (the shape of django-filter's ``DjangoFilterBackend``) for ``?filter=``."""

    def filter_queryset(self, request: Any, queryset: QuerySet[Any], view: Any) -> QuerySet[Any]:
        filter_text = request.query_params.get("filter")
        if filter_text is None:
            return queryset
        return filter_queryset(queryset, filter_text, view.adapter.filter_fields)
