"""factory-boy factories for host users, tenants, provisioning keys and provisioning events.

They work with whichever User and tenant model the settings name, so the
suite runs unchanged under zero configuration and under the example host.
"""

from __future__ import annotations

from typing import Any

import factory
from django.contrib.auth import get_user_model
from factory.django import DjangoModelFactory

from scim_provisioning.models import ProvisioningEvent, ProvisioningKey, get_tenant_model


class UserFactory(DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")

    @classmethod
    def _adjust_kwargs(cls, **kwargs: Any) -> dict[str, Any]:
        username_field = get_user_model().USERNAME_FIELD
        if username_field != "email":
            kwargs.setdefault(username_field, kwargs["email"].split("@")[0])
        return kwargs

    @factory.post_generation
    def password(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        self.set_password(extracted or "not-a-real-password")
        if create:
            self.save(update_fields=["password"])


class TenantFactory(DjangoModelFactory):
    class Meta:
        model = get_tenant_model()
        django_get_or_create = ("slug",)

    name = factory.Faker("company")
    slug = factory.Sequence(lambda n: f"tenant-{n}")


class ProvisioningKeyFactory(DjangoModelFactory):
    """Creates keys through ``create_key`` and attaches the raw key as ``raw_key``."""

    class Meta:
        model = ProvisioningKey

    name = "Okta"
    tenant = None

    @classmethod
    def _create(cls, model_class: Any, *args: Any, **kwargs: Any) -> ProvisioningKey:
        key, raw_key = model_class.objects.create_key(**kwargs)
        key.raw_key = raw_key
        return key


class ProvisioningEventFactory(DjangoModelFactory):
    """A provisioned user by default; pass ``created_at`` to date it."""

    class Meta:
        model = ProvisioningEvent

    tenant = None
    key_prefix = "scim_AbCdEfGh"
    method = "POST"
    path = "/scim/v2/Users"
    resource_id = factory.Faker("uuid4")
    user_name = factory.Sequence(lambda n: f"event-user{n}@example.com")
    outcome = ProvisioningEvent.Outcome.PROVISIONED
    status_code = 201
