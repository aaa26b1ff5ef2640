from __future__ import annotations

import uuid

import django.db.models.deletion
import django.db.models.functions.text
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

from scim_provisioning.conf import scim_settings

# The tenant model is swappable like AUTH_USER_MODEL. Its label is read from
# the settings object (Django only writes settings.X itself for AUTH_USER_MODEL),
# and a host's own tenant model must exist before our foreign keys point to it.
TENANT_DEPENDENCIES = (
    []
    if scim_settings.TENANT_MODEL.lower() == "scim_provisioning.tenant"
    else [migrations.swappable_dependency(scim_settings.TENANT_MODEL)]
)


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        *TENANT_DEPENDENCIES,
    ]

    operations = [
        migrations.CreateModel(
            name="Tenant",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("name", models.CharField(max_length=200, verbose_name="name")),
                ("slug", models.SlugField(max_length=100, unique=True, verbose_name="slug")),
            ],
            options={
                "verbose_name": "tenant",
                "verbose_name_plural": "tenants",
                "abstract": False,
                "swappable": "SCIM_PROVISIONING_TENANT_MODEL",
            },
        ),
        migrations.CreateModel(
            name="ProvisioningKey",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "name",
                    models.CharField(
                        help_text="Where the key is used, e.g. 'Okta'.", max_length=100, verbose_name="name"
                    ),
                ),
                (
                    "key_prefix",
                    models.CharField(db_index=True, editable=False, max_length=32, verbose_name="key prefix"),
                ),
                ("key_digest", models.CharField(editable=False, max_length=64, unique=True, verbose_name="key digest")),
                (
                    "created_at",
                    models.DateTimeField(default=django.utils.timezone.now, editable=False, verbose_name="created"),
                ),
                ("last_used_at", models.DateTimeField(blank=True, editable=False, null=True, verbose_name="last used")),
                ("revoked_at", models.DateTimeField(blank=True, editable=False, null=True, verbose_name="revoked")),
                (
                    "created_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="created by",
                    ),
                ),
                (
                    "tenant",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="scim_provisioning_keys",
                        to=scim_settings.TENANT_MODEL,
                        verbose_name="tenant",
                    ),
                ),
            ],
            options={
                "verbose_name": "provisioning key",
                "verbose_name_plural": "provisioning keys",
                "ordering": ["-created_at"],
            },
        ),
        migrations.CreateModel(
            name="ProvisionedUser",
            fields=[
                ("id", models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                ("user_name", models.CharField(max_length=254, verbose_name="SCIM userName")),
                (
                    "external_id",
                    models.CharField(blank=True, default="", max_length=254, verbose_name="SCIM externalId"),
                ),
                ("email_primary", models.BooleanField(blank=True, null=True, verbose_name="email marked primary")),
                (
                    "created_at",
                    models.DateTimeField(default=django.utils.timezone.now, editable=False, verbose_name="created"),
                ),
                (
                    "updated_at",
                    models.DateTimeField(
                        default=django.utils.timezone.now, editable=False, verbose_name="last modified"
                    ),
                ),
                (
                    "tenant",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="scim_provisioned_users",
                        to=scim_settings.TENANT_MODEL,
                        verbose_name="tenant",
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="scim_links",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="user",
                    ),
                ),
            ],
            options={
                "verbose_name": "provisioned user",
                "verbose_name_plural": "provisioned users",
                "indexes": [
                    models.Index(fields=["tenant", "external_id"], name="scim_user_external_id"),
                    models.Index(fields=["tenant", "created_at", "id"], name="scim_user_listing"),
                ],
                "constraints": [
                    models.UniqueConstraint(
                        models.F("tenant"),
                        django.db.models.functions.text.Lower("user_name"),
                        condition=models.Q(("tenant__isnull", False)),
                        name="scim_user_name_unique_per_tenant",
                    ),
                    models.UniqueConstraint(
                        django.db.models.functions.text.Lower("user_name"),
                        condition=models.Q(("tenant__isnull", True)),
                        name="scim_user_name_unique_no_tenant",
                    ),
                    models.UniqueConstraint(
                        condition=models.Q(("tenant__isnull", False)),
                        fields=("tenant", "user"),
                        name="scim_user_once_per_tenant",
                    ),
                    models.UniqueConstraint(
                        condition=models.Q(("tenant__isnull", True)), fields=("user",), name="scim_user_once_no_tenant"
                    ),
                ],
            },
        ),
    ]
