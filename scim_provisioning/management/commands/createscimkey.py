"""``manage.py createscimkey``: create a provisioning key and print the raw key alone on stdout.

Only the key goes to stdout, so scripts can capture it:
``KEY=$(python manage.py createscimkey --tenant demo --name Okta)``.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from ...conf import scim_settings
from ...models import ProvisioningKey, get_tenant_model


class Command(BaseCommand):
    help = "Create a SCIM provisioning key and print it once on standard output."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--tenant",
            help="The tenant: its primary key, or the value of SCIM_PROVISIONING['TENANT_LOOKUP_FIELD']. "
            "Omit it on a single-tenant site.",
        )
        parser.add_argument("--name", default="Provisioning key", help="Where the key is used, e.g. 'Okta'.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["tenant"] is None and scim_settings.USER_ADAPTER.requires_tenant:
            raise CommandError("--tenant is required: the configured USER_ADAPTER provisions users inside a tenant.")
        tenant = self._find_tenant(options["tenant"]) if options["tenant"] is not None else None
        _, raw_key = ProvisioningKey.objects.create_key(name=options["name"], tenant=tenant)
        self.stdout.write(raw_key)

    @staticmethod
    def _find_tenant(value: str) -> Any:
        model = get_tenant_model()
        manager = model._default_manager
        lookup = scim_settings.TENANT_LOOKUP_FIELD
        if lookup:
            tenant = manager.filter(**{lookup: value}).first()
            if tenant is not None:
                return tenant
        try:
            return manager.get(pk=value)
        except (ObjectDoesNotExist, ValueError, TypeError, ValidationError):
            by = f"primary key or {lookup}" if lookup else "primary key"
            raise CommandError(f"No {model._meta.verbose_name} with {by} {value!r}.") from None
