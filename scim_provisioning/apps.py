"""App configuration: registers the system checks."""

from __future__ import annotations

from django.apps import AppConfig
from django.core import checks
from django.utils.translation import gettext_lazy as _


class ScimProvisioningConfig(AppConfig):
    name = "scim_provisioning"
    verbose_name = _("SCIM provisioning")
    # Fixed here so the host's DEFAULT_AUTO_FIELD never creates migrations in this app.
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import checks as scim_checks

        checks.register(scim_checks.check_settings)
