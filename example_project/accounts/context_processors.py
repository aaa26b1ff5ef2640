"""Template context of every page: the organizations the user administers, for the navigation."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from .models import Membership, Organization


def administered_organizations(request: HttpRequest) -> dict[str, Any]:
    """Lazily, the organizations whose Administration menu the user may open."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"administered_organizations": []}
    return {
        "administered_organizations": Organization.objects.filter(
            memberships__in=Membership.objects.administered_by(user)
        )
    }
