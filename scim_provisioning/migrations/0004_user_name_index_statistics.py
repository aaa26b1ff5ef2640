"""``scim_user_name_unique_per_tenant`` without its partial condition: the same rule, and statistics.

NULL tenants never collide in a unique index, so the condition added
nothing; but PostgreSQL ignores the statistics of partial indexes, and
without statistics on ``LOWER(user_name)`` it planned ``userName eq``
lookups as a walk of the listing index (see ``ProvisionedUser.Meta``).
"""

from __future__ import annotations

from django.db import migrations, models
from django.db.models.functions import Lower


class Migration(migrations.Migration):
    dependencies = [
        ("scim_provisioning", "0003_stock_user_email_index"),
    ]

    operations = [
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
