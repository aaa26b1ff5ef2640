"""Admin of the host's accounts: ``UserAdmin`` adapted to email login, organizations with members."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from .models import Membership, Organization, Subscription, User


class UserCreationForm(AdminUserCreationForm):
    """The stock admin add form, keyed by email instead of username."""

    class Meta(AdminUserCreationForm.Meta):
        model = User
        fields = ("email",)
        field_classes = {}


class UserEditForm(UserChangeForm):
    """The stock admin change form for the email-login User."""

    class Meta(UserChangeForm.Meta):
        model = User
        fields = "__all__"
        field_classes = {}


class MembershipInline(admin.TabularInline):
    """Members of an organization, as SCIM provisions them (privilege, suspension)."""

    model = Membership
    extra = 0
    fields = ("user", "privilege", "is_suspended", "is_admin", "created_at")
    readonly_fields = ("created_at",)
    raw_id_fields = ("user",)


class UserMembershipInline(MembershipInline):
    """The organizations a user belongs to."""

    fields = ("organization", "privilege", "is_suspended", "is_admin", "created_at")
    raw_id_fields = ("organization",)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    """Django's ``UserAdmin`` with ``email`` where it has ``username``."""

    form = UserEditForm
    add_form = UserCreationForm
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Profile"), {"fields": ("first_name", "last_name", "language", "timezone", "phone", "location")}),
        (
            _("Permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "usable_password", "password1", "password2"),
            },
        ),
    )
    list_display = ("email", "first_name", "last_name", "is_staff", "is_active")
    search_fields = ("email", "first_name", "last_name")
    ordering = ("email",)
    inlines = [UserMembershipInline]


class SubscriptionInline(admin.StackedInline):
    """The organization's plan and seats, edited with the organization."""

    model = Subscription
    can_delete = False
    extra = 0


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    """Organizations (the SCIM tenants) with their members."""

    list_display = ("name", "slug")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    inlines = [SubscriptionInline, MembershipInline]


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    """Plans and seat counts, with the seats in use beside them."""

    list_display = ("organization", "plan", "seats", "seats_used")
    list_select_related = ("organization",)
    search_fields = ("organization__name", "organization__slug", "plan")
    raw_id_fields = ("organization",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Subscription]:
        """Count used seats in the list query rather than once per row."""
        member = Q(organization__memberships__privilege=Membership.Privilege.MEMBER)
        return super().get_queryset(request).annotate(_seats_used=Count("organization__memberships", filter=member))

    @admin.display(description=_("seats used"), ordering="_seats_used")
    def seats_used(self, obj: Subscription) -> int:
        return obj._seats_used  # type: ignore[attr-defined]
