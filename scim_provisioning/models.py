"""Models: provisioning keys, the per-tenant SCIM link to host users, the activity log, a default tenant.

The host's User model is never replaced: ``ProvisionedUser`` holds only what
SCIM needs and the host lacks (the opaque SCIM id, userName as the IdP sent it,
externalId, the tenant, timestamps), one row per
(tenant, user).
"""

from __future__ import annotations

import uuid
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import keys
from .conf import TENANT_MODEL_SETTING, scim_settings


class AbstractTenant(models.Model):
    """Minimal tenant: a host may swap in its own organization or subscription model."""

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name


class Tenant(AbstractTenant):
    """Default tenant model, swapped out by ``SCIM_PROVISIONING_TENANT_MODEL``."""

    class Meta(AbstractTenant.Meta):
        swappable = TENANT_MODEL_SETTING
        verbose_name = _("tenant")
        verbose_name_plural = _("tenants")


def get_tenant_model() -> type[models.Model]:
    """The model named by ``SCIM_PROVISIONING_TENANT_MODEL`` (default: ``Tenant``)."""
    label = scim_settings.TENANT_MODEL
    try:
        return apps.get_model(label, require_ready=False)
    except ValueError as exc:
        raise ImproperlyConfigured(
            f"{TENANT_MODEL_SETTING} must be of the form 'app_label.ModelName', not {label!r}."
        ) from exc
    except LookupError as exc:
        raise ImproperlyConfigured(
            f"{TENANT_MODEL_SETTING} refers to model {label!r} that has not been installed."
        ) from exc


def tenant_field(related_name: str, db_index: bool = True) -> models.ForeignKey[Any, Any]:
    """The nullable link to the swappable tenant model (no tenant: a single-tenant site)."""
    return models.ForeignKey(
        scim_settings.TENANT_MODEL,
        verbose_name=_("tenant"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name=related_name,
        db_index=db_index,
    )


class ProvisioningKeyQuerySet(models.QuerySet["ProvisioningKey"]):
    def active(self) -> ProvisioningKeyQuerySet:
        return self.filter(revoked_at__isnull=True)

    def for_tenant(self, tenant: Any) -> ProvisioningKeyQuerySet:
        return self.filter(tenant=tenant) if tenant is not None else self.filter(tenant__isnull=True)

    def by_raw_key(self, raw_key: str) -> ProvisioningKeyQuerySet:
        """Look a key up by the digest of its raw value (an indexed equality)."""
        return self.filter(key_digest=keys.hash_key(raw_key))


class ProvisioningKeyManager(models.Manager.from_queryset(ProvisioningKeyQuerySet)):  # type: ignore[misc]
    def create_key(
        self,
        *,
        name: str,
        tenant: models.Model | None = None,
        created_by: Any = None,
    ) -> tuple[ProvisioningKey, str]:
        """Create a key and return ``(instance, raw_key)``; the raw key is never stored."""
        instance = self.model(name=name, tenant=tenant, created_by=created_by)
        raw_key = instance.set_new_key()
        instance.save(force_insert=True, using=self.db)
        return instance, raw_key


class ProvisioningKey(models.Model):
    """A bearer key an identity provider uses to provision one tenant's users."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("active")
        REVOKED = "revoked", _("revoked")

    name = models.CharField(_("name"), max_length=100, help_text=_("Where the key is used, e.g. 'Okta'."))
    key_prefix = models.CharField(_("key prefix"), max_length=32, db_index=True, editable=False)
    key_digest = models.CharField(_("key digest"), max_length=64, unique=True, editable=False)
    tenant = tenant_field(related_name="scim_provisioning_keys")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True, editable=False)

    objects = ProvisioningKeyManager()

    class Meta:
        verbose_name = _("provisioning key")
        verbose_name_plural = _("provisioning keys")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.key_prefix}…)"

    @property
    def status(self) -> str:
        return self.Status.REVOKED if self.revoked_at else self.Status.ACTIVE

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    def set_new_key(self) -> str:
        """Give this (unsaved) instance a fresh key and return the raw value, which is not kept."""
        prefix = scim_settings.KEY_PREFIX
        raw_key = keys.generate_key(prefix)
        self.key_prefix = keys.display_prefix(raw_key, prefix)
        self.key_digest = keys.hash_key(raw_key)
        return raw_key

    def revoke(self) -> None:
        """Revoke the key; the next request made with it is answered 401."""
        if self.revoked_at is None:
            self.revoked_at = timezone.now()
            self.save(update_fields=["revoked_at"])


class ProvisionedUser(models.Model):
    """Links one host user to one tenant and carries the SCIM-only attributes."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # No index of its own: every index below starts with the tenant.
    tenant = tenant_field(related_name="scim_provisioned_users", db_index=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="scim_links",
    )
    user_name = models.CharField(_("SCIM userName"), max_length=254)
    external_id = models.CharField(_("SCIM externalId"), max_length=254, blank=True, default="")
    # The host keeps one email; whether the IdP marked it primary is SCIM-only.
    email_primary = models.BooleanField(_("email marked primary"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("last modified"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("provisioned user")
        verbose_name_plural = _("provisioned users")
        # userName is caseExact=false (RFC 7643 §4.1.1): unique per tenant ignoring
        # case. NULL tenants never collide in SQL, hence a second partial constraint.
        # The functional indexes also serve the IdPs' `userName eq` lookups. The
        # first is not partial: PostgreSQL keeps statistics of LOWER(user_name)
        # only from a non-partial index, and without them it estimates a lookup
        # matches 0.5% of the table and walks the listing index instead.
        constraints = [
            models.UniqueConstraint(
                models.F("tenant"),
                Lower("user_name"),
                name="scim_user_name_unique_per_tenant",
            ),
            models.UniqueConstraint(
                Lower("user_name"),
                condition=models.Q(tenant__isnull=True),
                name="scim_user_name_unique_no_tenant",
            ),
            models.UniqueConstraint(
                fields=["tenant", "user"],
                condition=models.Q(tenant__isnull=False),
                name="scim_user_once_per_tenant",
            ),
            models.UniqueConstraint(
                fields=["user"],
                condition=models.Q(tenant__isnull=True),
                name="scim_user_once_no_tenant",
            ),
        ]
        indexes = [
            models.Index(fields=["tenant", "external_id"], name="scim_user_external_id"),
            # Lists are ordered by creation, then id: a stable order for paging.
            models.Index(fields=["tenant", "created_at", "id"], name="scim_user_listing"),
        ]

    def __str__(self) -> str:
        return self.user_name


class ProvisioningEventQuerySet(models.QuerySet["ProvisioningEvent"]):
    def for_tenant(self, tenant: Any) -> ProvisioningEventQuerySet:
        return self.filter(tenant=tenant) if tenant is not None else self.filter(tenant__isnull=True)

    def failed(self) -> ProvisioningEventQuerySet:
        return self.filter(outcome=ProvisioningEvent.Outcome.FAILED)


class ProvisioningEvent(models.Model):
    """One SCIM write, or one failed SCIM request, as an admin needs to see it.

    Holds what explains the IdP's behaviour and nothing secret: never a key
    (only the display prefix), a password or a request body. Rows older than
    ``EVENT_RETENTION_DAYS`` are removed by ``manage.py prunescimevents``.
    """

    class Outcome(models.TextChoices):
        PROVISIONED = "provisioned", _("provisioned")
        UPDATED = "updated", _("updated")
        SUSPENDED = "suspended", _("suspended")
        REACTIVATED = "reactivated", _("reactivated")
        DEPROVISIONED = "deprovisioned", _("deprovisioned")
        FAILED = "failed", _("failed")

    created_at = models.DateTimeField(_("time"), default=timezone.now, editable=False)
    # Null for requests whose key was missing or unknown: only staff see those.
    tenant = tenant_field(related_name="scim_provisioning_events")
    key_prefix = models.CharField(_("key prefix"), max_length=32, blank=True)
    method = models.CharField(_("method"), max_length=10)
    path = models.CharField(_("path"), max_length=255)
    resource_id = models.CharField(_("resource id"), max_length=64, blank=True)
    user_name = models.CharField(_("userName"), max_length=254, blank=True)
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices)
    status_code = models.PositiveSmallIntegerField(_("HTTP status"))
    scim_type = models.CharField(_("scimType"), max_length=32, blank=True)
    detail = models.CharField(_("detail"), max_length=255, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=255, blank=True)

    objects = ProvisioningEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("provisioning event")
        verbose_name_plural = _("provisioning events")
        ordering = ["-created_at", "-id"]
        indexes = [
            # The page lists one tenant's events newest first, optionally by outcome;
            # pruning deletes by age across tenants.
            models.Index(fields=["tenant", "-created_at"], name="scim_event_tenant_recent"),
            models.Index(fields=["tenant", "outcome", "-created_at"], name="scim_event_tenant_outcome"),
            models.Index(fields=["created_at"], name="scim_event_created_at"),
        ]

    def __str__(self) -> str:
        return f"{self.get_outcome_display()} {self.method} {self.path} ({self.status_code})"

    @property
    def succeeded(self) -> bool:
        return self.outcome != self.Outcome.FAILED
