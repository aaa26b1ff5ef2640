"""Who may use the provisioning page, and for which tenant: the host's decision.

The page calls ``get_page_access().get_tenant(request, **url_kwargs)`` on
every request, after making sure the user is logged in. The hook returns the
tenant whose keys and activity the page shows (``None`` on a single-tenant
site), or raises ``PermissionDenied`` (403) or ``Http404``. A multi-tenant
host should raise ``Http404`` for tenants the user does not administer, so a
foreign tenant looks exactly like a missing one. Name your own class in
``SCIM_PROVISIONING["PAGE_ACCESS"]``; ``accounts.scim.OrganizationAdminAccess``
in the example product is a worked example.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db.models import Model
from django.http import Http404, HttpRequest

from .conf import scim_settings
from .models import get_tenant_model

#: URL keyword argument the default hook reads the tenant from, when the host's URL has one.
TENANT_URL_KWARG = "tenant"


class BasePageAccess(ABC):
    """Contract of the provisioning page's permission hook."""

    @abstractmethod
    def get_tenant(self, request: HttpRequest, **url_kwargs: Any) -> Model | None:
        """The tenant ``request.user`` may manage through this URL; raise if none.

        ``url_kwargs`` are the keyword arguments captured by the host's URL
        pattern, e.g. an organization's slug. ``request.user`` is authenticated.
        """


class StaffAccess(BasePageAccess):
    """Default: active staff users only, like the Django admin.

    On a single-tenant site the page shows the tenant-less keys. If the host's
    URL captures ``tenant``, staff manage the tenant it names, found through
    ``TENANT_LOOKUP_FIELD`` (default: the primary key).
    """

    def get_tenant(self, request: HttpRequest, **url_kwargs: Any) -> Model | None:
        user: Any = request.user
        if not (user.is_active and user.is_staff):
            raise PermissionDenied
        if TENANT_URL_KWARG not in url_kwargs:
            return None
        lookup = scim_settings.TENANT_LOOKUP_FIELD or "pk"
        tenant_model = get_tenant_model()
        try:
            return tenant_model._default_manager.get(**{lookup: url_kwargs[TENANT_URL_KWARG]})
        except (ObjectDoesNotExist, ValueError) as exc:
            raise Http404 from exc


def get_page_access() -> BasePageAccess:
    """Instantiate the configured ``PAGE_ACCESS`` hook."""
    access_class: type[BasePageAccess] = scim_settings.PAGE_ACCESS
    return access_class()
