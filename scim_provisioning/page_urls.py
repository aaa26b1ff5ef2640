"""Routes of the provisioning page, for the host to mount in its own product.

For example, a single-tenant site::

    path("administration/users/provisioning/", include("scim_provisioning.page_urls"))

or, with the tenant in the URL for ``PAGE_ACCESS`` to check::

    path("orgs/<slug:organization>/administration/users/provisioning/", include("scim_provisioning.page_urls"))

Keyword arguments captured by the host's prefix reach ``PAGE_ACCESS.get_tenant()``.
"""

from __future__ import annotations

from django.urls import path

from . import pages

app_name = "scim_provisioning_page"

urlpatterns = [
    path("", pages.ProvisioningPageView.as_view(), name="page"),
    path("keys/<int:key_id>/rotate/", pages.RotateKeyView.as_view(), name="rotate-key"),
    path("keys/<int:key_id>/revoke/", pages.RevokeKeyView.as_view(), name="revoke-key"),
]
