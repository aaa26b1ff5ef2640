"""``manage.py createscimkey``: one raw key on stdout, bound to the named tenant."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from rest_framework.test import APIClient

from scim_provisioning import keys
from scim_provisioning.models import ProvisioningKey, get_tenant_model

from .conftest import override_scim_settings
from .factories import TenantFactory


def createscimkey(*args: str) -> str:
    stdout = io.StringIO()
    call_command("createscimkey", *args, stdout=stdout)
    return stdout.getvalue()


def the_raw_key(output: str) -> str:
    """The output is exactly one line: the raw key."""
    lines = output.splitlines()
    assert len(lines) == 1, output
    assert output == lines[0] + "\n"
    return lines[0]


def get_users_with(raw_key: str) -> Any:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw_key}")
    return client.get("/scim/v2/Users")


def test_prints_only_the_raw_key(tenant: Any) -> None:
    raw = the_raw_key(createscimkey("--tenant", str(tenant.pk), "--name", "Okta"))

    key = ProvisioningKey.objects.get()
    assert raw.startswith("scim_")
    assert len(raw) >= len("scim_") + 43
    assert key.key_digest == keys.hash_key(raw)
    assert key.name == "Okta"


def test_printed_key_authenticates_a_scim_request(tenant: Any) -> None:
    raw = the_raw_key(createscimkey("--tenant", str(tenant.pk), "--name", "Okta"))

    response = get_users_with(raw)

    assert response.status_code == 200, response.content
    assert ProvisioningKey.objects.get().last_used_at is not None


def test_tenant_by_primary_key(tenant: Any, other_tenant: Any) -> None:
    createscimkey("--tenant", str(other_tenant.pk), "--name", "Okta")

    assert ProvisioningKey.objects.get().tenant == other_tenant


def test_tenant_by_lookup_field(settings: Any, tenant: Any, other_tenant: Any) -> None:
    override_scim_settings(settings, TENANT_LOOKUP_FIELD="slug")

    raw = the_raw_key(createscimkey("--tenant", "globex", "--name", "Entra ID"))

    key = ProvisioningKey.objects.get()
    assert key.tenant == other_tenant
    assert key.name == "Entra ID"
    assert key.key_digest == keys.hash_key(raw)


def test_lookup_field_still_accepts_the_primary_key(settings: Any, tenant: Any) -> None:
    override_scim_settings(settings, TENANT_LOOKUP_FIELD="slug")

    createscimkey("--tenant", str(tenant.pk))

    assert ProvisioningKey.objects.get().tenant == tenant


def test_lookup_field_wins_over_a_primary_key_of_the_same_value(settings: Any, tenant: Any) -> None:
    override_scim_settings(settings, TENANT_LOOKUP_FIELD="slug")
    named_like_a_pk = TenantFactory(slug=str(tenant.pk), name="Numeric slug")

    createscimkey("--tenant", str(tenant.pk))

    assert ProvisioningKey.objects.get().tenant == named_like_a_pk


def test_slug_is_not_accepted_without_a_lookup_field(settings: Any, tenant: Any) -> None:
    override_scim_settings(settings, TENANT_LOOKUP_FIELD=None)

    with pytest.raises(CommandError, match="'acme'"):
        createscimkey("--tenant", "acme")

    assert not ProvisioningKey.objects.exists()


def test_without_tenant_creates_a_tenantless_key(db: Any, settings: Any) -> None:
    override_scim_settings(settings, USER_ADAPTER="scim_provisioning.adapters.DefaultUserAdapter")
    raw = the_raw_key(createscimkey("--name", "Single tenant"))

    key = ProvisioningKey.objects.get()
    assert key.tenant is None
    assert key.name == "Single tenant"
    assert get_users_with(raw).status_code == 200


def test_default_name(tenant: Any) -> None:
    createscimkey("--tenant", str(tenant.pk))

    assert ProvisioningKey.objects.get().name == "Provisioning key"


@pytest.mark.parametrize("value", ["999999", "no-such-tenant"])
def test_unknown_tenant_is_a_command_error_naming_it(tenant: Any, value: str) -> None:
    with pytest.raises(CommandError) as excinfo:
        createscimkey("--tenant", value, "--name", "Okta")

    assert repr(value) in str(excinfo.value)
    assert str(get_tenant_model()._meta.verbose_name) in str(excinfo.value)
    assert not ProvisioningKey.objects.exists()


def test_unknown_tenant_with_lookup_field_names_the_field(settings: Any, tenant: Any) -> None:
    override_scim_settings(settings, TENANT_LOOKUP_FIELD="slug")

    with pytest.raises(CommandError) as excinfo:
        createscimkey("--tenant", "initech")

    assert "'initech'" in str(excinfo.value)
    assert "slug" in str(excinfo.value)
    assert not ProvisioningKey.objects.exists()


def test_each_run_prints_a_new_key(tenant: Any) -> None:
    first = the_raw_key(createscimkey("--tenant", str(tenant.pk)))
    second = the_raw_key(createscimkey("--tenant", str(tenant.pk)))

    assert first != second
    assert ProvisioningKey.objects.filter(tenant=tenant).count() == 2


def test_tenant_is_required_when_the_adapter_provisions_inside_tenants(db: Any, settings: Any) -> None:
    override_scim_settings(settings, USER_ADAPTER="tests.adapters.TenantOnlyAdapter")

    with pytest.raises(CommandError, match="--tenant is required"):
        createscimkey("--name", "Okta")

    assert not ProvisioningKey.objects.exists()
