"""Tenant isolation, endpoint by endpoint: tenant A's credentials never reach tenant B's data.

SCIM (RFC 7644 §3.2: the key decides what the client may see; DESIGN.md §3:
another tenant's user is indistinguishable from a missing one): for every
endpoint and method, A's key gets, for B's user, exactly the answer (status
and body) it gets for a random id or value, lists and counts hold A's users
only, B's rows are unchanged afterwards, and the failed attempt is recorded
in A's event log, not B's.

Pages: on the provisioning page (the default staff hook, and the example
product's organization admins) and in the Django admin, A's admin cannot see
B's keys or events, nor rotate or revoke B's keys: a 404 like a missing key.

The test ids name the endpoint, so the matrix reads in the test report.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from rest_framework.test import APIClient

from scim_provisioning.conf import scim_settings
from scim_provisioning.constants import PATCH_OP_SCHEMA
from scim_provisioning.models import ProvisionedUser, ProvisioningEvent, ProvisioningKey

from .conftest import is_host, override_scim_settings
from .factories import ProvisioningEventFactory, ProvisioningKeyFactory, UserFactory

USERS = "/scim/v2/Users"
SEARCH_REQUEST = "urn:ietf:params:scim:api:messages:2.0:SearchRequest"
EXAMPLE_TEMPLATES = Path(__file__).resolve().parent.parent / "example_project" / "templates"
pytestmark = pytest.mark.django_db


# --- the two tenants -----------------------------------------------------------------------------------


@pytest.fixture
def mine(create_user):
    """Tenant A's only user."""
    return create_user("ada@acme.example", externalId="acme-0001")


@pytest.fixture
def theirs(other_scim, create_user):
    """Tenant B's user, made by B's IdP; B has a second one, so B's count differs from A's."""
    create_user("grace.too@globex.example", client=other_scim, externalId="globex-0002")
    return create_user("grace@globex.example", client=other_scim, externalId="globex-0001")


def snapshot(tenant: Any) -> dict[str, list[dict[str, Any]]]:
    """Every row of ``tenant``: SCIM links, host users (and memberships), keys and events."""
    links = ProvisionedUser.objects.filter(tenant=tenant).order_by("pk")
    state = {
        "links": list(links.values()),
        "users": list(get_user_model().objects.filter(pk__in=links.values("user_id")).order_by("pk").values()),
        "keys": list(ProvisioningKey.objects.filter(tenant=tenant).order_by("pk").values()),
        "events": list(ProvisioningEvent.objects.filter(tenant=tenant).order_by("pk").values()),
    }
    if is_host():
        from accounts.models import Membership

        state["memberships"] = list(Membership.objects.filter(organization=tenant).order_by("pk").values())
    return state


def answer(response: Any, *secrets: str) -> tuple[int, str]:
    """Status and body, with the ids or values the request named blanked out, for comparison."""
    body = response.content.decode()
    for secret in secrets:
        body = body.replace(secret, "<sent>")
    return response.status_code, body


# --- SCIM: one resource -------------------------------------------------------------------------------


def patch_body(*operations: dict[str, Any]) -> dict[str, Any]:
    return {"schemas": [PATCH_OP_SCHEMA], "Operations": list(operations)}


def replacement(user_payload: Any) -> dict[str, Any]:
    return user_payload("taken.over@acme.example", name={"givenName": "Mallory"}, active=False)


RESOURCE_REQUESTS = {
    "GET /Users/{id}": lambda c, url, etag, body: c.get(url),
    "GET /Users/{id}?attributes": lambda c, url, etag, body: c.get(url, {"attributes": "userName,emails"}),
    "GET /Users/{id} If-None-Match": lambda c, url, etag, body: c.get(url, HTTP_IF_NONE_MATCH=etag),
    "GET /users/{id}/": lambda c, url, etag, body: c.get(url.replace("/Users/", "/users/") + "/"),
    "PUT /Users/{id}": lambda c, url, etag, body: c.put(url, body, format="json"),
    "PUT /Users/{id} If-Match": lambda c, url, etag, body: c.put(url, body, format="json", HTTP_IF_MATCH=etag),
    "PATCH /Users/{id} active": lambda c, url, etag, body: c.patch(
        url, patch_body({"op": "replace", "value": {"active": False}}), format="json"
    ),
    "PATCH /Users/{id} path": lambda c, url, etag, body: c.patch(
        url, patch_body({"op": "replace", "path": "name.givenName", "value": "Mallory"}), format="json"
    ),
    "PATCH /Users/{id} remove": lambda c, url, etag, body: c.patch(
        url, patch_body({"op": "remove", "path": "externalId"}), format="json"
    ),
    "PATCH /Users/{id} If-Match": lambda c, url, etag, body: c.patch(
        url, patch_body({"op": "replace", "path": "active", "value": False}), format="json", HTTP_IF_MATCH=etag
    ),
    "DELETE /Users/{id}": lambda c, url, etag, body: c.delete(url),
    "DELETE /Users/{id} If-Match": lambda c, url, etag, body: c.delete(url, HTTP_IF_MATCH=etag),
}


@pytest.mark.parametrize("endpoint", RESOURCE_REQUESTS)
def test_scim_another_tenants_user_is_a_missing_user(
    endpoint, scim, other_scim, tenant, other_tenant, provisioning_key, mine, theirs, user_payload
):
    """RFC 7644 §3.4.1, §3.5, §3.6: 404 for B's user, answered exactly as for an id that does not exist.

    Preconditions with B's own ETag (RFC 7644 §3.14) never turn the 404 into a 304 or 412.
    """
    request = RESOURCE_REQUESTS[endpoint]
    etag = other_scim.get(f"{USERS}/{theirs['id']}")["ETag"]
    missing = str(uuid.uuid4())
    b_before, b_as_b_sees_it = snapshot(other_tenant), other_scim.get(f"{USERS}/{theirs['id']}").json()
    last_event = ProvisioningEvent.objects.order_by("pk").last().pk

    attempt = request(scim, f"{USERS}/{theirs['id']}", etag, replacement(user_payload))
    control = request(scim, f"{USERS}/{missing}", etag, replacement(user_payload))

    assert attempt.status_code == 404
    assert answer(attempt, theirs["id"]) == answer(control, missing)
    assert snapshot(other_tenant) == b_before
    assert other_scim.get(f"{USERS}/{theirs['id']}").json() == b_as_b_sees_it
    # One failure event per request, both in A's log; B's user is not named in it.
    [event, _] = ProvisioningEvent.objects.filter(pk__gt=last_event).order_by("pk")
    assert (event.tenant, event.key_prefix, event.status_code) == (tenant, provisioning_key.key_prefix, 404)
    assert event.user_name in ("", "taken.over@acme.example")
    assert theirs["userName"] not in str(ProvisioningEvent.objects.filter(tenant=tenant).values())


# --- SCIM: lists, filters, counts ------------------------------------------------------------------------


def list_by_query(client: APIClient, filter_: str | None, **params: Any) -> Any:
    return client.get(USERS, {**({"filter": filter_} if filter_ else {}), **params})


def search_at(path: str):
    def search(client: APIClient, filter_: str | None, **params: Any) -> Any:
        body = {"schemas": [SEARCH_REQUEST], **({"filter": filter_} if filter_ else {}), **params}
        return client.post(path, body, format="json")

    return search


LISTS = {
    "GET /Users": list_by_query,
    "POST /Users/.search": search_at(f"{USERS}/.search"),
    "POST /.search": search_at("/scim/v2/.search"),
}

#: Filters that match B's user; each is also sent with values nobody has.
FILTERS = {
    "userName eq": 'userName eq "{userName}"',
    "userName eq, other case": 'userName eq "{userNameUpper}"',
    "userName co": 'userName co "{localPart}"',
    "userName sw": 'userName sw "{localPart}"',
    "externalId eq": 'externalId eq "{externalId}"',
    "emails eq": 'emails eq "{email}"',
    "emails.value eq": 'emails.value eq "{email}"',
    "emails[value eq]": 'emails[value eq "{email}"]',
    'emails[type eq "work"].value eq': 'emails[type eq "work"].value eq "{email}"',
    "id eq": 'id eq "{id}"',
    "userName or externalId": 'userName eq "{userName}" or externalId eq "{externalId}"',
}


def filter_values(user: dict[str, Any]) -> dict[str, str]:
    return {
        "userName": user["userName"],
        "userNameUpper": user["userName"].upper(),
        "localPart": user["userName"].split("@")[0],
        "externalId": user["externalId"],
        "email": user["emails"][0]["value"],
        "id": user["id"],
    }


NOBODY = {
    "userName": "nobody@nowhere.example",
    "userNameUpper": "NOBODY@NOWHERE.EXAMPLE",
    "localPart": "nobody",
    "externalId": "no-such-external-id",
    "email": "nobody@nowhere.example",
    "id": "00000000-0000-4000-8000-000000000000",
}


@pytest.mark.parametrize("filter_name", FILTERS)
@pytest.mark.parametrize("endpoint", LISTS)
@pytest.mark.parametrize("count", [None, 0], ids=["page", "count=0"])
def test_scim_filters_never_find_another_tenants_user(endpoint, filter_name, count, scim, mine, theirs):
    """RFC 7644 §3.4.2.2 and §3.4.3: B's user matches nothing; the answer equals a filter for nobody."""
    template, params = FILTERS[filter_name], ({} if count is None else {"count": count})

    attempt = LISTS[endpoint](scim, template.format(**filter_values(theirs)), **params)
    control = LISTS[endpoint](scim, template.format(**NOBODY), **params)

    assert attempt.status_code == 200, attempt.content
    assert attempt.json()["totalResults"] == 0
    assert attempt.json() == control.json()


#: Filters (or none) that match every user of the tenant.
EVERYONE = {
    "no filter": None,
    "userName pr": "userName pr",
    "id pr": "id pr",
    'meta.resourceType eq "User"': 'meta.resourceType eq "User"',
    'meta.created gt "2000-01-01T00:00:00Z"': 'meta.created gt "2000-01-01T00:00:00Z"',
    'not (userName eq "x")': 'not (userName eq "x")',
}


@pytest.mark.parametrize("filter_name", EVERYONE)
@pytest.mark.parametrize("endpoint", LISTS)
@pytest.mark.parametrize("count", [None, 0, 1000], ids=["page", "count=0", "count=1000"])
def test_scim_lists_and_counts_hold_only_the_keys_tenant(endpoint, filter_name, count, scim, other_scim, mine, theirs):
    """RFC 7644 §3.4.2: totalResults counts A's users only, at every page size, count=0 included."""
    params = {} if count is None else {"count": count}

    listed = LISTS[endpoint](scim, EVERYONE[filter_name], sortBy="userName", **params).json()
    theirs_listed = LISTS[endpoint](other_scim, EVERYONE[filter_name], **params).json()

    assert listed["totalResults"] == 1
    assert [r["id"] for r in listed.get("Resources", [])] == ([] if count == 0 else [mine["id"]])
    assert theirs_listed["totalResults"] == 2  # the control: B's key sees B's two users


def test_scim_provisioning_another_tenants_member_by_email_never_changes_that_member(
    scim, other_scim, other_tenant, theirs, user_payload
):
    """DESIGN.md §3: every write is scoped to the key's tenant, so B's member is B's alone."""
    before, b_as_b_sees_it = snapshot(other_tenant), other_scim.get(f"{USERS}/{theirs['id']}").json()

    created = scim.post(USERS, user_payload(theirs["userName"]), format="json")
    if created.status_code == 201:
        changed = user_payload("mallory@attacker.example", name={"givenName": "Mallory"})
        scim.put(f"{USERS}/{created.json()['id']}", changed, format="json")

    assert other_scim.get(f"{USERS}/{theirs['id']}").json() == b_as_b_sees_it
    assert snapshot(other_tenant)["users"] == before["users"]


# --- pages: the provisioning page and its hooks ----------------------------------------------------------


class Hook:
    """How a tenant admin reaches the provisioning page, and what a page of a tenant is."""

    def __init__(self, name: str) -> None:
        self.name = name

    def install(self, settings: Any) -> None:
        if self.name == "organization admin":
            settings.ROOT_URLCONF = "example.urls"
            settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [EXAMPLE_TEMPLATES]}]
            override_scim_settings(settings, PAGE_ACCESS="accounts.scim.OrganizationAdminAccess")

    def admin_of(self, tenant: Any) -> Any:
        if self.name == "organization admin":
            from accounts.models import Membership

            user = UserFactory()
            Membership.objects.create(user=user, organization=tenant, is_admin=True)
            return user
        return UserFactory(is_staff=True)

    def page(self, tenant: Any, suffix: str = "") -> str:
        if self.name == "organization admin":
            return f"/orgs/{tenant.slug}/administration/users/provisioning/{suffix}"
        value = getattr(tenant, scim_settings.TENANT_LOOKUP_FIELD or "pk")
        return f"/tenants/{value}/provisioning/{suffix}"

    def missing_page(self, suffix: str = "") -> str:
        if self.name == "organization admin":
            return f"/orgs/no-such-organization/administration/users/provisioning/{suffix}"
        return f"/tenants/{'no-such-tenant' if scim_settings.TENANT_LOOKUP_FIELD else 999999}/provisioning/{suffix}"


HOOKS = [
    pytest.param(Hook("staff"), id="staff hook"),
    pytest.param(
        Hook("organization admin"),
        id="organization admin hook",
        marks=pytest.mark.skipif(not is_host(), reason="the example product's hook needs its models"),
    ),
]


@pytest.fixture
def two_tenants(tenant, other_tenant):
    """Each tenant with an active key, a revoked key and activity; B's names are all 'globex'."""
    made = {}
    for owner, word in ((tenant, "acme"), (other_tenant, "globex")):
        active = ProvisioningKeyFactory(tenant=owner, name=f"{word} Okta")
        revoked = ProvisioningKeyFactory(tenant=owner, name=f"{word} old Entra")
        revoked.revoke()
        ProvisioningEventFactory(tenant=owner, user_name=f"provisioned@{word}.example")
        ProvisioningEventFactory(
            tenant=owner,
            user_name=f"failed@{word}.example",
            outcome=ProvisioningEvent.Outcome.FAILED,
            status_code=409,
            scim_type="uniqueness",
            key_prefix=active.key_prefix,
        )
        made[word] = {"active": active, "revoked": revoked}
    return made


def missing_key_id() -> int:
    return (ProvisioningKey.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1000


KEY_ACTIONS = {
    "GET revoke confirmation": ("get", "keys/{key}/revoke/"),
    "POST revoke": ("post", "keys/{key}/revoke/"),
    "POST rotate": ("post", "keys/{key}/rotate/"),
}


@pytest.mark.parametrize("key_state", ["active", "revoked"])
@pytest.mark.parametrize("action", KEY_ACTIONS)
@pytest.mark.parametrize("hook", HOOKS)
def test_page_another_tenants_key_is_a_missing_key(
    hook, action, key_state, settings, client, tenant, other_tenant, two_tenants
):
    """B's key, named on A's page, is a 404 exactly like a key id that does not exist."""
    hook.install(settings)
    client.force_login(hook.admin_of(tenant))
    method, suffix = KEY_ACTIONS[action]
    b_key = two_tenants["globex"][key_state]
    before, keys_before = snapshot(other_tenant), ProvisioningKey.objects.count()

    attempt = getattr(client, method)(hook.page(tenant, suffix.format(key=b_key.pk)))
    control = getattr(client, method)(hook.page(tenant, suffix.format(key=missing_key_id())))

    assert attempt.status_code == 404
    assert (attempt.status_code, attempt.content) == (control.status_code, control.content)
    assert snapshot(other_tenant) == before
    assert ProvisioningKey.objects.count() == keys_before
    # The control: the same action on A's own key works.
    own = getattr(client, method)(hook.page(tenant, suffix.format(key=two_tenants["acme"]["active"].pk)))
    assert own.status_code in (200, 302)


@pytest.mark.parametrize("query", ["", "?outcome=failed", "?outcome=provisioned", "?page=2"])
@pytest.mark.parametrize("hook", HOOKS)
def test_page_shows_only_its_own_tenants_keys_and_events(hook, query, settings, client, tenant, two_tenants):
    hook.install(settings)
    client.force_login(hook.admin_of(tenant))

    response = client.get(hook.page(tenant) + query)

    html = response.content.decode()
    assert response.status_code == 200
    assert "globex" not in html.lower()
    for key in two_tenants["globex"].values():
        assert key.key_prefix not in html
        assert f"keys/{key.pk}/" not in html
    if query in ("", "?outcome=failed"):
        assert "failed@acme.example" in html  # the control: A's own activity is there
    if query == "":
        assert two_tenants["acme"]["active"].key_prefix in html


#: Every request the page answers, on B's page, for an admin of A only.
OTHER_PAGE_REQUESTS = {
    "GET page": ("get", "", {}),
    "GET page ?outcome=failed": ("get", "?outcome=failed", {}),
    "POST generate": ("post", "", {"name": "Mallory"}),
    "GET revoke confirmation": ("get", "keys/{key}/revoke/", {}),
    "POST revoke": ("post", "keys/{key}/revoke/", {}),
    "POST rotate": ("post", "keys/{key}/rotate/", {}),
}


@pytest.mark.skipif(not is_host(), reason="the default hook lets staff manage every tenant, by design")
@pytest.mark.parametrize("request_name", OTHER_PAGE_REQUESTS)
def test_page_of_another_organization_is_a_missing_page(
    request_name, settings, client, tenant, other_tenant, two_tenants
):
    """The example's hook: B's page answers A's admin exactly as an organization that does not exist."""
    hook = Hook("organization admin")
    hook.install(settings)
    client.force_login(hook.admin_of(tenant))
    method, suffix, data = OTHER_PAGE_REQUESTS[request_name]
    suffix = suffix.format(key=two_tenants["globex"]["active"].pk)
    before, keys_before = snapshot(other_tenant), ProvisioningKey.objects.count()

    attempt = getattr(client, method)(hook.page(other_tenant, suffix), data)
    control = getattr(client, method)(hook.missing_page(suffix), data)

    assert attempt.status_code == 404
    assert (attempt.status_code, attempt.content) == (control.status_code, control.content)
    assert snapshot(other_tenant) == before
    assert ProvisioningKey.objects.count() == keys_before


# --- the Django admin -----------------------------------------------------------------------------------


def admin_url(name: str, *args: Any) -> str:
    return reverse(f"admin:scim_provisioning_{name}", args=args)


ADMIN_REQUESTS = {
    "keys: list": lambda b: ("get", admin_url("provisioningkey_changelist"), {}),
    "keys: B's key": lambda b: ("get", admin_url("provisioningkey_change", b["key"].pk), {}),
    "keys: change B's key": lambda b: (
        "post",
        admin_url("provisioningkey_change", b["key"].pk),
        {"name": "Mallory", "_save": "Save"},
    ),
    "keys: delete B's key": lambda b: ("post", admin_url("provisioningkey_delete", b["key"].pk), {"post": "yes"}),
    "keys: add a key for B": lambda b: (
        "post",
        admin_url("provisioningkey_add"),
        {"name": "Mallory", "tenant": b["tenant"].pk, "_save": "Save"},
    ),
    "keys: revoke action": lambda b: (
        "post",
        admin_url("provisioningkey_changelist"),
        {"action": "revoke_keys", "_selected_action": [b["key"].pk], "index": 0},
    ),
    "keys: rotate action": lambda b: (
        "post",
        admin_url("provisioningkey_changelist"),
        {"action": "rotate_keys", "_selected_action": [b["key"].pk], "index": 0},
    ),
    "events: list": lambda b: ("get", admin_url("provisioningevent_changelist"), {}),
    "events: B's event": lambda b: ("get", admin_url("provisioningevent_change", b["event"].pk), {}),
    "events: delete B's event": lambda b: (
        "post",
        admin_url("provisioningevent_delete", b["event"].pk),
        {"post": "yes"},
    ),
    "provisioned users: list": lambda b: ("get", admin_url("provisioneduser_changelist"), {}),
}


@pytest.mark.parametrize("request_name", ADMIN_REQUESTS)
def test_admin_is_closed_to_tenant_admins(
    request_name, client, admin_client, tenant, other_tenant, two_tenants, theirs
):
    """The Django admin is for the host's staff: a tenant's admin is sent to its login page, and nothing changes."""
    if is_host():
        tenant_admin = Hook("organization admin").admin_of(tenant)
    else:
        tenant_admin = UserFactory(is_staff=False)
    client.force_login(tenant_admin)
    b = {
        "tenant": other_tenant,
        "key": two_tenants["globex"]["active"],
        "event": ProvisioningEvent.objects.filter(tenant=other_tenant).first(),
    }
    method, url, data = ADMIN_REQUESTS[request_name](b)
    before, keys_before = snapshot(other_tenant), ProvisioningKey.objects.count()

    response = getattr(client, method)(url, data)

    assert response.status_code == 302
    assert response["Location"].startswith(f"{reverse('admin:login')}?next=")
    assert "globex" not in response.content.decode().lower()
    assert snapshot(other_tenant) == before
    assert ProvisioningKey.objects.count() == keys_before
    # The control: the host's staff do reach it.
    assert admin_client.get(url).status_code == 200
