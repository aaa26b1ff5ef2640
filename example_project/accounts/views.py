"""Pages of the example product itself: the home page and Administration → Users.

Administration → Users → Provisioning is ``scim_provisioning``'s page, mounted
in ``example/urls.py``; these views only surround it with a product.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .models import Membership
from .scim import OrganizationAdminAccess


def home(request: HttpRequest) -> HttpResponse:
    """What this site is, and where an organization admin goes next."""
    return render(request, "accounts/home.html", {"scim_base_url": settings.SCIM_PROVISIONING["BASE_URL"]})


@login_required
def members(request: HttpRequest, organization: str) -> HttpResponse:
    """Administration → Users: the organization's members, as its IdP provisioned them."""
    # The same rule as the provisioning page below it: the organization's admins only.
    administered = OrganizationAdminAccess().get_tenant(request, organization=organization)
    memberships = Membership.objects.filter(organization=administered).select_related("user").order_by("user__email")
    return render(request, "accounts/members.html", {"organization": administered, "memberships": memberships})
