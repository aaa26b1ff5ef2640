"""The provisioning page a host mounts in its product: one tenant's keys, seats and activity.

Plain Django views and templates, so there is no front-end build step and the
page works without JavaScript (only the copy buttons need it). The host
decides who may open it for which tenant through ``PAGE_ACCESS`` (access.py),
mounts ``scim_provisioning.page_urls`` wherever its navigation wants it, and
restyles it by overriding ``scim_provisioning/base.html``.

A raw key exists in exactly one response, the one that generated it: it is
rendered directly, never put in the session, the messages framework or a
redirect, and every page response carries ``Cache-Control: no-store``.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ImproperlyConfigured
from django.core.paginator import Paginator
from django.db.models import Model
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.generic import TemplateView, View

from .access import get_page_access
from .conf import scim_settings
from .forms import ActivityFilterForm, KeyForm
from .licensing import get_license_policy
from .locations import scim_base_url
from .models import ProvisioningEvent, ProvisioningKey, ProvisioningKeyQuerySet

KEY_URL_KWARG = "key_id"


class TenantPageMixin(View):
    """Logged-in users the access hook lets in; responses are never cached."""

    tenant: Model | None

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        page_kwargs = {name: value for name, value in kwargs.items() if name != KEY_URL_KWARG}
        self.tenant = get_page_access().get_tenant(request, **page_kwargs)
        if self.tenant is None and scim_settings.USER_ADAPTER.requires_tenant:
            raise ImproperlyConfigured(
                "SCIM_PROVISIONING['PAGE_ACCESS'] returned no tenant, but the USER_ADAPTER requires one: "
                "mount the page under a URL that names the tenant and return it from get_tenant()."
            )
        response = super().dispatch(request, *args, **kwargs)
        add_never_cache_headers(response)
        return response

    def keys(self) -> ProvisioningKeyQuerySet:
        """This tenant's keys, and nothing else: the page's isolation boundary."""
        keys: ProvisioningKeyQuerySet = ProvisioningKey.objects.for_tenant(self.tenant)
        return keys

    def page_url(self, name: str = "page", **extra: Any) -> str:
        """A URL of this page under the same mount point and tenant as the current request."""
        match = self.request.resolver_match
        namespace = match.namespace if match else "scim_provisioning_page"
        kwargs = {name_: value for name_, value in self.kwargs.items() if name_ != KEY_URL_KWARG}
        return reverse(f"{namespace}:{name}", kwargs={**kwargs, **extra})

    def render_key_created(self, key: ProvisioningKey, raw_key: str, replaces: ProvisioningKey | None = None) -> Any:
        """The one response that shows a raw key."""
        context = {
            "tenant": self.tenant,
            "key": key,
            "raw_key": raw_key,
            "replaces": replaces,
            "revoke_replaced_url": self.page_url("revoke-key", key_id=replaces.pk) if replaces else None,
            "scim_url": scim_base_url(self.request),
            "page_url": self.page_url(),
        }
        return TemplateResponse(self.request, "scim_provisioning/key_created.html", context)


class ProvisioningPageView(TenantPageMixin, TemplateView):
    """GET: the SCIM URL, keys, seats and activity. POST: generate a key named in the form."""

    template_name = "scim_provisioning/provisioning.html"

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = KeyForm(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form), status=400)
        key, raw_key = ProvisioningKey.objects.create_key(
            name=form.cleaned_data["name"], tenant=self.tenant, created_by=request.user
        )
        return self.render_key_created(key, raw_key)  # type: ignore[no-any-return]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        keys = list(self.keys().select_related("created_by").order_by("revoked_at", "-created_at"))
        for key in keys:
            key.rotate_url = self.page_url("rotate-key", key_id=key.pk)  # type: ignore[attr-defined]
            key.revoke_url = self.page_url("revoke-key", key_id=key.pk)  # type: ignore[attr-defined]
        activity_filter = ActivityFilterForm(self.request.GET)
        events = activity_filter.filter(ProvisioningEvent.objects.for_tenant(self.tenant))
        paginator = Paginator(events, scim_settings.PAGE_EVENTS_PER_PAGE)
        context.update(
            tenant=self.tenant,
            scim_url=scim_base_url(self.request),
            keys=keys,
            form=kwargs.get("form") or KeyForm(),
            seats=get_license_policy().seat_usage(self.tenant),
            activity_filter=activity_filter,
            events=paginator.get_page(self.request.GET.get("page")),
            page_url=self.page_url(),
        )
        return context


class RotateKeyView(TenantPageMixin):
    """POST: a new key with the old one's name; the old key works until it is revoked."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest, *args: Any, key_id: int, **kwargs: Any) -> HttpResponse:
        old_key = get_object_or_404(self.keys().active(), pk=key_id)
        key, raw_key = ProvisioningKey.objects.create_key(
            name=old_key.name, tenant=self.tenant, created_by=request.user
        )
        return self.render_key_created(key, raw_key, replaces=old_key)  # type: ignore[no-any-return]


class RevokeKeyView(TenantPageMixin, TemplateView):
    """GET: ask for confirmation. POST: revoke; the key's next SCIM request is answered 401."""

    template_name = "scim_provisioning/key_revoke.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(tenant=self.tenant, key=self.get_key(), page_url=self.page_url())
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        key = self.get_key()
        if key.is_active:
            key.revoke()
            messages.success(
                request,
                _("Key %(name)s (%(prefix)s…) revoked.") % {"name": key.name, "prefix": key.key_prefix},
                fail_silently=True,
            )
        return HttpResponseRedirect(self.page_url())

    def get_key(self) -> ProvisioningKey:
        return get_object_or_404(self.keys(), pk=self.kwargs[KEY_URL_KWARG])
