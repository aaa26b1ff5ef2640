from __future__ import annotations

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models

from scim_provisioning.conf import scim_settings


class Migration(migrations.Migration):
    # The tenant foreign key names the swappable tenant model through the
    # settings object, as in 0001, so no host gets a pending migration.
    dependencies = [
        ("scim_provisioning", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="ProvisioningEvent",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "created_at",
                    models.DateTimeField(default=django.utils.timezone.now, editable=False, verbose_name="time"),
                ),
                ("key_prefix", models.CharField(blank=True, max_length=32, verbose_name="key prefix")),
                ("method", models.CharField(max_length=10, verbose_name="method")),
                ("path", models.CharField(max_length=255, verbose_name="path")),
                ("resource_id", models.CharField(blank=True, max_length=64, verbose_name="resource id")),
                ("user_name", models.CharField(blank=True, max_length=254, verbose_name="userName")),
                (
                    "outcome",
                    models.CharField(
                        choices=[
                            ("provisioned", "provisioned"),
                            ("updated", "updated"),
                            ("suspended", "suspended"),
                            ("reactivated", "reactivated"),
                            ("deprovisioned", "deprovisioned"),
                            ("failed", "failed"),
                        ],
                        max_length=16,
                        verbose_name="outcome",
                    ),
                ),
                ("status_code", models.PositiveSmallIntegerField(verbose_name="HTTP status")),
                ("scim_type", models.CharField(blank=True, max_length=32, verbose_name="scimType")),
                ("detail", models.CharField(blank=True, max_length=255, verbose_name="detail")),
                ("user_agent", models.CharField(blank=True, max_length=255, verbose_name="user agent")),
                (
                    "tenant",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="scim_provisioning_events",
                        to=scim_settings.TENANT_MODEL,
                        verbose_name="tenant",
                    ),
                ),
            ],
            options={
                "verbose_name": "provisioning event",
                "verbose_name_plural": "provisioning events",
                "ordering": ["-created_at", "-id"],
                "indexes": [
                    models.Index(fields=["tenant", "-created_at"], name="scim_event_tenant_recent"),
                    models.Index(fields=["tenant", "outcome", "-created_at"], name="scim_event_tenant_outcome"),
                    models.Index(fields=["created_at"], name="scim_event_created_at"),
                ],
            },
        ),
    ]
