"""``attributes`` and ``excludedAttributes`` (RFC 7644 §3.4.2.5, §3.9): which attributes a response carries.

Attribute paths are matched case-insensitively and may be URN-qualified
(``urn:...:User:privilege``) or name a sub-attribute (``name.givenName``).
``id`` (returned "always") and ``schemas`` are kept whatever is asked;
``returned: request`` attributes (``displayName``, ``name.formatted``) only
when asked for; ``returned: never`` ones are never in the resource at all.
"""

from __future__ import annotations

from typing import Any

from .conf import scim_settings
from .constants import USER_SCHEMA
from .exceptions import ScimError, ScimType
from .filter_parser import FilterSyntaxError, parse_attr_path
from .schemas import EXTENSION_ATTRIBUTES, USER_ATTRIBUTES

ALWAYS = frozenset({"id", "schemas"})


def _returned_on_request() -> frozenset[tuple[str, str | None]]:
    """The (attribute, sub-attribute) paths whose ``returned`` is "request", from the registry."""
    paths: set[tuple[str, str | None]] = set()
    for attribute in (*USER_ATTRIBUTES, *EXTENSION_ATTRIBUTES):
        if attribute.returned == "request":
            paths.add((attribute.name.lower(), None))
        for sub in attribute.sub_attributes:
            if sub.returned == "request":
                paths.add((attribute.name.lower(), sub.name.lower()))
    return frozenset(paths)


RETURNED_ON_REQUEST = _returned_on_request()

# The same, by the names the representation writes, for the default view.
_REQUEST_ONLY = frozenset(a.name for a in USER_ATTRIBUTES if a.returned == "request")
_REQUEST_ONLY_SUBS = {
    a.name: frozenset(sub.name for sub in a.sub_attributes if sub.returned == "request")
    for a in USER_ATTRIBUTES
    if any(sub.returned == "request" for sub in a.sub_attributes)
}
_EXTENSION_REQUEST_ONLY = frozenset(a.name for a in EXTENSION_ATTRIBUTES if a.returned == "request")


def _paths(names: list[str]) -> set[tuple[str, str | None]]:
    """Requested names as (attribute, sub-attribute) pairs; the extension's attributes unqualified."""
    extension = scim_settings.EXTENSION_SCHEMA.lower()
    paths: set[tuple[str, str | None]] = set()
    for name in names:
        if name.lower() == extension:
            paths.add((extension, None))
            continue
        try:
            path = parse_attr_path(name)
        except FilterSyntaxError as exc:
            raise ScimError(400, f"Invalid attribute name {name!r}.", ScimType.INVALID_VALUE) from exc
        if path.urn is not None and path.urn.lower() not in (USER_SCHEMA.lower(), extension):
            continue  # a schema we do not store: nothing of it in our resources
        paths.add((path.attribute.lower(), path.sub_attribute.lower() if path.sub_attribute else None))
    return paths


def project(resource: dict[str, Any], attributes: list[str], excluded: list[str]) -> dict[str, Any]:
    """Return ``resource`` reduced to what the client asked for."""
    if not attributes and not excluded:
        return default_view(resource)
    extension = scim_settings.EXTENSION_SCHEMA
    wanted, unwanted = _paths(attributes), _paths(excluded)
    unwanted |= {path for path in RETURNED_ON_REQUEST if path not in wanted and (path[0], None) not in wanted}
    result: dict[str, Any] = {}
    for key, value in resource.items():
        if key.lower() in ALWAYS:
            result[key] = value
        elif key == extension:
            kept = _project_container(value, wanted, unwanted, whole=(extension.lower(), None))
            if kept:
                result[key] = kept
        else:
            kept = _project_attribute(key.lower(), value, wanted, unwanted)
            if kept is not None:
                result[key] = kept
    return result


def default_view(resource: dict[str, Any]) -> dict[str, Any]:
    """``resource`` as returned when the client selects nothing: without its ``returned: request`` parts.

    What ``project`` computes for no selection, without parsing any path: it
    runs once per user of every page, the IdPs' most frequent request.
    """
    extension = scim_settings.EXTENSION_SCHEMA
    result: dict[str, Any] = {}
    for key, value in resource.items():
        if key in _REQUEST_ONLY:
            continue
        subs = _EXTENSION_REQUEST_ONLY if key == extension else _REQUEST_ONLY_SUBS.get(key)
        if subs and isinstance(value, dict):
            value = {name: sub for name, sub in value.items() if name not in subs}
            if not value:
                continue
        result[key] = value
    return result


def _project_container(
    container: dict[str, Any], wanted: set[Any], unwanted: set[Any], whole: tuple[str, None]
) -> dict[str, Any]:
    if wanted and whole in wanted:
        wanted = set()  # the whole extension was asked for
    if whole in unwanted:
        return {}
    kept = {}
    for key, value in container.items():
        projected = _project_attribute(key.lower(), value, wanted, unwanted)
        if projected is not None:
            kept[key] = projected
    return kept


def _project_attribute(name: str, value: Any, wanted: set[Any], unwanted: set[Any]) -> Any:
    """The attribute's value as selected, or None to leave it out."""
    if (name, None) in unwanted:
        return None
    excluded_subs = {sub for attribute, sub in unwanted if attribute == name and sub}
    if wanted and (name, None) not in wanted:
        included_subs = {sub for attribute, sub in wanted if attribute == name and sub}
        if not included_subs:
            return None
        return _select_subs(value, lambda sub: sub in included_subs and sub not in excluded_subs)
    if excluded_subs:
        return _select_subs(value, lambda sub: sub not in excluded_subs)
    return value


def _select_subs(value: Any, keep: Any) -> Any:
    if isinstance(value, list):
        items = [_select_subs(item, keep) for item in value]
        return [item for item in items if item] or None
    if isinstance(value, dict):
        return {key: sub for key, sub in value.items() if keep(key.lower())} or None
    return value
