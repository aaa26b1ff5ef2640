"""Only requests authenticated by an active provisioning key reach the SCIM views."""

from __future__ import annotations

from typing import Any

from rest_framework.permissions import BasePermission

from .models import ProvisioningKey


class HasProvisioningKey(BasePermission):
    """Grant access when ``request.auth`` is a provisioning key (set by our authentication)."""

    def has_permission(self, request: Any, view: Any) -> bool:
        return isinstance(request.auth, ProvisioningKey)
