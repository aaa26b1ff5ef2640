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
    """An attribute definition with the characteristics of RFC 7643 §2.2 and §7.

    ``stored_as`` names the ``UserAttributes`` fields behind the attribute:
    it is published in ``/Schemas`` and returned only when the adapter
    supports one of them (empty: kept by the app itself, always published).
    ``input_only`` attributes are understood on input (aliases, address
    parts, passwords to ignore) but never published or returned. ``common``
    attributes (``id``, ``externalId``) belong to every resource (RFC 7643
    §3.1) and are not listed in a resource's schema.
    """

    name: str
    type: str = "string"
    multi_valued: bool = False
    required: bool = False
    case_exact: bool = False
    mutability: str = "readWrite"
    returned: str = "default"
    uniqueness: str = "none"
    description: str = ""
    sub_attributes: tuple[Attribute, ...] = field(default_factory=tuple)
    canonical_values: tuple[str, ...] = ()
    stored_as: tuple[str, ...] = ()
    input_only: bool = False
    common: bool = False

    def sub_attribute(self, name: str) -> Attribute | None:
        return _by_lower_name(self.sub_attributes).get(name.lower())

    def is_published(self, supported: frozenset[str]) -> bool:
        """Whether this product stores (and so returns) the attribute."""
        if self.input_only:
            return False
        return not self.stored_as or any(name in supported for name in self.stored_as)

    def to_dict(self, supported: frozenset[str]) -> dict[str, Any]:
        """The attribute definition as published in ``/Schemas`` (RFC 7643 §7)."""
        document: dict[str, Any] = {
            "name": self.name,
            "type": self.type,
            "multiValued": self.multi_valued,
            "description": self.description,
            "required": self.required,
            "caseExact": self.case_exact,
            "mutability": self.mutability,
            "returned": self.returned,
            "uniqueness": self.uniqueness,
        }
        if self.canonical_values:
            document["canonicalValues"] = list(self.canonical_values)
        if self.type == "complex":
            document["subAttributes"] = [
                sub.to_dict(supported) for sub in self.sub_attributes if sub.is_published(supported)
            ]
        return document


def _by_lower_name(attributes: tuple[Attribute, ...]) -> dict[str, Attribute]:
    return {a.name.lower(): a for a in attributes}


_TYPE_WORK = Attribute("type", canonical_values=("work",), description="Always 'work': the one value kept.")
_PRIMARY = Attribute("primary", type="boolean", description="Whether this is the primary value.")
_DISPLAY = Attribute("display", input_only=True)
# Phones and addresses keep one value and no primary flag: accepted, not returned.
_UNKEPT_PRIMARY = Attribute("primary", type="boolean", input_only=True)
#: Offered to clients as examples; any RFC 5646 tag the host accepts is stored.
LANGUAGE_TAGS = ("en", "en-US", "en-GB", "fr", "fr-FR", "de", "de-DE", "es", "es-ES", "it", "nl", "pt-BR", "ja", "zh")
_NAMES = ("given_name", "family_name")

USER_ATTRIBUTES: tuple[Attribute, ...] = (
    Attribute(
        "id",
        case_exact=True,
        mutability="readOnly",
        returned="always",
        uniqueness="server",
        description="Identifier of the user, issued by the service provider.",
        common=True,
    ),
    Attribute(
        "externalId", case_exact=True, description="Identifier of the user in the identity provider.", common=True
    ),
    Attribute(
        "userName",
        required=True,
        uniqueness="server",
        description="Unique identifier of the user, matched case-insensitively.",
    ),
    Attribute(
        "name",
        type="complex",
        description="The components of the user's name.",
        stored_as=_NAMES,
        sub_attributes=(
            Attribute(
                "formatted",
                mutability="readOnly",
                returned="request",
                description="The full name, from the given and family names.",
                stored_as=_NAMES,
            ),
            Attribute("familyName", description="The family name.", stored_as=("family_name",)),
            Attribute("givenName", description="The given name.", stored_as=("given_name",)),
        ),
    ),
    Attribute(
        "displayName",
        mutability="readOnly",
        returned="request",
        description="The name to display, from the given and family names.",
        stored_as=_NAMES,
    ),
    Attribute(
        "preferredLanguage",
        description="The user's preferred language, as a language tag (RFC 5646).",
        canonical_values=LANGUAGE_TAGS,
        stored_as=("language",),
    ),
    Attribute("locale", input_only=True),
    Attribute("timezone", description="The user's time zone (IANA name).", stored_as=("timezone",)),
    # Required: every user has a suspension state (a create without it gets true),
    # so it can be replaced but never removed.
    Attribute("active", type="boolean", required=True, description="False suspends the user.", stored_as=("active",)),
    Attribute("password", mutability="writeOnly", returned="never", input_only=True),
    # Required to create a user (the seed document); updates may leave it out.
    Attribute(
        "emails",
        type="complex",
        multi_valued=True,
        required=True,
        description="The user's work email address.",
        stored_as=("email",),
        sub_attributes=(
            Attribute("value", required=True, description="The email address."),
            _TYPE_WORK,
            _PRIMARY,
            _DISPLAY,
        ),
    ),
    Attribute(
        "phoneNumbers",
        type="complex",
        multi_valued=True,
        description="The user's work phone number.",
        stored_as=("phone",),
        sub_attributes=(Attribute("value", description="The phone number."), _TYPE_WORK, _UNKEPT_PRIMARY, _DISPLAY),
    ),
    Attribute(
        "addresses",
        type="complex",
        multi_valued=True,
        description="The user's work location.",
        stored_as=("location",),
        sub_attributes=(
            Attribute("formatted", description="The location, as one line."),
            Attribute("streetAddress", input_only=True),
            Attribute("locality", input_only=True),
            Attribute("region", input_only=True),
            Attribute("postalCode", input_only=True),
            Attribute("country", input_only=True),
            _TYPE_WORK,
            _UNKEPT_PRIMARY,
        ),
    ),
)

EXTENSION_ATTRIBUTES: tuple[Attribute, ...] = (
    Attribute(
        "privilege",
        required=True,
        case_exact=True,
        canonical_values=("member", "inactive"),
        description="'member' holds a licence seat; 'inactive' does not.",
        stored_as=("privilege",),
    ),
)

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
