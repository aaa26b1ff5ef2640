"""Where the SCIM service lives, for ``meta.location`` and for admins pasting it into an IdP."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from .conf import scim_settings


def scim_base_url(request: Any = None) -> str:
    """``BASE_URL`` when configured; else the mount point on the request's (ALLOWED_HOSTS-checked) host."""
    if scim_settings.BASE_URL:
        return str(scim_settings.BASE_URL).rstrip("/")
    root = reverse("scim_provisioning:users").rsplit("/", 1)[0]
    return request.build_absolute_uri(root).rstrip("/") if request is not None else root
