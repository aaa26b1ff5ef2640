"""URLs of the example host: its admin, the SCIM API, and a home page."""

from __future__ import annotations

from django.conf import settings
from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.urls import include, path, reverse
from django.utils.html import format_html


def home(request: HttpRequest) -> HttpResponse:
    """Say what this site is, so a first visit after the quick start is not a 404."""
    return HttpResponse(
        format_html(
            "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
            "<title>scim_provisioning example</title></head><body>"
            "<h1>scim_provisioning example project</h1>"
            "<p>A small SaaS host whose organizations are provisioned by identity providers over SCIM 2.0.</p>"
            "<p>SCIM base URL: <code>{}</code> (send <code>Authorization: Bearer &lt;key&gt;</code>).</p>"
            "<p><a href='{}'>Django admin</a>: users, organizations, subscriptions and provisioning keys.</p>"
            "</body></html>",
            settings.SCIM_PROVISIONING["BASE_URL"],
            reverse("admin:index"),
        )
    )


urlpatterns = [
    path("", home, name="home"),
    path("admin/", admin.site.urls),
    path("api/scim/2.0/", include("scim_provisioning.urls")),
]
