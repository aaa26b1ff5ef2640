"""The example host: custom User, Organization tenant, Membership and seats (DESIGN.md §3.1, §5)."""

from __future__ import annotations

import pytest
from accounts.models import Membership, User

from scim_provisioning.constants import PATCH_OP_SCHEMA

from .conftest import give_seats, scim_client_for
from .factories import ProvisioningKeyFactory, UserFactory

USERS = "/scim/v2/Users"
EXTENSION = "urn:ietf:params:scim:schemas:extension:scim_provisioning:2.0:User"
pytestmark = pytest.mark.django_db


def membership(tenant, email):
    return Membership.objects.get(organization=tenant, user__email=email)


def test_full_mapping_onto_user_and_membership(scim, tenant, user_payload):
    """Seed mapping: names, language, timezone, work phone, work address -> location, privilege."""
    body = user_payload(
        "ada@example.com",
        preferredLanguage="fr-FR",
        timezone="Europe/Paris",
        phoneNumbers=[{"value": "+33 6 00 00 00 00", "type": "mobile"}, {"value": "+33 1 23 45 67 89", "type": "work"}],
        addresses=[{"type": "work", "streetAddress": "1 rue de Rivoli", "locality": "Paris", "country": "FR"}],
        **{EXTENSION: {"privilege": "member"}},
    )

    resource = scim.post(USERS, body, format="json").json()

    user = User.objects.get(email="ada@example.com")
    assert (user.first_name, user.last_name, user.language, user.timezone) == (
        "Barbara",
        "Jensen",
        "fr-FR",
        "Europe/Paris",
    )
    assert user.phone == "+33 1 23 45 67 89"
    assert user.location == "1 rue de Rivoli, Paris, FR"
    assert membership(tenant, "ada@example.com").privilege == "member"
    assert resource["phoneNumbers"] == [{"value": "+33 1 23 45 67 89", "type": "work"}]
    assert resource["addresses"] == [{"formatted": "1 rue de Rivoli, Paris, FR", "type": "work"}]
    assert resource[EXTENSION] == {"privilege": "member"}
    assert EXTENSION in resource["schemas"]


def test_top_level_privilege_as_the_seed_sends_it(scim, tenant, user_payload):
    scim.post(USERS, user_payload("ada@example.com", privilege="inactive"), format="json")

    assert membership(tenant, "ada@example.com").privilege == "inactive"


def test_invalid_privilege_is_400(scim, user_payload):
    response = scim.post(USERS, user_payload(privilege="owner"), format="json")

    assert response.status_code == 400
    assert "privilege" in response.json()["detail"]


def test_without_a_free_seat_users_are_created_inactive(scim, tenant, user_payload):
    """Seed: if no licence is available, the user account is created as inactive (not an error)."""
    give_seats(tenant, 1)

    first = scim.post(USERS, user_payload("one@example.com"), format="json")
    second = scim.post(USERS, user_payload("two@example.com", **{EXTENSION: {"privilege": "member"}}), format="json")

    assert (first.status_code, second.status_code) == (201, 201)
    assert first.json()[EXTENSION] == {"privilege": "member"}
    assert second.json()[EXTENSION] == {"privilege": "inactive"}
    assert membership(tenant, "two@example.com").privilege == "inactive"


def test_suspend_keeps_the_membership_and_reactivate_restores_it(scim, tenant, create_user):
    created = create_user("ada@example.com")
    url = f"{USERS}/{created['id']}"

    scim.patch(
        url,
        {"schemas": [PATCH_OP_SCHEMA], "Operations": [{"op": "replace", "value": {"active": False}}]},
        format="json",
    )
    assert membership(tenant, "ada@example.com").is_suspended is True
    assert scim.get(url).json()["active"] is False

    scim.patch(
        url,
        {"schemas": [PATCH_OP_SCHEMA], "Operations": [{"op": "replace", "path": "active", "value": "True"}]},
        format="json",
    )
    assert membership(tenant, "ada@example.com").is_suspended is False


def test_another_organizations_member_is_never_taken_over(scim, other_scim, tenant, other_tenant, user_payload):
    """RFC 7644 §3.3: a create that would claim another organization's account is 409 ``uniqueness``.

    Linking it would let this organization's IdP rewrite that member's name and login email.
    """
    created = scim.post(USERS, user_payload("ada@example.com"), format="json").json()

    response = other_scim.post(USERS, user_payload("ADA@example.com", name={"givenName": "Mallory"}), format="json")

    assert response.status_code == 409
    assert response.json()["scimType"] == "uniqueness"
    assert User.objects.filter(email__iexact="ada@example.com").count() == 1
    assert list(Membership.objects.filter(user__email="ada@example.com").values_list("organization", flat=True)) == [
        tenant.pk
    ]
    assert scim.get(f"{USERS}/{created['id']}").json()["name"]["givenName"] == "Barbara"


def test_an_account_invited_before_scim_is_taken_over(scim, tenant, user_payload):
    """An existing member of this organization (or an account of none) is linked, not duplicated."""
    invited = UserFactory(email="ada@example.com")
    Membership.objects.create(user=invited, organization=tenant, privilege=Membership.Privilege.MEMBER)

    response = scim.post(USERS, user_payload("ADA@example.com"), format="json")

    assert response.status_code == 201
    assert User.objects.filter(email__iexact="ada@example.com").count() == 1
    assert Membership.objects.get(user=invited).organization == tenant


def test_delete_removes_the_membership_and_keeps_an_account_used_elsewhere(scim, tenant, other_tenant, create_user):
    mine = create_user("ada@example.com")
    # Later invited to another organization by hand, outside SCIM.
    Membership.objects.create(user=User.objects.get(email="ada@example.com"), organization=other_tenant)

    assert scim.delete(f"{USERS}/{mine['id']}").status_code == 204
    assert not Membership.objects.filter(organization=tenant).exists()
    assert User.objects.filter(email="ada@example.com").exists()


def test_delete_removes_an_account_used_nowhere_else(scim, tenant, create_user):
    mine = create_user("ada@example.com")

    assert scim.delete(f"{USERS}/{mine['id']}").status_code == 204
    assert not User.objects.filter(email="ada@example.com").exists()


def test_staff_accounts_are_never_taken_over(scim, user_payload):
    UserFactory(email="root@example.com", is_staff=True)

    response = scim.post(USERS, user_payload("root@example.com"), format="json")

    assert response.status_code == 409
    assert response.json()["scimType"] == "uniqueness"


def test_email_taken_by_another_account_on_update_is_409(scim, create_user, user_payload):
    create_user("ada@example.com")
    second = create_user("bob@example.com")

    response = scim.put(
        f"{USERS}/{second['id']}", user_payload("bob@example.com", emails=[{"value": "ADA@example.com"}]), format="json"
    )

    assert response.status_code == 409
    assert User.objects.get(pk=User.objects.get(email="bob@example.com").pk).email == "bob@example.com"


def test_a_key_without_organization_is_refused(user_payload):
    client = scim_client_for(ProvisioningKeyFactory(tenant=None))

    response = client.post(USERS, user_payload(), format="json")

    assert response.status_code == 403
    assert not User.objects.exists()


def test_a_replace_without_emails_keeps_the_login_from_user_name(scim, create_user):
    """The example's login is the email: without emails it falls back to userName, never blank."""
    created = create_user("ada@example.com")
    body = {k: v for k, v in created.items() if k not in ("emails", "meta")}

    resource = scim.put(f"{USERS}/{created['id']}", body, format="json").json()

    assert resource["emails"][0]["value"] == "ada@example.com"
    assert User.objects.get().email == "ada@example.com"
