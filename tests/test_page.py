"""The provisioning page a host mounts for its tenant admins (default hook: staff users).

Through Django's test client, under zero configuration and under the example
host's models; tests/browser drives the same page in Chromium.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from scim_provisioning.conf import scim_settings
from scim_provisioning.keys import hash_key
from scim_provisioning.models import ProvisioningEvent, ProvisioningKey

from .conftest import give_seats, is_host, override_scim_settings, scim_client_for
from .factories import ProvisioningKeyFactory, UserFactory

pytestmark = pytest.mark.django_db


def page_url(tenant, suffix: str = "") -> str:
    """The page as a multi-tenant host mounts it, with the tenant in the URL (tests/urls.py)."""
    value = getattr(tenant, scim_settings.TENANT_LOOKUP_FIELD or "pk")
    return f"/tenants/{value}/provisioning/{suffix}"


@pytest.fixture
def staff_client(client):
    client.force_login(UserFactory(is_staff=True))
    return client


def make_event(tenant, minutes_ago: int = 0, **fields) -> ProvisioningEvent:
    values = {
        "tenant": tenant,
        "method": "POST",
        "path": "/scim/v2/Users",
        "outcome": ProvisioningEvent.Outcome.PROVISIONED,
        "status_code": 201,
        **fields,
    }
    return ProvisioningEvent.objects.create(created_at=timezone.now() - timedelta(minutes=minutes_ago), **values)


def test_anonymous_visitors_are_sent_to_log_in(client, tenant):
    response = client.get(page_url(tenant))

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


def test_default_hook_refuses_users_who_are_not_staff(client, tenant):
    client.force_login(UserFactory(is_staff=False))

    assert client.get(page_url(tenant)).status_code == 403
    assert client.post(page_url(tenant), {"name": "Okta"}).status_code == 403
    assert ProvisioningKey.objects.count() == 0


def test_unknown_tenant_is_a_404(staff_client, tenant):
    value = "nope" if scim_settings.TENANT_LOOKUP_FIELD else "999999"

    assert staff_client.get(f"/tenants/{value}/provisioning/").status_code == 404


def test_page_shows_url_keys_and_seats_of_its_tenant_only(staff_client, tenant, other_tenant):
    mine = ProvisioningKeyFactory(tenant=tenant, name="Okta")
    theirs = ProvisioningKeyFactory(tenant=other_tenant, name="Entra")

    response = staff_client.get(page_url(tenant))

    html = response.content.decode()
    assert response.status_code == 200
    assert 'value="https://app.example.com/scim/v2"' in html
    assert mine.key_prefix in html
    assert theirs.key_prefix not in html
    assert "no-store" in response["Cache-Control"]
    if is_host():
        assert "0 of 100 seats in use, 100 available." in html
    else:
        assert "the plan has no seat limit" in html


def test_generating_shows_the_raw_key_once_and_stores_only_its_digest(staff_client, tenant):
    response = staff_client.post(page_url(tenant), {"name": "Okta"})

    key = ProvisioningKey.objects.get()
    html = response.content.decode()
    raw_key = html.split('id="scim-raw-key" type="text" value="', 1)[1].split('"', 1)[0]
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert html.count(raw_key) == 1
    assert key.key_digest == hash_key(raw_key)
    assert (key.name, key.tenant, key.created_by.is_staff) == ("Okta", tenant, True)
    # Not kept anywhere the browser or the server could show it again.
    assert raw_key not in str(response.cookies)
    assert all(raw_key not in str(value) for value in staff_client.session.values())
    assert raw_key not in staff_client.get(page_url(tenant)).content.decode()
    assert scim_client_for_raw(raw_key).get("/scim/v2/Users").status_code == 200


def scim_client_for_raw(raw_key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw_key}")
    return client


def test_a_nameless_key_is_refused_with_the_field_explained(staff_client, tenant):
    response = staff_client.post(page_url(tenant), {"name": "  "})

    assert response.status_code == 400
    assert 'aria-invalid="true"' in response.content.decode()
    assert "This field is required." in response.content.decode()
    assert ProvisioningKey.objects.count() == 0


def test_posts_need_a_csrf_token(tenant):
    client = Client(enforce_csrf_checks=True)
    client.force_login(UserFactory(is_staff=True))
    key = ProvisioningKeyFactory(tenant=tenant)

    assert client.post(page_url(tenant), {"name": "Okta"}).status_code == 403
    assert client.post(page_url(tenant, f"keys/{key.pk}/rotate/")).status_code == 403
    assert client.post(page_url(tenant, f"keys/{key.pk}/revoke/")).status_code == 403
    assert ProvisioningKey.objects.active().count() == 1


def test_rotation_adds_a_key_and_keeps_the_old_one_working(staff_client, tenant):
    old = ProvisioningKeyFactory(tenant=tenant, name="Okta")

    response = staff_client.post(page_url(tenant, f"keys/{old.pk}/rotate/"))

    new = ProvisioningKey.objects.exclude(pk=old.pk).get()
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert (new.name, new.tenant, new.is_active) == ("Okta", tenant, True)
    assert old.key_prefix in response.content.decode()
    assert page_url(tenant, f"keys/{old.pk}/revoke/") in response.content.decode()
    assert scim_client_for(old).get("/scim/v2/Users").status_code == 200


def test_revoked_and_foreign_keys_cannot_be_rotated(staff_client, tenant, other_tenant):
    revoked = ProvisioningKeyFactory(tenant=tenant)
    revoked.revoke()
    foreign = ProvisioningKeyFactory(tenant=other_tenant)

    assert staff_client.post(page_url(tenant, f"keys/{revoked.pk}/rotate/")).status_code == 404
    assert staff_client.post(page_url(tenant, f"keys/{foreign.pk}/rotate/")).status_code == 404
    assert staff_client.get(page_url(tenant, f"keys/{revoked.pk}/rotate/")).status_code == 405
    assert ProvisioningKey.objects.count() == 2


def test_revoking_asks_first_then_the_key_is_refused_at_once(staff_client, tenant):
    """RFC 7644 §3.12 / RFC 6750 §3.1: a revoked key's next request is a 401."""
    key = ProvisioningKeyFactory(tenant=tenant, name="Okta")
    idp = scim_client_for(key)
    assert idp.get("/scim/v2/Users").status_code == 200

    confirmation = staff_client.get(page_url(tenant, f"keys/{key.pk}/revoke/"))
    assert confirmation.status_code == 200
    assert "Revoke key" in confirmation.content.decode()
    key.refresh_from_db()
    assert key.is_active  # a GET changes nothing

    response = staff_client.post(page_url(tenant, f"keys/{key.pk}/revoke/"))

    assert (response.status_code, response["Location"]) == (302, page_url(tenant))
    key.refresh_from_db()
    assert not key.is_active
    assert idp.get("/scim/v2/Users").status_code == 401
    assert f"Key Okta ({key.key_prefix}…) revoked." in staff_client.get(page_url(tenant)).content.decode()


def test_revoking_twice_keeps_the_first_revocation_time(staff_client, tenant):
    key = ProvisioningKeyFactory(tenant=tenant)
    key.revoke()
    first = key.revoked_at

    staff_client.post(page_url(tenant, f"keys/{key.pk}/revoke/"))

    key.refresh_from_db()
    assert key.revoked_at == first


def test_another_tenants_key_cannot_be_seen_or_revoked(staff_client, tenant, other_tenant):
    foreign = ProvisioningKeyFactory(tenant=other_tenant)

    assert staff_client.get(page_url(tenant, f"keys/{foreign.pk}/revoke/")).status_code == 404
    assert staff_client.post(page_url(tenant, f"keys/{foreign.pk}/revoke/")).status_code == 404
    foreign.refresh_from_db()
    assert foreign.is_active


def test_activity_is_newest_first_of_this_tenant_only_and_filterable(staff_client, tenant, other_tenant):
    make_event(tenant, minutes_ago=5, user_name="old@example.com")
    make_event(
        tenant,
        minutes_ago=1,
        user_name="failed@example.com",
        outcome=ProvisioningEvent.Outcome.FAILED,
        status_code=409,
        scim_type="uniqueness",
    )
    make_event(other_tenant, user_name="theirs@example.com")

    html = staff_client.get(page_url(tenant)).content.decode()
    failed = staff_client.get(page_url(tenant), {"outcome": "failed"}).content.decode()

    assert html.index("failed@example.com") < html.index("old@example.com")
    assert "theirs@example.com" not in html
    assert "failed@example.com" in failed
    assert "old@example.com" not in failed
    assert "uniqueness" in failed


def test_activity_is_paginated_and_keeps_the_filter(staff_client, settings, tenant):
    override_scim_settings(settings, PAGE_EVENTS_PER_PAGE=2)
    for minutes in range(5):
        make_event(tenant, minutes_ago=minutes, user_name=f"user{minutes}@example.com")

    first = staff_client.get(page_url(tenant), {"outcome": "provisioned"}).content.decode()
    last = staff_client.get(page_url(tenant), {"outcome": "provisioned", "page": 3}).content.decode()

    assert "Page 1 of 3" in first
    assert "?outcome=provisioned&amp;page=2" in first
    assert "user4@example.com" in last
    assert "user0@example.com" not in last


def test_the_page_costs_the_same_queries_for_few_or_many_keys_and_events(
    staff_client, tenant, django_assert_max_num_queries
):
    """Keys load with their creators in one query; events one page at a time."""
    staff_client.get(page_url(tenant))  # warm the session
    budget = 8 if is_host() else 6  # session, user, tenant, keys, events count and page; the host's seats: 2
    for _ in range(2):
        ProvisioningKeyFactory.create_batch(10, tenant=tenant, created_by=UserFactory())
        for _ in range(30):
            make_event(tenant)
        with django_assert_max_num_queries(budget):
            assert staff_client.get(page_url(tenant)).status_code == 200


@pytest.mark.skipif(is_host(), reason="the example host's adapter requires a tenant")
def test_single_tenant_site_manages_the_keys_without_tenant(staff_client, tenant):
    tenantless = ProvisioningKeyFactory(tenant=None)
    tenant_key = ProvisioningKeyFactory(tenant=tenant)

    html = staff_client.get("/provisioning/").content.decode()
    staff_client.post("/provisioning/", {"name": "JumpCloud"})

    assert tenantless.key_prefix in html
    assert tenant_key.key_prefix not in html
    assert ProvisioningKey.objects.get(name="JumpCloud").tenant is None


@pytest.mark.skipif(not is_host(), reason="only an adapter that requires a tenant can be misconfigured so")
def test_a_hook_returning_no_tenant_for_a_tenant_adapter_is_a_configuration_error(staff_client):
    with pytest.raises(ImproperlyConfigured, match="requires one"):
        staff_client.get("/provisioning/")


@pytest.mark.skipif(not is_host(), reason="zero configuration has unlimited seats")
def test_without_a_free_seat_the_page_warns_that_new_users_arrive_inactive(staff_client, tenant):
    give_seats(tenant, 0)

    html = staff_client.get(page_url(tenant)).content.decode()

    assert "0 of 0 seats in use, 0 available." in html
    assert "scim-help scim-warning" in html
