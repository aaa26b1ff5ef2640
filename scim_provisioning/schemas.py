"""The SCIM User schema registry: one source of truth for attribute names and characteristics.

Attribute names are case-insensitive (RFC 7643 §2.1), so incoming JSON is
canonicalised here before validation: names take their schema spelling, the
core schema URN prefix is dropped, the product extension is flattened (its
``privilege`` is also accepted top-level, as the seed document sends it),
single objects become one-element lists for multi-valued attributes (OneLogin)
and unknown attributes are dropped silently (the seed's rule).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .conf import scim_settings
from .constants import USER_SCHEMA


@dataclass(frozen=True)
class Attribute:
    """An attribute definition with the characteristics of RFC 7643 §2.2 and §7."""

    name: str
    type: str = "string"
    multi_valued: bool = False
    required: bool = False
    case_exact: bool = False
    mutability: str = "readWrite"
    returned: str = "default"
    uniqueness: str = "none"
    sub_attributes: tuple[Attribute, ...] = field(default_factory=tuple)

    def sub_attribute(self, name: str) -> Attribute | None:
        return _by_lower_name(self.sub_attributes).get(name.lower())


def _by_lower_name(attributes: tuple[Attribute, ...]) -> dict[str, Attribute]:
    return {a.name.lower(): a for a in attributes}


_TYPE = Attribute("type")
_PRIMARY = Attribute("primary", type="boolean")
_DISPLAY = Attribute("display")

USER_ATTRIBUTES: tuple[Attribute, ...] = (
    Attribute("id", case_exact=True, mutability="readOnly", returned="always", uniqueness="server"),
    Attribute("externalId", case_exact=True),
    Attribute("userName", required=True, uniqueness="server"),
    Attribute(
        "name",
        type="complex",
        sub_attributes=(Attribute("formatted"), Attribute("familyName"), Attribute("givenName")),
    ),
    Attribute("displayName"),
    Attribute("preferredLanguage"),
    Attribute("locale"),
    Attribute("timezone"),
    Attribute("active", type="boolean"),
    Attribute("password", mutability="writeOnly", returned="never"),
    Attribute(
        "emails",
        type="complex",
        multi_valued=True,
        sub_attributes=(Attribute("value"), _TYPE, _PRIMARY, _DISPLAY),
    ),
    Attribute(
        "phoneNumbers",
        type="complex",
        multi_valued=True,
        sub_attributes=(Attribute("value"), _TYPE, _PRIMARY, _DISPLAY),
    ),
    Attribute(
        "addresses",
        type="complex",
        multi_valued=True,
        sub_attributes=(
            Attribute("formatted"),
            Attribute("streetAddress"),
            Attribute("locality"),
            Attribute("region"),
            Attribute("postalCode"),
            Attribute("country"),
            _TYPE,
            _PRIMARY,
        ),
    ),
)

EXTENSION_ATTRIBUTES: tuple[Attribute, ...] = (Attribute("privilege", case_exact=True),)

_CORE = _by_lower_name(USER_ATTRIBUTES)
_EXTENSION = _by_lower_name(EXTENSION_ATTRIBUTES)
_ALL = {**_CORE, **_EXTENSION}


def find_attribute(name: str) -> Attribute | None:
    """The core or extension attribute called ``name`` (any case), or None."""
    return _ALL.get(name.lower())


def split_urn(path: str) -> tuple[str | None, str]:
    """Split ``urn:...:User:attr.sub`` into (schema URN, ``attr.sub``); no URN gives None.

    Only the known schemas are split, so a URN we do not know stays whole and
    is then ignored as an unknown attribute.
    """
    lowered = path.lower()
    for urn in known_schemas():
        if lowered.startswith(urn.lower() + ":"):
            return urn, path[len(urn) + 1 :]
    return None, path


def known_schemas() -> tuple[str, ...]:
    from .constants import ENTERPRISE_USER_SCHEMA

    return (USER_SCHEMA, scim_settings.EXTENSION_SCHEMA, ENTERPRISE_USER_SCHEMA)


def canonicalize(data: dict[str, Any]) -> dict[str, Any]:
    """Return ``data`` with canonical attribute names and unknown attributes removed.

    Handles plain keys, the core and product-extension URN containers, and
    URN-qualified or dotted keys (``"name.givenName"``, as Entra sends in
    path-less PATCH values), which are expanded into nested objects.
    """
    result: dict[str, Any] = {}
    for key, value in data.items():
        if not isinstance(key, str):
            continue
        lowered = key.lower()
        if lowered in (USER_SCHEMA.lower(), scim_settings.EXTENSION_SCHEMA.lower()):
            if isinstance(value, dict):
                _merge(result, canonicalize(value))
            continue
        urn, path = split_urn(key)
        if urn is not None and urn not in (USER_SCHEMA, scim_settings.EXTENSION_SCHEMA):
            continue  # enterprise or unknown extension: not stored by this product
        attribute_name, _, sub_name = path.partition(".")
        attribute = find_attribute(attribute_name)
        if attribute is None:
            continue
        if sub_name:
            sub = attribute.sub_attribute(sub_name)
            if sub is not None and not attribute.multi_valued:
                _merge(result, {attribute.name: {sub.name: value}})
            continue
        _merge(result, {attribute.name: canonical_value(attribute, value)})
    return result


def canonical_value(attribute: Attribute, value: Any) -> Any:
    """Canonicalise the sub-attribute names of one attribute's value."""
    if attribute.type != "complex" or value is None:
        return value
    if attribute.multi_valued:
        items = [value] if isinstance(value, dict) else value
        if not isinstance(items, list):
            return items
        return [canonical_item(attribute, item) for item in items]
    return canonical_item(attribute, value)


def canonical_item(attribute: Attribute, value: Any) -> Any:
    """Canonicalise the sub-attribute names of one complex value (one item of a multi-valued one)."""
    if not isinstance(value, dict):
        return value
    result = {}
    for key, sub_value in value.items():
        sub = attribute.sub_attribute(key) if isinstance(key, str) else None
        if sub is not None:
            result[sub.name] = sub_value
    return result


def _merge(target: dict[str, Any], source: dict[str, Any]) -> None:
    for key, value in source.items():
        if isinstance(value, dict) and isinstance(target.get(key), dict):
            target[key].update(value)
        else:
            target[key] = value
