"""SCIM routes. Mount them where the IdP should find them, e.g. ``path("api/scim/2.0/", include(...))``.

Resource names are matched in either case (Entra ID has been seen sending
``/users``) and with or without a trailing slash.
"""

from __future__ import annotations

from django.urls import re_path

from . import views

app_name = "scim_provisioning"

users = views.UserViewSet.as_view({"get": "list", "post": "create"})
search = views.UserViewSet.as_view({"post": "search"})
user = views.UserViewSet.as_view({"get": "retrieve", "put": "update", "patch": "partial_update", "delete": "destroy"})

urlpatterns = [
    re_path(r"^[Uu]sers/?$", users, name="users"),
    re_path(r"^[Uu]sers/\.search/?$", search, name="users-search"),
    # Users are the only resource type, so a search at the root is a Users search.
    re_path(r"^\.search/?$", search, name="search"),
    re_path(
        r"^[Ss]erviceProviderConfigs?/?$", views.ServiceProviderConfigView.as_view(), name="service-provider-config"
    ),
    re_path(r"^[Rr]esourceTypes/?$", views.ResourceTypesView.as_view(), name="resource-types"),
    re_path(r"^[Rr]esourceTypes/(?P<resource_type>[^/]+)/?$", views.ResourceTypesView.as_view(), name="resource-type"),
    re_path(r"^[Ss]chemas/?$", views.SchemasView.as_view(), name="schemas"),
    re_path(r"^[Ss]chemas/(?P<schema_id>[^/]+)/?$", views.SchemasView.as_view(), name="schema"),
    re_path(r"^[Uu]sers/(?P<pk>[^/]+)/?$", user, name="user"),
    # [\s\S], not ".", which misses a newline: an encoded one (%0A) would reach Django's HTML 404.
    re_path(r"^[Gg]roups(?:/[\s\S]*)?$", views.NotOfferedView.as_view(resource="Groups"), name="groups"),
    re_path(r"^[Bb]ulk/?$", views.NotOfferedView.as_view(resource="Bulk"), name="bulk"),
    re_path(r"^[Mm]e/?$", views.NotOfferedView.as_view(resource="/Me"), name="me"),
    # Anything else below the mount point is a SCIM 404, never Django's HTML page.
    re_path(r"^[\s\S]*$", views.NotFoundView.as_view(), name="not-found"),
]
