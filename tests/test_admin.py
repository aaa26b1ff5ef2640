"""Admin smoke tests: keys are created with the raw key shown once, listed, revoked; links are read-only."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib import admin
from django.contrib.messages import get_messages
from django.urls import reverse
from rest_framework.test import APIClient

from scim_provisioning import keys
from scim_provisioning.models import ProvisionedUser, ProvisioningKey

from .conftest import override_scim_settings
from .factories import ProvisioningKeyFactory

KEY_CHANGELIST = reverse("admin:scim_provisioning_provisioningkey_changelist")
KEY_ADD = reverse("admin:scim_provisioning_provisioningkey_add")
USER_CHANGELIST = reverse("admin:scim_provisioning_provisioneduser_changelist")
USER_ADD = reverse("admin:scim_provisioning_provisioneduser_add")


def add_key(admin_client: Any, tenant: Any, name: str = "Okta") -> Any:
    return admin_client.post(KEY_ADD, {"name": name, "tenant": tenant.pk, "_save": "Save"}, follow=True)


def test_key_changelist_loads(admin_client: Any, provisioning_key: ProvisioningKey) -> None:
    response = admin_client.get(KEY_CHANGELIST)

    assert response.status_code == 200
    content = response.content.decode()
    assert provisioning_key.name in content
    assert provisioning_key.key_prefix in content
    assert provisioning_key.key_digest not in content
    assert provisioning_key.raw_key not in content


def test_key_changelist_filters_by_status(admin_client: Any, tenant: Any) -> None:
    active = ProvisioningKeyFactory(tenant=tenant, name="Active key")
    revoked = ProvisioningKeyFactory(tenant=tenant, name="Revoked key")
    revoked.revoke()

    response = admin_client.get(KEY_CHANGELIST, {"status": "revoked"})

    assert response.status_code == 200
    assert list(response.context["cl"].queryset) == [revoked]
    assert list(admin_client.get(KEY_CHANGELIST, {"status": "active"}).context["cl"].queryset) == [active]


def test_add_form_loads(admin_client: Any, db: Any) -> None:
    response = admin_client.get(KEY_ADD)

    assert response.status_code == 200
    form = response.context["adminform"].form
    assert set(form.fields) == {"name", "tenant"}


def test_adding_a_key_shows_the_raw_key_once_with_the_scim_url(admin_client: Any, admin_user: Any, tenant: Any) -> None:
    response = add_key(admin_client, tenant)

    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == KEY_CHANGELIST
    key = ProvisioningKey.objects.get()
    assert key.name == "Okta"
    assert key.tenant == tenant
    assert key.created_by == admin_user
    # The key is found only through the message; the page shows it nowhere else.
    messages = [str(m) for m in response.context["messages"]]
    key_messages = [m for m in messages if "Key: " in m]
    assert len(key_messages) == 1
    message = key_messages[0]
    assert "https://app.example.com/scim/v2" in message
    raw = message.rsplit("Key: ", 1)[1].strip()
    assert raw.startswith(key.key_prefix)
    assert len(raw) >= len("scim_") + 43
    assert keys.hash_key(raw) == key.key_digest
    assert sum(m.count(raw) for m in messages) == 1
    content = response.content.decode()
    assert content.count(raw) == 1
    assert content.count(key.key_digest) == 0


def test_raw_key_from_the_admin_authenticates(admin_client: Any, tenant: Any) -> None:
    response = add_key(admin_client, tenant)
    message = next(str(m) for m in response.context["messages"] if "Key: " in str(m))
    raw = message.rsplit("Key: ", 1)[1].strip()

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert client.get("/scim/v2/Users").status_code == 200


def test_raw_key_is_not_shown_again(admin_client: Any, tenant: Any) -> None:
    response = add_key(admin_client, tenant)
    message = next(str(m) for m in response.context["messages"] if "Key: " in str(m))
    raw = message.rsplit("Key: ", 1)[1].strip()
    key = ProvisioningKey.objects.get()

    change_page = admin_client.get(reverse("admin:scim_provisioning_provisioningkey_change", args=[key.pk]))
    changelist = admin_client.get(KEY_CHANGELIST)

    assert change_page.status_code == 200
    assert raw not in change_page.content.decode()
    assert key.key_digest not in change_page.content.decode()
    assert key.key_prefix in change_page.content.decode()
    assert raw not in changelist.content.decode()
    assert not [m for m in get_messages(change_page.wsgi_request) if raw in str(m)]


def test_saving_the_change_form_keeps_the_key(admin_client: Any, provisioning_key: ProvisioningKey) -> None:
    url = reverse("admin:scim_provisioning_provisioningkey_change", args=[provisioning_key.pk])

    response = admin_client.post(url, {"name": "Okta (prod)", "_save": "Save"}, follow=True)

    assert response.status_code == 200
    provisioning_key.refresh_from_db()
    assert provisioning_key.name == "Okta (prod)"
    assert provisioning_key.key_digest == keys.hash_key(provisioning_key.raw_key)
    assert not [m for m in response.context["messages"] if "Key: " in str(m)]


def test_revoke_keys_action_revokes_the_selected_keys(admin_client: Any, tenant: Any) -> None:
    selected = [ProvisioningKeyFactory(tenant=tenant), ProvisioningKeyFactory(tenant=tenant)]
    untouched = ProvisioningKeyFactory(tenant=tenant)

    response = admin_client.post(
        KEY_CHANGELIST,
        {"action": "revoke_keys", "_selected_action": [key.pk for key in selected], "index": 0},
        follow=True,
    )

    assert response.status_code == 200
    for key in selected:
        key.refresh_from_db()
        assert key.revoked_at is not None
    untouched.refresh_from_db()
    assert untouched.revoked_at is None
    assert "2 keys revoked." in [str(m) for m in response.context["messages"]]


def test_revoke_keys_action_keeps_the_first_revocation_time(admin_client: Any, tenant: Any) -> None:
    already = ProvisioningKeyFactory(tenant=tenant)
    already.revoke()
    already.refresh_from_db()
    first_revoked_at = already.revoked_at

    response = admin_client.post(
        KEY_CHANGELIST, {"action": "revoke_keys", "_selected_action": [already.pk], "index": 0}, follow=True
    )

    already.refresh_from_db()
    assert already.revoked_at == first_revoked_at
    assert "0 keys revoked." in [str(m) for m in response.context["messages"]]


def test_provisioned_user_changelist_loads(admin_client: Any, db: Any) -> None:
    response = admin_client.get(USER_CHANGELIST)

    assert response.status_code == 200


def test_provisioned_user_admin_has_no_add_permission(admin_client: Any, db: Any) -> None:
    request = admin_client.get(USER_CHANGELIST).wsgi_request
    model_admin = admin.site._registry[ProvisionedUser]

    assert model_admin.has_add_permission(request) is False
    assert model_admin.has_change_permission(request) is False
    assert admin_client.get(USER_ADD).status_code == 403


@pytest.mark.parametrize(
    ("base_url", "shown"),
    [
        ("https://idp-facing.example.org/api/scim/2.0/", "SCIM URL: https://idp-facing.example.org/api/scim/2.0 "),
        (None, "SCIM URL: http://testserver/scim/v2 "),
    ],
)
def test_key_message_shows_the_configured_scim_url(
    settings: Any, admin_client: Any, tenant: Any, base_url: str | None, shown: str
) -> None:
    override_scim_settings(settings, BASE_URL=base_url)

    response = add_key(admin_client, tenant)

    message = next(str(m) for m in response.context["messages"] if "Key: " in str(m))
    assert shown in message


def test_tenant_is_required_when_the_adapter_provisions_inside_tenants(admin_client: Any, settings: Any) -> None:
    override_scim_settings(settings, USER_ADAPTER="tests.adapters.TenantOnlyAdapter")

    response = admin_client.post(KEY_ADD, {"name": "Okta", "tenant": "", "_save": "Save"})

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["tenant"] == ["This field is required."]
    assert not ProvisioningKey.objects.exists()


def test_tenant_is_optional_on_a_single_tenant_site(admin_client: Any, settings: Any) -> None:
    override_scim_settings(settings, USER_ADAPTER="scim_provisioning.adapters.DefaultUserAdapter")

    response = admin_client.post(KEY_ADD, {"name": "Okta", "tenant": "", "_save": "Save"}, follow=True)

    assert response.status_code == 200
    assert ProvisioningKey.objects.get().tenant is None
