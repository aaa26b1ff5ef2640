"""The link table's indexes, for lookups and writes.

``scim_user_name_unique_per_tenant`` loses its partial condition: the same
rule (NULL tenants never collide in a unique index), but PostgreSQL ignores
the statistics of partial indexes, and without statistics on
``LOWER(user_name)`` it planned ``userName eq`` lookups as a walk of the
listing index (see ``ProvisionedUser.Meta``). The tenant foreign key loses
its own index, which every composite index starting with the tenant covers:
one index less to write per create, and one less for the planner to weigh.
"""

from __future__ import annotations

import django.db.models.deletion
from django.db import migrations, models
from django.db.models.functions import Lower

from scim_provisioning.conf import scim_settings


class Migration(migrations.Migration):
    # The tenant foreign key names the swappable tenant model through the
    # settings object, as in 0001, so no host gets a pending migration.
    dependencies = [
        ("scim_provisioning", "0003_stock_user_email_index"),
    ]

    operations = [
        migrations.AlterField(
            model_name="provisioneduser",
            name="tenant",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="scim_provisioned_users",
                to=scim_settings.TENANT_MODEL,
                verbose_name="tenant",
            ),
        ),
        migrations.RemoveConstraint(
            model_name="provisioneduser",
            name="scim_user_name_unique_per_tenant",
        ),
        migrations.AddConstraint(
            model_name="provisioneduser",
            constraint=models.UniqueConstraint(
                models.F("tenant"), Lower("user_name"), name="scim_user_name_unique_per_tenant"
            ),
        ),
    ]
