"""URLs of the example host: its pages, login, the Django admin, the SCIM API and the provisioning page."""

from __future__ import annotations

from accounts import views
from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
    path("api/scim/2.0/", include("scim_provisioning.urls")),
    # Administration → Users → Provisioning, for each organization's admins
    # (accounts.scim.OrganizationAdminAccess checks who may open it).
    path("orgs/<slug:organization>/administration/users/", views.members, name="members"),
    path(
        "orgs/<slug:organization>/administration/users/provisioning/",
        include("scim_provisioning.page_urls", namespace="provisioning"),
    ),
]
