"""The example product's Administration → Users → Provisioning: only the organization's admins get in.

``accounts.scim.OrganizationAdminAccess`` answers 404 for anyone else, staff
included, so another organization's page looks exactly like a missing one.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from accounts.models import Membership

from scim_provisioning.models import ProvisioningKey

from .conftest import override_scim_settings
from .factories import ProvisioningKeyFactory, UserFactory

pytestmark = pytest.mark.django_db

EXAMPLE_TEMPLATES = Path(__file__).resolve().parent.parent / "example_project" / "templates"


@pytest.fixture(autouse=True)
def example_product(settings):
    """The example's URLs, templates, navigation and page hook, over the host test settings."""
    settings.ROOT_URLCONF = "example.urls"
    settings.TEMPLATES = [
        {
            **settings.TEMPLATES[0],
            "DIRS": [EXAMPLE_TEMPLATES],
            "OPTIONS": {
                "context_processors": [
                    *settings.TEMPLATES[0]["OPTIONS"]["context_processors"],
                    "accounts.context_processors.administered_organizations",
                ]
            },
        }
    ]
    override_scim_settings(settings, PAGE_ACCESS="accounts.scim.OrganizationAdminAccess")


def page(tenant, suffix=""):
    return f"/orgs/{tenant.slug}/administration/users/provisioning/{suffix}"


def member(tenant, **fields):
    user = UserFactory()
    Membership.objects.create(user=user, organization=tenant, **fields)
    return user


def test_organization_admins_find_the_page_in_the_navigation(client, tenant):
    client.force_login(member(tenant, is_admin=True))

    home = client.get("/").content.decode()
    response = client.get(page(tenant))

    assert f'href="{page(tenant)}">Provisioning</a>' in home
    assert response.status_code == 200
    assert "Administration (Acme)" in response.content.decode()


@pytest.mark.parametrize(
    "who",
    ["plain member", "suspended admin", "staff", "admin of another organization"],
)
def test_everyone_else_gets_a_404(client, tenant, other_tenant, who):
    user = {
        "plain member": lambda: member(tenant),
        "suspended admin": lambda: member(tenant, is_admin=True, is_suspended=True),
        "staff": lambda: UserFactory(is_staff=True, is_superuser=True),
        "admin of another organization": lambda: member(other_tenant, is_admin=True),
    }[who]()
    key = ProvisioningKeyFactory(tenant=tenant)
    client.force_login(user)

    assert client.get(page(tenant)).status_code == 404
    assert client.post(page(tenant), {"name": "Okta"}).status_code == 404
    assert client.post(page(tenant, f"keys/{key.pk}/revoke/")).status_code == 404
    assert f'href="{page(tenant)}"' not in client.get("/").content.decode()
    assert ProvisioningKey.objects.active().count() == 1


def test_an_admin_of_two_organizations_sees_each_ones_keys_on_its_own_page(client, tenant, other_tenant):
    admin = member(tenant, is_admin=True)
    Membership.objects.create(user=admin, organization=other_tenant, is_admin=True)
    acme_key = ProvisioningKeyFactory(tenant=tenant)
    client.force_login(admin)

    globex_page = client.get(page(other_tenant)).content.decode()

    assert acme_key.key_prefix not in globex_page
    assert client.post(page(other_tenant, f"keys/{acme_key.pk}/revoke/")).status_code == 404
