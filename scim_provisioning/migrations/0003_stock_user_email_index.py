"""An index on ``LOWER(email)`` of the stock ``auth_user``, for IdPs' ``emails.value eq`` lookups.

``emails.value`` is compared case-insensitively (``LOWER(email) = LOWER(%s)``,
RFC 7643 §4.1.2: caseExact false), and ``django.contrib.auth``'s User has no
index on its email at all, so every such lookup scanned the user table. Only
the stock User gets this index: a custom user model belongs to its host,
which indexes it in its own migrations (the example project does). It is not
part of any model's state, so ``makemigrations`` never sees it; reversing
this migration drops it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import migrations, models
from django.db.models.functions import Lower

EMAIL_INDEX = models.Index(Lower("email"), name="scim_auth_user_email_lower")


def _stock_user(apps, schema_editor):
    if settings.AUTH_USER_MODEL != "auth.User" or not schema_editor.connection.features.supports_expression_indexes:
        return None
    return apps.get_model("auth", "User")


def add_email_index(apps, schema_editor):
    user_model = _stock_user(apps, schema_editor)
    if user_model is not None:
        schema_editor.add_index(user_model, EMAIL_INDEX)


def remove_email_index(apps, schema_editor):
    user_model = _stock_user(apps, schema_editor)
    if user_model is not None:
        schema_editor.remove_index(user_model, EMAIL_INDEX)


class Migration(migrations.Migration):
    dependencies = [
        ("scim_provisioning", "0002_provisioningevent"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [migrations.RunPython(add_email_index, remove_email_index, elidable=False)]
