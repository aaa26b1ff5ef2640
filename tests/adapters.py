"""Adapters used by tests to switch one adapter behaviour on."""

from __future__ import annotations

from scim_provisioning.adapters import DefaultUserAdapter


class TenantOnlyAdapter(DefaultUserAdapter):
    """The stock mapping, for a host whose users only exist inside a tenant."""

    requires_tenant = True


class InstanceReadsDefaultAdapter(DefaultUserAdapter):
    """The stock mapping, reading model instances with ``read()`` (no ``get_read_fields``)."""

    def get_read_fields(self) -> None:
        return None
