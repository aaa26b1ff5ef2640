"""Settings for scim_provisioning, read through one object: ``scim_settings``.

Example::

    SCIM_PROVISIONING = {
        "USER_ADAPTER": "accounts.scim.MemberAdapter",
        "LICENSE_POLICY": "accounts.scim.SeatPolicy",
        "BASE_URL": "https://app.example.com/api/scim/2.0",
        "TENANT_LOOKUP_FIELD": "slug",
        "THROTTLE_RATE": "3000/min",
        "THROTTLE_CACHE": "scim-throttle",   # a cache the web workers share, e.g. Redis
    }
    SCIM_PROVISIONING_TENANT_MODEL = "accounts.Organization"  # optional, swappable

Every key has a default (``DEFAULTS``), so an empty or missing dict works.
Keys in ``IMPORT_STRINGS`` are dotted paths resolved on first use. Values are
cached until Django sends ``setting_changed`` for one of our settings, which
calls ``reload()`` on the same instance so every importer sees the change.
We write our own class because DRF's ``APISettings`` says it is not meant for
third-party apps.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.module_loading import import_string

SETTINGS_NAME = "SCIM_PROVISIONING"
TENANT_MODEL_SETTING = "SCIM_PROVISIONING_TENANT_MODEL"
DEFAULT_TENANT_MODEL = "scim_provisioning.Tenant"

DEFAULTS: dict[str, Any] = {
    # Maps SCIM attributes onto the host's User (and membership) models.
    "USER_ADAPTER": "scim_provisioning.adapters.DefaultUserAdapter",
    # Decides whether a tenant has a free seat when a user is created.
    "LICENSE_POLICY": "scim_provisioning.licensing.UnlimitedSeats",
    # Absolute URL of the SCIM root; meta.location is built from it. None:
    # built from the request, whose Host Django checks against ALLOWED_HOSTS.
    "BASE_URL": None,
    # Readable prefix of every generated key, so leaked keys are recognisable.
    "KEY_PREFIX": "scim_",
    # Field of the tenant model that `createscimkey --tenant` may name.
    "TENANT_LOOKUP_FIELD": None,
    # ListResponse page size when `count` is absent, and its upper bound.
    "PAGE_SIZE": 100,
    "MAX_PAGE_SIZE": 1000,
    # Largest accepted request body in bytes; larger ones get 413.
    "MAX_BODY_SIZE": 1024 * 1024,
    # A key's last_used_at is written at most once per this many seconds.
    "LAST_USED_INTERVAL": 60,
    # URN of the product's extension schema, which holds `privilege`.
    "EXTENSION_SCHEMA": "urn:ietf:params:scim:schemas:extension:scim_provisioning:2.0:User",
    # ModelAdmin class registered for provisioning keys.
    "KEY_ADMIN_CLASS": "scim_provisioning.admin.ProvisioningKeyAdmin",
    # Days provisioning events are kept; `prunescimevents` deletes older ones. None keeps them forever.
    "EVENT_RETENTION_DAYS": 90,
    # Who may use the provisioning page, and for which tenant (see access.py).
    "PAGE_ACCESS": "scim_provisioning.access.StaffAccess",
    # Events per page of the provisioning page's activity list.
    "PAGE_EVENTS_PER_PAGE": 25,
    # Requests per provisioning key ("N/s", "N/min", "N/hour", "N/day"); past it, 429 with
    # Retry-After. None turns throttling off. Microsoft Entra ID asks SCIM endpoints to take
    # at least 25 requests per second per tenant (1500/min); 3000/min is twice that, averaged
    # over a minute so an IdP's bursts pass, and still stops a runaway client within a minute.
    "THROTTLE_RATE": "3000/min",
    # Alias in CACHES of the cache holding the throttle's counts; share it between workers.
    "THROTTLE_CACHE": "default",
}

IMPORT_STRINGS = frozenset({"USER_ADAPTER", "LICENSE_POLICY", "KEY_ADMIN_CLASS", "PAGE_ACCESS"})


class ScimSettings:
    """Lazy, cached view of ``settings.SCIM_PROVISIONING`` merged over ``DEFAULTS``."""

    def __init__(self) -> None:
        self._cached: set[str] = set()

    @property
    def user_settings(self) -> dict[str, Any]:
        """The host's dict as written, or an empty one."""
        return getattr(settings, SETTINGS_NAME, None) or {}

    @property
    def TENANT_MODEL(self) -> str:  # noqa: N802 - mirrors the setting's name
        """App label of the tenant model (swappable like AUTH_USER_MODEL)."""
        return getattr(settings, TENANT_MODEL_SETTING, None) or DEFAULT_TENANT_MODEL

    def __getattr__(self, name: str) -> Any:
        if name not in DEFAULTS:
            raise AttributeError(f"Invalid SCIM_PROVISIONING setting: '{name}'")
        value = self.user_settings.get(name, DEFAULTS[name])
        if name in IMPORT_STRINGS and isinstance(value, str):
            value = _import_from_string(value, name)
        self._cached.add(name)
        setattr(self, name, value)
        return value

    def reload(self) -> None:
        """Forget cached values; the next access reads settings again."""
        for name in self._cached:
            delattr(self, name)
        self._cached.clear()


def _import_from_string(value: str, setting_name: str) -> Any:
    try:
        return import_string(value)
    except Exception as exc:  # a module may fail with anything, e.g. RuntimeError for a model outside INSTALLED_APPS
        raise ImportError(
            f"Could not import '{value}' for SCIM_PROVISIONING setting "
            f"'{setting_name}'. {exc.__class__.__name__}: {exc}."
        ) from exc


scim_settings = ScimSettings()


@receiver(setting_changed)
def _reload_scim_settings(*, setting: str, **kwargs: Any) -> None:
    if setting in (SETTINGS_NAME, TENANT_MODEL_SETTING):
        scim_settings.reload()
