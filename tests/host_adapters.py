"""Adapters of the example host used by tests (importable only under ``tests.settings_host``)."""

from __future__ import annotations

from accounts.scim import MemberAdapter


class InstanceReadsMemberAdapter(MemberAdapter):
    """The example's mapping, reading model instances with ``read()`` (no ``get_read_fields``)."""

    def get_read_fields(self) -> None:  # type: ignore[override]
        return None
