"""Admin: keys are created and rotated with the raw key shown once, listed, revoked; links and events are read-only."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from scim_provisioning import keys
from scim_provisioning.models import ProvisionedUser, ProvisioningEvent, ProvisioningKey

from .conftest import override_scim_settings
from .factories import ProvisioningEventFactory, ProvisioningKeyFactory, TenantFactory, UserFactory

KEY_CHANGELIST = reverse("admin:scim_provisioning_provisioningkey_changelist")
KEY_ADD = reverse("admin:scim_provisioning_provisioningkey_add")
USER_CHANGELIST = reverse("admin:scim_provisioning_provisioneduser_changelist")
USER_ADD = reverse("admin:scim_provisioning_provisioneduser_add")
EVENT_CHANGELIST = reverse("admin:scim_provisioning_provisioningevent_changelist")
EVENT_ADD = reverse("admin:scim_provisioning_provisioningevent_add")
KEY_CREATED_TEMPLATE = "admin/scim_provisioning/provisioningkey/key_created.html"
SHOWN_KEY = re.compile(r'<input[^>]*\bid="(scim-key-\d+)"[^>]*\bvalue="([^"]*)"[^>]*>')


def add_key(admin_client: Any, tenant: Any, name: str = "Okta") -> Any:
    return admin_client.post(KEY_ADD, {"name": name, "tenant": tenant.pk, "_save": "Save"})


def shown_keys(response: Any) -> list[str]:
    """The raw keys a key-created page shows, each in a read-only input with its label."""
    content = response.content.decode()
    found = []
    for match in SHOWN_KEY.finditer(content):
        field_id, raw = match.groups()
        assert " readonly" in match.group(0)
        assert f'<label for="{field_id}">' in content
        found.append(raw)
    return found


def assert_shown_once(admin_client: Any, response: Any, raw: str) -> None:
    """The raw key is on this page once, and in no cookie, message, session or cache."""
    assert response.status_code == 200
    assert response.content.decode().count(raw) == 1
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]
    assert all(raw not in morsel.value for morsel in response.cookies.values())
    assert all(raw not in morsel.value for morsel in admin_client.cookies.values())
    assert not [m for m in get_messages(response.wsgi_request) if raw in str(m)]
    assert all(raw not in str(session.get_decoded()) for session in Session.objects.all())


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
    """The key is shown on the answer to the add form itself: no redirect, no message, never cached."""
    response = add_key(admin_client, tenant)

    assert response.status_code == 200
    assert [t.name for t in response.templates][0] == KEY_CREATED_TEMPLATE
    key = ProvisioningKey.objects.get()
    assert key.name == "Okta"
    assert key.tenant == tenant
    assert key.created_by == admin_user
    [raw] = shown_keys(response)
    assert raw.startswith(key.key_prefix)
    assert len(raw) >= len("scim_") + 43
    assert keys.hash_key(raw) == key.key_digest
    assert_shown_once(admin_client, response, raw)
    content = response.content.decode()
    assert 'value="https://app.example.com/scim/v2"' in content
    assert "shown once" in content
    assert f'href="{KEY_CHANGELIST}"' in content
    assert key.key_digest not in content


def test_the_add_form_still_validates_before_any_key_is_made(admin_client: Any, tenant: Any) -> None:
    response = admin_client.post(KEY_ADD, {"name": "", "tenant": tenant.pk, "_save": "Save"})

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["name"]
    assert not ProvisioningKey.objects.exists()
    assert shown_keys(response) == []


def test_raw_key_from_the_admin_authenticates(admin_client: Any, tenant: Any) -> None:
    [raw] = shown_keys(add_key(admin_client, tenant))

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert client.get("/scim/v2/Users").status_code == 200


def test_raw_key_is_not_shown_again(admin_client: Any, tenant: Any) -> None:
    [raw] = shown_keys(add_key(admin_client, tenant))
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
    assert response.redirect_chain[-1][0] == KEY_CHANGELIST
    assert shown_keys(response) == []


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
        ("https://idp-facing.example.org/api/scim/2.0/", "https://idp-facing.example.org/api/scim/2.0"),
        (None, "http://testserver/scim/v2"),
    ],
)
def test_key_created_page_shows_the_configured_scim_url(
    settings: Any, admin_client: Any, tenant: Any, base_url: str | None, shown: str
) -> None:
    override_scim_settings(settings, BASE_URL=base_url)

    response = add_key(admin_client, tenant)

    assert '<label for="scim-url">' in response.content.decode()
    assert f'id="scim-url" class="vTextField" value="{shown}" readonly' in response.content.decode()


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


def test_the_key_created_page_forbids_caching_by_itself(rf: Any, admin_user: Any, tenant: Any) -> None:
    """RFC 9111 §5.2.2.5: ``no-store``, set by the page itself, not only by the admin site's wrapper."""
    key = ProvisioningKeyFactory(tenant=tenant)
    request = rf.get(KEY_CHANGELIST)
    request.user = admin_user
    model_admin = admin.site._registry[ProvisioningKey]

    response = model_admin.key_created_response(request, [(key, key.raw_key)]).render()

    assert "no-store" in response["Cache-Control"]
    assert shown_keys(response) == [key.raw_key]


# --- rotation --------------------------------------------------------------------------------


def rotate(admin_client: Any, selected: list[ProvisioningKey], **extra: Any) -> Any:
    data = {"action": "rotate_keys", "_selected_action": [key.pk for key in selected], "index": 0}
    return admin_client.post(KEY_CHANGELIST, data, **extra)


def test_rotate_keys_action_adds_a_successor_to_each_active_key(
    admin_client: Any, admin_user: Any, tenant: Any, other_tenant: Any
) -> None:
    """Rotation without downtime: the new key works at once, and so does the old one until it is revoked."""
    okta = ProvisioningKeyFactory(tenant=tenant, name="Okta")
    entra = ProvisioningKeyFactory(tenant=other_tenant, name="Entra ID")
    revoked = ProvisioningKeyFactory(tenant=tenant, name="Old")
    revoked.revoke()
    untouched = ProvisioningKeyFactory(tenant=tenant, name="Untouched")
    before = set(ProvisioningKey.objects.values_list("pk", flat=True))

    response = rotate(admin_client, [okta, entra, revoked])

    assert [t.name for t in response.templates][0] == KEY_CREATED_TEMPLATE
    new_keys = list(ProvisioningKey.objects.exclude(pk__in=before).order_by("created_at", "pk"))
    assert [(key.name, key.tenant) for key in new_keys] == [("Okta", tenant), ("Entra ID", other_tenant)]
    assert all(key.created_by == admin_user and key.is_active for key in new_keys)
    raws = shown_keys(response)
    assert [keys.hash_key(raw) for raw in raws] == [key.key_digest for key in new_keys]
    for raw in raws:
        assert_shown_once(admin_client, response, raw)
    for old in (okta, entra, untouched):
        old.refresh_from_db()
        assert old.is_active
    assert "1 revoked key was skipped: only active keys are rotated." in response.content.decode()
    for raw, old in zip(raws, (okta, entra), strict=True):
        for key in (raw, old.raw_key):
            client = APIClient()
            client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
            assert client.get("/scim/v2/Users").status_code == 200


def test_rotating_only_revoked_keys_creates_nothing(admin_client: Any, tenant: Any) -> None:
    revoked = ProvisioningKeyFactory(tenant=tenant)
    revoked.revoke()

    response = rotate(admin_client, [revoked], follow=True)

    assert response.redirect_chain[-1][0] == KEY_CHANGELIST
    assert ProvisioningKey.objects.count() == 1
    assert "1 revoked key was skipped: only active keys are rotated." in [str(m) for m in response.context["messages"]]


def test_rotation_needs_the_add_permission(client: Any, tenant: Any) -> None:
    """Rotating creates keys, so staff who may only change keys cannot rotate them."""
    staff = UserFactory(is_staff=True)
    staff.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="scim_provisioning", codename__in=["view_provisioningkey", "change_provisioningkey"]
        )
    )
    client.force_login(staff)
    key = ProvisioningKeyFactory(tenant=tenant)

    changelist = client.get(KEY_CHANGELIST)
    response = rotate(client, [key])

    actions = [name for name, _ in changelist.context["action_form"].fields["action"].choices]
    assert "revoke_keys" in actions
    assert "rotate_keys" not in actions
    assert response.status_code == 302
    assert ProvisioningKey.objects.count() == 1


# --- the event log ---------------------------------------------------------------------------


def test_event_admin_is_read_only_but_allows_deleting(admin_client: Any, tenant: Any) -> None:
    """Staff can read the log and erase events (a person's data), but never write one."""
    event = ProvisioningEventFactory(tenant=tenant, user_name="bjensen@example.com")
    change_url = reverse("admin:scim_provisioning_provisioningevent_change", args=[event.pk])
    request = admin_client.get(EVENT_CHANGELIST).wsgi_request
    model_admin = admin.site._registry[ProvisioningEvent]

    assert model_admin.has_add_permission(request) is False
    assert model_admin.has_change_permission(request, event) is False
    assert model_admin.has_delete_permission(request, event) is True
    assert admin_client.get(EVENT_ADD).status_code == 403
    change_page = admin_client.get(change_url)
    assert change_page.status_code == 200
    assert 'name="_save"' not in change_page.content.decode()
    assert admin_client.post(change_url, {"user_name": "changed@example.com"}).status_code == 403
    event.refresh_from_db()
    assert event.user_name == "bjensen@example.com"

    response = admin_client.post(
        EVENT_CHANGELIST, {"action": "delete_selected", "_selected_action": [event.pk], "post": "yes"}, follow=True
    )

    assert response.status_code == 200
    assert not ProvisioningEvent.objects.exists()


def test_event_changelist_shows_the_columns_an_admin_needs(admin_client: Any, tenant: Any) -> None:
    ProvisioningEventFactory(
        tenant=tenant,
        outcome=ProvisioningEvent.Outcome.FAILED,
        method="PUT",
        path="/scim/v2/Users/42",
        status_code=409,
        scim_type="uniqueness",
        user_name="bjensen@example.com",
        key_prefix="scim_Prefix12",
        user_agent="Okta SCIM Client 1.0.0",
    )

    response = admin_client.get(EVENT_CHANGELIST)

    assert response.status_code == 200
    table = response.content.decode().split('id="result_list"', 1)[1].split("</table>", 1)[0]
    headers = ["Time", "Tenant", "Outcome", "Method", "Path", "HTTP status", "ScimType", "UserName", "Key prefix"]
    for header in [*headers, "User agent"]:
        assert f">{header}</a>" in table, header
    cells = re.findall(r"<t[dh][^>]*>(?:<a [^>]*>)?([^<]*)", table.split("</thead>", 1)[1])
    for value in ("Acme", "failed", "PUT", "/scim/v2/Users/42", "409", "uniqueness", "bjensen@example.com"):
        assert value in cells, (value, cells)
    assert "scim_Prefix12" in cells
    assert "Okta SCIM Client 1.0.0" in cells


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("user_name", "ada@example.com"),
        ("resource_id", "2819c223-7f76-453a-919d-413861904646"),
        ("key_prefix", "scim_Rotated1"),
        ("detail", "A user with userName 'grace' already exists."),
    ],
)
def test_event_changelist_searches(admin_client: Any, tenant: Any, field: str, value: str) -> None:
    wanted = ProvisioningEventFactory(tenant=tenant, **{field: value})
    ProvisioningEventFactory.create_batch(3, tenant=tenant)

    response = admin_client.get(EVENT_CHANGELIST, {"q": value})

    assert list(response.context["cl"].queryset) == [wanted]


def test_event_changelist_filters_by_outcome_status_and_date(admin_client: Any, tenant: Any) -> None:
    failed = ProvisioningEventFactory(tenant=tenant, outcome=ProvisioningEvent.Outcome.FAILED, status_code=401)
    provisioned = ProvisioningEventFactory(tenant=tenant)
    old = ProvisioningEventFactory(tenant=tenant, created_at=timezone.now() - timedelta(days=800))

    def shown(**params: Any) -> list[ProvisioningEvent]:
        return list(admin_client.get(EVENT_CHANGELIST, params).context["cl"].queryset)

    assert shown(outcome__exact="failed") == [failed]
    assert shown(status_code__exact="401") == [failed]
    assert set(shown(outcome__exact="provisioned")) == {provisioned, old}
    assert shown(created_at__year=str(old.created_at.year)) == [old]


def test_event_changelist_costs_the_same_for_many_tenants(admin_client: Any, django_assert_num_queries: Any) -> None:
    """The tenant column comes with the events (list_select_related), not one query per row."""
    ProvisioningEventFactory(tenant=TenantFactory())
    admin_client.get(EVENT_CHANGELIST)
    with CaptureQueriesContext(connection) as one_tenant:
        assert admin_client.get(EVENT_CHANGELIST).status_code == 200
    for _ in range(5):
        ProvisioningEventFactory(tenant=TenantFactory())

    with django_assert_num_queries(len(one_tenant)):
        response = admin_client.get(EVENT_CHANGELIST)
    assert len(response.context["cl"].result_list) == 6
