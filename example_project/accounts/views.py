"""Pages of the example product itself: the home page and Administration → Users.

Administration → Users → Provisioning is ``scim_provisioning``'s page, mounted
in ``example/urls.py``; these views only surround it with a product.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from .models import Membership, Organization


def home(request: HttpRequest) -> HttpResponse:
    """What this site is, and where an organization admin goes next."""
    return render(request, "accounts/home.html", {"scim_base_url": settings.SCIM_PROVISIONING["BASE_URL"]})


@login_required
def members(request: HttpRequest, organization: str) -> HttpResponse:
    """Administration → Users: the organization's members, as its IdP provisioned them."""
    admin_of = _administered(request, organization)
    memberships = Membership.objects.filter(organization=admin_of).select_related("user").order_by("user__email")
    return render(request, "accounts/members.html", {"organization": admin_of, "memberships": memberships})


def _administered(request: HttpRequest, slug: str) -> Organization:
    """The organization with ``slug`` if the user administers it; a 404 otherwise."""
    membership: Any = (
        Membership.objects.select_related("organization")
        .filter(user_id=request.user.pk, organization__slug=slug, is_admin=True, is_suspended=False)
        .first()
    )
    if membership is None:
        raise Http404
    return membership.organization  # type: ignore[no-any-return]
