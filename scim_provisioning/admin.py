"""Django admin for staff: create keys (the raw key is shown once), list and revoke them; browse links."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .conf import scim_settings
from .locations import scim_base_url
from .models import ProvisionedUser, ProvisioningKey


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
    """Keys are generated on save; the raw key appears once, in a warning message."""

    list_display = ["name", "key_prefix", "tenant", "created_by", "created_at", "last_used_at", "status_label"]
    list_filter = [KeyStatusFilter]
    list_select_related = ["tenant", "created_by"]
    search_fields = ["name", "key_prefix"]
    raw_id_fields = ["tenant"]
    readonly_fields = ["key_prefix", "created_by", "created_at", "last_used_at", "revoked_at"]
    actions = ["revoke_keys"]

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
        # Shown once: the raw key is not stored and cannot be displayed again.
        self.message_user(
            request,
            _("Copy this key now, it will not be shown again. SCIM URL: %(url)s  Key: %(key)s")
            % {"url": scim_base_url(request), "key": raw_key},
            level=messages.WARNING,
        )

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


admin.site.register(ProvisioningKey, scim_settings.KEY_ADMIN_CLASS)
