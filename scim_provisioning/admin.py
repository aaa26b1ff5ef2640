"""Django admin for staff: create, rotate and revoke keys (a raw key is shown once); browse links and events."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .conf import scim_settings
from .locations import scim_base_url
from .models import ProvisionedUser, ProvisioningEvent, ProvisioningKey

# The keys created by this request, with their raw values, from save_model to
# response_add. An attribute of the request, so the raw key lives only as long
# as the request: never in the session, a messages cookie or a redirect.
_NEW_KEYS_ATTRIBUTE = "_scim_new_keys"


class KeyStatusFilter(admin.SimpleListFilter):
    title = _("status")
    parameter_name = "status"

    def lookups(self, request: HttpRequest, model_admin: Any) -> Any:
        return ProvisioningKey.Status.choices

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() == ProvisioningKey.Status.ACTIVE:
            return queryset.filter(revoked_at__isnull=True)
        if self.value() == ProvisioningKey.Status.REVOKED:
            return queryset.filter(revoked_at__isnull=False)
        return queryset


class ProvisioningKeyAdmin(admin.ModelAdmin):
    """Keys are generated on save; the raw key appears once, on a page that is never cached."""

    key_created_template = "admin/scim_provisioning/provisioningkey/key_created.html"

    list_display = ["name", "key_prefix", "tenant", "created_by", "created_at", "last_used_at", "status_label"]
    list_filter = [KeyStatusFilter]
    list_select_related = ["tenant", "created_by"]
    search_fields = ["name", "key_prefix"]
    raw_id_fields = ["tenant"]
    readonly_fields = ["key_prefix", "created_by", "created_at", "last_used_at", "revoked_at"]
    actions = ["rotate_keys", "revoke_keys"]

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return ["name", "tenant"] if obj is None else ["name", "tenant", *self.readonly_fields]

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        form = super().get_form(request, obj, change=change, **kwargs)
        if obj is None and scim_settings.USER_ADAPTER.requires_tenant:
            form.base_fields["tenant"].required = True
        return form

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return [] if obj is None else [*self.readonly_fields, "tenant"]

    @admin.display(description=_("status"))
    def status_label(self, obj: ProvisioningKey) -> str:
        return str(ProvisioningKey.Status(obj.status).label)

    def save_model(self, request: HttpRequest, obj: ProvisioningKey, form: Any, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        obj.created_by = request.user  # type: ignore[assignment]  # admin requests are authenticated
        raw_key = obj.set_new_key()
        super().save_model(request, obj, form, change)
        setattr(request, _NEW_KEYS_ATTRIBUTE, [(obj, raw_key)])

    def response_add(self, request: HttpRequest, obj: ProvisioningKey, post_url_continue: str | None = None) -> Any:
        """Show the new key once, instead of redirecting with a message that would carry it."""
        new_keys = getattr(request, _NEW_KEYS_ATTRIBUTE, None)
        if not new_keys:
            return super().response_add(request, obj, post_url_continue)
        return self.key_created_response(request, new_keys)

    def key_created_response(
        self, request: HttpRequest, new_keys: list[tuple[ProvisioningKey, str]], rotated: bool = False
    ) -> HttpResponse:
        """The page that shows raw keys, with the SCIM URL; ``no-store`` so no cache keeps it."""
        opts = self.model._meta
        context = {
            **self.admin_site.each_context(request),
            "title": ngettext("Copy the new provisioning key", "Copy the new provisioning keys", len(new_keys)),
            "opts": opts,
            "new_keys": new_keys,
            "rotated": rotated,
            "scim_url": scim_base_url(request),
            "changelist_url": reverse(
                f"admin:{opts.app_label}_{opts.model_name}_changelist", current_app=self.admin_site.name
            ),
        }
        response = TemplateResponse(request, self.key_created_template, context)
        add_never_cache_headers(response)
        return response

    @admin.action(description=_("Rotate selected keys"), permissions=["add"])
    def rotate_keys(self, request: HttpRequest, queryset: QuerySet[ProvisioningKey]) -> HttpResponse | None:
        """Give each selected active key a successor with the same name and tenant; the old key keeps working.

        Paste the new key into the IdP, check that it provisions, then revoke the old one: no downtime.
        """
        selected = list(queryset.select_related("tenant").order_by("created_at", "pk"))
        active = [key for key in selected if key.is_active]
        skipped = len(selected) - len(active)
        if skipped:
            self.message_user(
                request,
                ngettext(
                    "%d revoked key was skipped: only active keys are rotated.",
                    "%d revoked keys were skipped: only active keys are rotated.",
                    skipped,
                )
                % skipped,
                level=messages.WARNING,
            )
        if not active:
            return None
        with transaction.atomic():
            new_keys = [
                ProvisioningKey.objects.create_key(name=key.name, tenant=key.tenant, created_by=request.user)
                for key in active
            ]
        return self.key_created_response(request, new_keys, rotated=True)

    @admin.action(description=_("Revoke selected keys"))
    def revoke_keys(self, request: HttpRequest, queryset: QuerySet[ProvisioningKey]) -> None:
        count = queryset.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
        self.message_user(request, ngettext("%d key revoked.", "%d keys revoked.", count) % count)


@admin.register(ProvisionedUser)
class ProvisionedUserAdmin(admin.ModelAdmin):
    """Read-only view of which host users each tenant's IdP manages."""

    list_display = ["user_name", "user", "tenant", "external_id", "created_at", "updated_at"]
    list_select_related = ["user", "tenant"]
    search_fields = ["user_name", "external_id"]
    readonly_fields = ["id", "tenant", "user", "user_name", "external_id", "created_at", "updated_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ProvisioningEvent)
class ProvisioningEventAdmin(admin.ModelAdmin):
    """The event log, read-only; events may be deleted, to erase a person's data on request."""

    list_display = [
        "created_at",
        "tenant",
        "outcome",
        "method",
        "path",
        "status_code",
        "scim_type",
        "user_name",
        "key_prefix",
        "user_agent",
    ]
    list_filter = ["outcome", "status_code"]
    date_hierarchy = "created_at"
    search_fields = ["user_name", "resource_id", "key_prefix", "detail"]
    list_select_related = ["tenant"]
    # The log grows with every IdP request: skip the second COUNT(*) of the whole table.
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


admin.site.register(ProvisioningKey, scim_settings.KEY_ADMIN_CLASS)
