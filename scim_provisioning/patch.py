"""Apply RFC 7644 §3.5.2 PATCH operations to a canonical SCIM User dict, with no ORM.

The view reads the stored resource, applies the operations here, then
validates and writes the result as one full replace, so PATCH and PUT share
one write path and a PATCH is atomic: all operations or none.

IdP dialects accepted (DESIGN.md §3.3): operation names in any case
(``"Replace"``), path-less values whose keys are plain, dotted
(``"name.givenName"``) or URN-qualified, and ``replace``/``add`` through a
``attr[type eq "work"].sub`` path when no item matches yet (Entra sends this
for a phone the user does not have): a new item carrying the filter's
equalities is added instead of failing.
"""

from __future__ import annotations

import copy
import operator as _operator
from typing import Any

from .conf import scim_settings
from .constants import PATCH_OP_SCHEMA, USER_SCHEMA
from .exceptions import ScimError, ScimType
from .filter_parser import And, Compare, FilterSyntaxError, Node, Not, Or, PatchPath, Present, parse_patch_path
from .schemas import EXTENSION_ATTRIBUTES, Attribute, canonical_item, canonical_value, find_attribute

OPERATIONS = ("add", "replace", "remove")
READ_ONLY = frozenset({"id", "meta"})
_ORDERING = {"gt": _operator.gt, "ge": _operator.ge, "lt": _operator.lt, "le": _operator.le}


def _error(scim_type: str, detail: str) -> ScimError:
    return ScimError(400, detail, scim_type)


def apply_patch(resource: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
    """Return a copy of ``resource`` with the PatchOp ``body`` applied."""
    schemas = _get(body, "schemas")
    if not isinstance(schemas, list) or PATCH_OP_SCHEMA.lower() not in {str(s).lower() for s in schemas}:
        raise _error(ScimType.INVALID_SYNTAX, f"The request must name the schema {PATCH_OP_SCHEMA}.")
    operations = _get(body, "Operations")
    if not isinstance(operations, list) or not operations:
        raise _error(ScimType.INVALID_SYNTAX, "'Operations' must be a non-empty list.")
    document = copy.deepcopy(resource)
    for operation in operations:
        if not isinstance(operation, dict):
            raise _error(ScimType.INVALID_SYNTAX, "Each operation must be a JSON object.")
        op = str(_get(operation, "op") or "").lower()
        if op not in OPERATIONS:
            raise _error(ScimType.INVALID_SYNTAX, f"Unknown operation {_get(operation, 'op')!r}.")
        path = _get(operation, "path")
        value = _get(operation, "value")
        if op != "remove" and not _has(operation, "value"):
            raise _error(ScimType.INVALID_VALUE, f"An '{op}' operation needs a 'value' (RFC 7644 §3.5.2).")
        if path is None:
            _apply_without_path(document, op, value)
        else:
            if not isinstance(path, str):
                raise _error(ScimType.INVALID_PATH, "'path' must be a string.")
            _apply_path(document, op, path, value)
    return document


def _get(data: dict[str, Any], key: str) -> Any:
    """Case-insensitive key lookup (RFC 7643 §2.1)."""
    for name, value in data.items():
        if isinstance(name, str) and name.lower() == key.lower():
            return value
    return None


def _has(data: dict[str, Any], key: str) -> bool:
    """Whether ``key`` is present in any case: a missing ``value`` is not an explicit null."""
    return any(isinstance(name, str) and name.lower() == key.lower() for name in data)


def _apply_without_path(document: dict[str, Any], op: str, value: Any) -> None:
    if op == "remove":
        raise _error(ScimType.NO_TARGET, "A 'remove' operation needs a 'path'.")
    if not isinstance(value, dict):
        raise _error(ScimType.INVALID_VALUE, f"A '{op}' operation without 'path' needs an object 'value'.")
    for key, item in value.items():
        if not isinstance(key, str) or key.lower() == "schemas":
            continue
        if key.lower() in (USER_SCHEMA.lower(), scim_settings.EXTENSION_SCHEMA.lower()):
            if isinstance(item, dict):
                _apply_without_path(document, op, item)
            continue
        _apply_path(document, op, key, item)


def _apply_path(document: dict[str, Any], op: str, raw_path: str, value: Any) -> None:
    if raw_path.strip().lower() in (USER_SCHEMA.lower(), scim_settings.EXTENSION_SCHEMA.lower()):
        _apply_schema_path(document, op, raw_path.strip(), value)
        return
    try:
        path = parse_patch_path(raw_path)
    except FilterSyntaxError as exc:
        raise _error(ScimType.INVALID_PATH, str(exc)) from exc
    urn = path.path.urn
    if urn is not None and urn.lower() not in (USER_SCHEMA.lower(), scim_settings.EXTENSION_SCHEMA.lower()):
        # Another schema's attribute, even one named like a core attribute
        # (RFC 7644 §3.10): not stored here, so ignored like any unknown one.
        return
    if path.path.attribute.lower() in READ_ONLY:
        raise _error(ScimType.MUTABILITY, f"'{path.path.attribute}' is read-only.")
    attribute = find_attribute(path.path.attribute)
    if attribute is None:
        return  # unknown attributes are ignored silently (seed document)
    if op == "remove" and attribute.required and path.value_filter is None and not path.path.sub_attribute:
        raise _error(ScimType.MUTABILITY, f"'{attribute.name}' is required and cannot be removed.")
    if op != "remove" and value is None and path.value_filter is None and not path.path.sub_attribute:
        document[attribute.name] = None
        return
    if path.value_filter is not None:
        _apply_filtered(document, op, attribute, path, value)
    elif path.path.sub_attribute:
        _apply_sub_attribute(document, op, attribute, path.path.sub_attribute, value)
    else:
        _apply_attribute(document, op, attribute, value)


def _apply_schema_path(document: dict[str, Any], op: str, urn: str, value: Any) -> None:
    """A path naming a whole schema: its attributes, as a path-less value would give them."""
    if op == "remove":
        attributes = EXTENSION_ATTRIBUTES if urn.lower() == scim_settings.EXTENSION_SCHEMA.lower() else ()
        for attribute in attributes:
            _apply_path(document, op, f"{urn}:{attribute.name}", None)
        if not attributes:
            raise _error(ScimType.MUTABILITY, "The core schema cannot be removed.")
        return
    if not isinstance(value, dict):
        raise _error(ScimType.INVALID_VALUE, f"A value for '{urn}' must be an object.")
    _apply_without_path(document, op, {key: item for key, item in value.items() if key.lower() != "schemas"})


def _apply_attribute(document: dict[str, Any], op: str, attribute: Attribute, value: Any) -> None:
    name = attribute.name
    if op == "remove":
        document.pop(name, None)
        return
    value = canonical_value(attribute, value)
    current = document.get(name)
    if attribute.multi_valued:
        items = value if isinstance(value, list) else [value]
        if op == "add" and isinstance(current, list):
            document[name] = current + [item for item in items if item not in current]
        else:
            document[name] = items
        _keep_one_primary(document[name], items)
    elif attribute.type == "complex" and isinstance(value, dict) and isinstance(current, dict):
        document[name] = {**current, **value}  # unspecified sub-attributes stay (RFC 7644 §3.5.2.3)
    else:
        document[name] = value


def _apply_sub_attribute(document: dict[str, Any], op: str, attribute: Attribute, sub_name: str, value: Any) -> None:
    sub = attribute.sub_attribute(sub_name)
    if sub is None:
        return
    if attribute.multi_valued:
        for item in document.get(attribute.name) or []:
            # An earlier operation may have written a value that is no object; validation refuses it later.
            if isinstance(item, dict):
                _set_or_remove(item, op, sub.name, value)
        return
    container = document.get(attribute.name)
    if not isinstance(container, dict):
        if op == "remove":
            return
        container = document[attribute.name] = {}
    _set_or_remove(container, op, sub.name, value)


def _apply_filtered(document: dict[str, Any], op: str, attribute: Attribute, path: PatchPath, value: Any) -> None:
    if not attribute.multi_valued:
        raise _error(ScimType.INVALID_PATH, f"'{attribute.name}' is not multi-valued; it takes no value filter.")
    assert path.value_filter is not None
    items = [item for item in document.get(attribute.name) or [] if isinstance(item, dict)]
    matched = [item for item in items if matches(path.value_filter, item)]
    sub = attribute.sub_attribute(path.sub_attribute) if path.sub_attribute else None
    if op == "remove":
        if sub is not None:
            for item in matched:
                item.pop(sub.name, None)
        else:
            items = [item for item in items if item not in matched]
        document[attribute.name] = items
        return
    if not matched:
        seed = _equalities(path.value_filter)
        if seed is None:
            raise _error(ScimType.NO_TARGET, f"No value of '{attribute.name}' matches the path's filter.")
        items.append(canonical_item(attribute, seed))
        matched = [items[-1]]
    for item in matched:
        if sub is not None:
            item[sub.name] = value
        elif isinstance(value, dict):
            item.update(canonical_item(attribute, value))
        else:
            raise _error(ScimType.INVALID_VALUE, f"A value of '{attribute.name}' must be an object.")
    document[attribute.name] = items
    _keep_one_primary(items, matched)


def _keep_one_primary(items: list[Any], written: list[Any]) -> None:
    """RFC 7644 §3.5.2: a value written with ``primary: true`` makes the others non-primary."""
    new_primary = next((item for item in reversed(written) if isinstance(item, dict) and item.get("primary")), None)
    if new_primary is None:
        return
    for item in items:
        if item != new_primary and isinstance(item, dict) and item.get("primary"):
            item["primary"] = False


def _set_or_remove(container: dict[str, Any], op: str, key: str, value: Any) -> None:
    if op == "remove":
        container.pop(key, None)
    else:
        container[key] = value


def _equalities(node: Node) -> dict[str, Any] | None:
    """The ``sub eq value`` pairs of a filter made only of equalities joined by ``and``."""
    if isinstance(node, Compare) and node.operator == "eq" and node.path.sub_attribute is None:
        return {node.path.attribute: node.value}
    if isinstance(node, And):
        left, right = _equalities(node.left), _equalities(node.right)
        return {**left, **right} if left is not None and right is not None else None
    return None


def matches(node: Node, item: dict[str, Any]) -> bool:
    """Evaluate a value filter against one item of a multi-valued attribute."""
    if isinstance(node, And):
        return matches(node.left, item) and matches(node.right, item)
    if isinstance(node, Or):
        return matches(node.left, item) or matches(node.right, item)
    if isinstance(node, Not):
        return not matches(node.operand, item)
    if isinstance(node, Present):
        return _get(item, node.path.attribute) not in (None, "", [])
    if isinstance(node, Compare):
        return compare_values(_get(item, node.path.attribute), node.operator, node.value)
    raise _error(ScimType.INVALID_PATH, "Value filters cannot be nested.")


def compare_values(actual: Any, operator: str, expected: Any) -> bool:
    """Compare two SCIM values with a filter operator; strings ignore case (caseExact false)."""
    if operator not in ("eq", "ne") and (isinstance(actual, bool) or isinstance(expected, bool)):
        # RFC 7644 §3.4.2.2: booleans only compare for (in)equality.
        raise ScimError(400, f"Operator {operator!r} cannot compare booleans.", ScimType.INVALID_FILTER)
    if isinstance(actual, str) and isinstance(expected, str):
        actual, expected = actual.lower(), expected.lower()
    if operator == "eq":
        return bool(actual == expected)
    if operator == "ne":
        return bool(actual != expected)
    if actual is None or expected is None:
        return False
    try:
        if operator == "co":
            return str(expected) in str(actual)
        if operator == "sw":
            return str(actual).startswith(str(expected))
        if operator == "ew":
            return str(actual).endswith(str(expected))
        return bool(_ORDERING[operator](actual, expected))
    except TypeError:
        return False
