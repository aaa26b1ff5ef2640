from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("scim/v2/", include("scim_provisioning.urls")),
    # The provisioning page, as a single-tenant site and as a multi-tenant one mounts it.
    path("provisioning/", include("scim_provisioning.page_urls")),
    path("tenants/<str:tenant>/provisioning/", include("scim_provisioning.page_urls", namespace="tenant_page")),
]
