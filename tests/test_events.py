"""The provisioning event log: one row per SCIM write and per failed SCIM request, without secrets."""

from __future__ import annotations

import logging
import uuid

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from scim_provisioning.constants import ERROR_SCHEMA, MEDIA_TYPE, PATCH_OP_SCHEMA
from scim_provisioning.models import ProvisionedUser, ProvisioningEvent

from .conftest import override_scim_settings, scim_client_for
from .factories import ProvisioningKeyFactory

USERS = "/scim/v2/Users"
SEARCH_REQUEST = "urn:ietf:params:scim:api:messages:2.0:SearchRequest"
OKTA_AGENT = "Okta SCIM Client 1.0.0"
Outcome = ProvisioningEvent.Outcome
pytestmark = pytest.mark.django_db


def patch_body(*operations):
    return {"schemas": [PATCH_OP_SCHEMA], "Operations": list(operations)}


def max_length(field_name):
    return ProvisioningEvent._meta.get_field(field_name).max_length


def new_events(before):
    """Events recorded after ``before`` (a list of the events that existed), oldest first."""
    seen = {event.pk for event in before}
    return [event for event in ProvisioningEvent.objects.order_by("pk") if event.pk not in seen]


def last_event():
    return ProvisioningEvent.objects.order_by("pk").last()


def event_inserts(context):
    table = ProvisioningEvent._meta.db_table
    return [q["sql"] for q in context.captured_queries if q["sql"].startswith(f'INSERT INTO "{table}"')]


# --- successful writes -------------------------------------------------------------------------


def test_post_records_a_provisioned_event(scim, tenant, provisioning_key, user_payload):
    """RFC 7644 §3.3: a 201 from POST /Users is a user provisioned, with its new id."""
    response = scim.post(USERS, user_payload(), format="json", HTTP_USER_AGENT=OKTA_AGENT)

    assert response.status_code == 201
    event = ProvisioningEvent.objects.get()
    assert event.outcome == Outcome.PROVISIONED
    assert event.tenant == tenant
    assert event.key_prefix == provisioning_key.key_prefix
    assert (event.method, event.path) == ("POST", USERS)
    assert event.resource_id == response.json()["id"]
    assert event.user_name == "bjensen@example.com"
    assert event.status_code == 201
    assert (event.scim_type, event.detail) == ("", "")
    assert event.user_agent == OKTA_AGENT


@pytest.mark.parametrize("method", ["put", "patch"])
def test_replace_records_an_updated_event(scim, tenant, provisioning_key, create_user, user_payload, method):
    """RFC 7644 §3.5.1 (PUT) and §3.5.2 (PATCH): a change that leaves ``active`` alone is an update."""
    created = create_user()
    url = f"{USERS}/{created['id']}"
    if method == "put":
        response = scim.put(url, user_payload("barbara@example.com"), format="json")
    else:
        operation = {"op": "replace", "path": "userName", "value": "barbara@example.com"}
        response = scim.patch(url, patch_body(operation), format="json")

    assert response.status_code == 200
    event = last_event()
    assert event.outcome == Outcome.UPDATED
    assert (event.method, event.path, event.status_code) == (method.upper(), url, 200)
    assert event.resource_id == created["id"]
    assert event.user_name == "barbara@example.com"
    assert event.tenant == tenant
    assert event.key_prefix == provisioning_key.key_prefix


def test_active_changes_record_suspended_and_reactivated(scim, create_user, user_payload):
    """DESIGN §3.1: ``active`` false suspends, true restores; a change that keeps it is an update.

    Okta deactivates by PATCH ``{"op": "replace", "value": {"active": false}}`` or by PUT.
    """
    created = create_user()
    url = f"{USERS}/{created['id']}"
    deactivate = patch_body({"op": "replace", "value": {"active": False}})
    rename = patch_body({"op": "replace", "path": "name.givenName", "value": "Babs"})

    steps = [
        lambda: scim.patch(url, deactivate, format="json"),
        lambda: scim.patch(url, rename, format="json"),
        lambda: scim.put(url, user_payload(active=True), format="json"),
        lambda: scim.put(url, user_payload(active=False), format="json"),
        lambda: scim.patch(url, deactivate, format="json"),
        lambda: scim.patch(url, patch_body({"op": "replace", "path": "active", "value": "True"}), format="json"),
    ]
    outcomes = []
    for step in steps:
        assert step().status_code == 200
        outcomes.append(last_event().outcome)

    assert outcomes == [
        Outcome.SUSPENDED,
        Outcome.UPDATED,
        Outcome.REACTIVATED,
        Outcome.SUSPENDED,
        Outcome.UPDATED,
        Outcome.REACTIVATED,
    ]


def test_delete_records_a_deprovisioned_event(scim, tenant, create_user):
    """RFC 7644 §3.6: a 204 from DELETE is a user deprovisioned; the event keeps its id and userName."""
    created = create_user()

    assert scim.delete(f"{USERS}/{created['id']}").status_code == 204

    event = last_event()
    assert event.outcome == Outcome.DEPROVISIONED
    assert (event.method, event.status_code) == ("DELETE", 204)
    assert event.resource_id == created["id"]
    assert event.user_name == "bjensen@example.com"
    assert event.tenant == tenant
    assert not ProvisionedUser.objects.exists()


def test_a_lifecycle_records_one_event_per_write(scim, create_user, user_payload):
    created = create_user()
    url = f"{USERS}/{created['id']}"
    scim.patch(url, patch_body({"op": "replace", "value": {"active": False}}), format="json")
    scim.put(url, user_payload(active=True), format="json")
    scim.delete(url)

    assert list(ProvisioningEvent.objects.order_by("pk").values_list("outcome", "status_code")) == [
        (Outcome.PROVISIONED, 201),
        (Outcome.SUSPENDED, 200),
        (Outcome.REACTIVATED, 200),
        (Outcome.DEPROVISIONED, 204),
    ]


# --- successful reads --------------------------------------------------------------------------


def test_successful_reads_record_nothing(scim, create_user):
    """RFC 7644 §3.4: reads change nothing; lists, searches, discovery and 304s leave no event."""
    created = create_user()
    url = f"{USERS}/{created['id']}"
    etag = scim.get(url)["ETag"]
    before = list(ProvisioningEvent.objects.all())

    responses = [
        scim.get(USERS),
        scim.get(USERS, {"filter": 'userName eq "BJENSEN@example.com"', "count": 1}),
        scim.get(url),
        scim.get(url, HTTP_IF_NONE_MATCH=etag),
        scim.post(f"{USERS}/.search", {"schemas": [SEARCH_REQUEST], "filter": "active eq true"}, format="json"),
        scim.post("/scim/v2/.search", {"schemas": [SEARCH_REQUEST]}, format="json"),
        scim.get("/scim/v2/ServiceProviderConfig"),
        scim.get("/scim/v2/ResourceTypes"),
        scim.get("/scim/v2/Schemas"),
        scim.options(USERS),
    ]

    assert [r.status_code for r in responses] == [200, 200, 200, 304, 200, 200, 200, 200, 200, 200]
    assert new_events(before) == []


# --- failures ----------------------------------------------------------------------------------


def test_failed_post_leaves_one_failure_event_and_no_user(scim, tenant, provisioning_key, create_user, user_payload):
    """RFC 7644 §3.3: a duplicate userName (any case, RFC 7643 §4.1.1) is 409 uniqueness, and nothing is written."""
    create_user()
    users, links = get_user_model().objects.count(), ProvisionedUser.objects.count()
    before = list(ProvisioningEvent.objects.all())

    response = scim.post(USERS, user_payload("BJensen@Example.com"), format="json", HTTP_USER_AGENT=OKTA_AGENT)

    assert response.status_code == 409
    assert (get_user_model().objects.count(), ProvisionedUser.objects.count()) == (users, links)
    [event] = new_events(before)
    assert event.outcome == Outcome.FAILED
    assert event.status_code == 409
    assert event.scim_type == "uniqueness"
    assert event.detail == response.json()["detail"]
    assert event.user_name == "BJensen@Example.com"
    assert event.resource_id == ""
    assert event.tenant == tenant
    assert event.key_prefix == provisioning_key.key_prefix
    assert event.user_agent == OKTA_AGENT


def test_a_failure_after_the_host_user_was_written_is_recorded_after_the_rollback(scim, settings, user_payload):
    """The adapter writes the host user, then fails: the write is rolled back, its failure event is kept."""
    override_scim_settings(settings, USER_ADAPTER="tests.broken.ExplodingAdapter")

    response = scim.post(USERS, user_payload(), format="json")

    assert response.status_code == 500
    assert not get_user_model().objects.filter(email="bjensen@example.com").exists()
    assert not ProvisionedUser.objects.exists()
    event = ProvisioningEvent.objects.get()
    assert (event.outcome, event.status_code) == (Outcome.FAILED, 500)
    assert event.detail == "Internal server error."
    assert event.user_name == "bjensen@example.com"


def test_failed_put_records_the_links_user_name(scim, create_user, user_payload):
    """RFC 7644 §3.14: a stale If-Match is 412; the event names the user it was about."""
    created = create_user()
    url = f"{USERS}/{created['id']}"

    response = scim.put(url, user_payload("renamed@example.com"), format="json", HTTP_IF_MATCH='W/"stale"')

    assert response.status_code == 412
    event = last_event()
    assert (event.outcome, event.status_code, event.method) == (Outcome.FAILED, 412, "PUT")
    assert event.resource_id == created["id"]
    assert event.user_name == "bjensen@example.com"


def test_failed_put_of_an_unknown_user_records_the_sent_user_name(scim, user_payload):
    """RFC 7644 §3.12: 404 for an unknown id; Entra's ``UserName`` is matched in any case."""
    unknown = str(uuid.uuid4())
    body = user_payload()
    body["UserName"] = body.pop("userName")

    response = scim.put(f"{USERS}/{unknown}", body, format="json")

    assert response.status_code == 404
    event = last_event()
    assert (event.outcome, event.status_code) == (Outcome.FAILED, 404)
    assert event.resource_id == unknown
    # The user was not found, so the body was never read.
    assert event.user_name == ""


def test_failed_post_records_the_sent_user_name_in_any_case(scim, user_payload):
    """RFC 7643 §2.1: attribute names are case-insensitive; a create without emails is 400 (DESIGN §3.1)."""
    body = user_payload("new@example.com")
    body["UserName"] = body.pop("userName")
    del body["emails"]

    assert scim.post(USERS, body, format="json").status_code == 400

    event = last_event()
    assert (event.status_code, event.scim_type) == (400, "invalidValue")
    assert event.user_name == "new@example.com"
    assert "emails" in event.detail


def test_a_user_name_that_is_not_a_string_is_not_recorded(scim, user_payload):
    assert scim.post(USERS, user_payload(userName=["a", "b"]), format="json").status_code == 400

    assert last_event().user_name == ""


@pytest.mark.parametrize(
    ("method", "path", "data", "status", "scim_type"),
    [
        pytest.param("get", "/scim/v2/Nope", None, 404, None, id="unknown-path"),
        pytest.param("get", "/scim/v2/Users/a/b", None, 404, None, id="unknown-sub-path"),
        pytest.param("post", "/scim/v2/Groups", {"displayName": "Admins"}, 501, None, id="groups"),
        pytest.param("get", "/scim/v2/Me", None, 501, None, id="me"),
        pytest.param("delete", USERS, None, 405, None, id="method-not-allowed"),
        pytest.param("get", USERS, {"filter": "userName eq"}, 400, "invalidFilter", id="invalid-filter"),
        pytest.param("get", USERS, {"sortBy": "password"}, 400, "invalidValue", id="invalid-sort"),
        pytest.param("get", "/scim/v2/Schemas", {"filter": 'id eq "x"'}, 403, None, id="discovery-filter"),
        pytest.param("get", "/scim/v2/Schemas/urn:nope", None, 404, None, id="unknown-schema"),
        pytest.param("get", f"{USERS}/{uuid.UUID(int=1)}", None, 404, None, id="unknown-user"),
    ],
)
def test_each_failed_request_records_one_failure_event(
    scim, tenant, provisioning_key, method, path, data, status, scim_type
):
    """RFC 7644 §3.12: every error answer of the SCIM endpoints is recorded, with its status, scimType and detail.

    The event carries the tenant of the key presented, also where the view never authenticates.
    """
    with CaptureQueriesContext(connection) as context:
        response = getattr(scim, method)(path, data, HTTP_USER_AGENT=OKTA_AGENT)

    assert response.status_code == status
    body = response.json()
    assert body["schemas"] == [ERROR_SCHEMA]
    event = ProvisioningEvent.objects.get()
    assert (event.outcome, event.status_code, event.scim_type) == (Outcome.FAILED, status, scim_type or "")
    assert event.detail == body["detail"][: max_length("detail")]
    assert event.detail
    assert (event.method, event.path) == (method.upper(), path)
    assert event.tenant == tenant
    assert event.key_prefix == provisioning_key.key_prefix
    assert event.user_agent == OKTA_AGENT
    assert len(event_inserts(context)) == 1


def test_body_over_the_limit_is_recorded_without_reading_it(scim, settings, tenant, user_payload):
    """RFC 7231 §6.5.11: 413; the body is never read, so no userName is recorded."""
    override_scim_settings(settings, MAX_BODY_SIZE=1000)

    response = scim.post(USERS, user_payload(title="x" * 2000), format="json")

    assert response.status_code == 413
    event = ProvisioningEvent.objects.get()
    assert (event.status_code, event.tenant, event.user_name) == (413, tenant, "")


def test_each_recorded_request_inserts_exactly_one_event(scim, create_user, user_payload):
    created = create_user()
    url = f"{USERS}/{created['id']}"
    requests = [
        lambda: scim.post(USERS, user_payload("other@example.com"), format="json"),
        lambda: scim.put(url, user_payload(), format="json"),
        lambda: scim.patch(url, patch_body({"op": "replace", "value": {"active": False}}), format="json"),
        lambda: scim.post(USERS, user_payload("other@example.com"), format="json"),
        lambda: scim.patch(url, patch_body({"op": "explode"}), format="json"),
        lambda: APIClient().get(USERS),
        lambda: scim.delete(url),
    ]
    for request in requests:
        with CaptureQueriesContext(connection) as context:
            request()
        assert len(event_inserts(context)) == 1, context.captured_queries


# --- authentication ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "authorization",
    [None, "Bearer scim_" + "A" * 43, "Bearer one two", "Basic dXNlcjpwYXNz"],
    ids=["missing", "unknown", "malformed", "basic"],
)
def test_401_without_a_known_key_has_no_tenant_and_no_prefix(db, authorization, user_payload):
    """RFC 7644 §2, RFC 6750 §3: 401 for a missing, malformed or unknown key; nobody to attribute it to."""
    client = APIClient()
    if authorization:
        client.credentials(HTTP_AUTHORIZATION=authorization)

    response = client.post(USERS, user_payload(), format="json")

    assert response.status_code == 401
    event = ProvisioningEvent.objects.get()
    assert (event.outcome, event.status_code) == (Outcome.FAILED, 401)
    assert event.tenant is None
    assert event.key_prefix == ""
    assert event.detail == response.json()["detail"]
    # An unauthenticated body is never read.
    assert event.user_name == ""


def test_401_with_a_revoked_key_names_that_keys_tenant_and_prefix(tenant, other_tenant):
    """RFC 6750 §3.1 invalid_token: refused, but the admin sees that the IdP still uses the revoked key."""
    revoked = ProvisioningKeyFactory(tenant=tenant)
    revoked.revoke()
    ProvisioningKeyFactory(tenant=other_tenant)

    with CaptureQueriesContext(connection) as context:
        response = scim_client_for(revoked).get(USERS)

    assert response.status_code == 401
    event = ProvisioningEvent.objects.get()
    assert event.tenant == tenant
    assert event.key_prefix == revoked.key_prefix
    assert event.detail == "Invalid or revoked provisioning key."
    # The key was looked up once, by authentication, and the event reused it.
    selects = [q["sql"] for q in context.captured_queries if q["sql"].startswith("SELECT")]
    assert len(selects) == 1


def test_revoked_key_is_not_marked_as_used(provisioning_key):
    provisioning_key.revoke()

    assert scim_client_for(provisioning_key).get(USERS).status_code == 401

    provisioning_key.refresh_from_db()
    assert provisioning_key.last_used_at is None


# --- secrets and tenants -----------------------------------------------------------------------


def test_no_event_field_ever_holds_a_key_password_or_authorization_header(scim, provisioning_key, user_payload):
    """DESIGN §3.1: passwords sent by IdPs are ignored, never stored; keys are stored only as digests."""
    password = "1mz050nq-Okta-sync-password"
    unknown_key = "scim_" + "Z" * 43
    created = scim.post(USERS, user_payload(password=password), format="json").json()
    url = f"{USERS}/{created['id']}"
    scim.put(url, user_payload(password=password), format="json")
    scim.patch(url, patch_body({"op": "replace", "value": {"password": password}}), format="json")
    scim.patch(url, patch_body({"op": "replace", "path": "password", "value": password}), format="json")
    scim.patch(url, patch_body({"op": "bogus", "path": "password", "value": password}), format="json")
    scim.patch(url, patch_body({"op": "replace", "value": {"password": password, "active": "maybe"}}), format="json")
    scim.post(USERS, user_payload(password=password), format="json")  # 409
    scim.post(USERS, {"userName": "x@example.com", "password": password}, format="json")  # 400
    scim.put(f"{USERS}/{uuid.uuid4()}", user_payload(password=password), format="json")  # 404
    scim.get(f"/scim/v2/{password}")  # 404 whose detail quotes the path
    for authorization in (f"Bearer {unknown_key}", f"Bearer {provisioning_key.raw_key} extra"):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=authorization)
        client.post(USERS, user_payload(password=password), format="json")
    provisioning_key.revoke()
    scim.post(USERS, user_payload("late@example.com", password=password), format="json")
    scim.delete(url)

    events = list(ProvisioningEvent.objects.all())
    # Each of the 14 requests wrote or failed (the DELETE, by then with a revoked key, is a 401): one event each.
    assert len(events) == 14
    assert {event.outcome for event in events} >= {Outcome.PROVISIONED, Outcome.UPDATED, Outcome.FAILED}
    secrets = [provisioning_key.raw_key, unknown_key, "Bearer", provisioning_key.key_digest]
    for event in events:
        for field in ProvisioningEvent._meta.concrete_fields:
            value = str(field.value_from_object(event))
            for secret in secrets:
                assert secret not in value, (field.name, value)
            if event.path != f"/scim/v2/{password}":
                assert password not in value, (field.name, value)


def test_events_carry_the_tenant_of_the_key_that_made_the_request(scim, other_scim, tenant, other_tenant, create_user):
    """DESIGN §3: the key decides the tenant; another tenant's user is indistinguishable from a missing one."""
    mine = create_user("mine@example.com")
    theirs = create_user("theirs@example.com", client=other_scim)

    response = other_scim.delete(f"{USERS}/{mine['id']}")

    assert response.status_code == 404
    assert ProvisioningEvent.objects.get(resource_id=theirs["id"]).tenant == other_tenant
    assert ProvisioningEvent.objects.get(outcome=Outcome.PROVISIONED, resource_id=mine["id"]).tenant == tenant
    failure = ProvisioningEvent.objects.get(outcome=Outcome.FAILED)
    assert failure.tenant == other_tenant
    # The other tenant's event must not reveal whose id it was.
    assert failure.user_name == ""
    assert ProvisioningEvent.objects.for_tenant(tenant).count() == 1
    assert ProvisioningEvent.objects.for_tenant(other_tenant).count() == 2


def test_a_key_without_a_tenant_records_events_without_one(db, settings, user_payload):
    override_scim_settings(settings, USER_ADAPTER="scim_provisioning.adapters.DefaultUserAdapter")
    key = ProvisioningKeyFactory(tenant=None)

    assert scim_client_for(key).post(USERS, user_payload(), format="json").status_code == 201

    event = ProvisioningEvent.objects.get()
    assert (event.tenant, event.key_prefix) == (None, key.key_prefix)


# --- what is stored ----------------------------------------------------------------------------


def test_long_values_are_truncated_to_the_columns(scim, user_payload):
    """Every text column gets at most its max_length, whatever the request sends."""
    long_id = "9" * 200
    agent = "Agent/" + "x" * 400
    response = scim.put(f"{USERS}/{long_id}", user_payload(), format="json", HTTP_USER_AGENT=agent)
    assert response.status_code == 404
    long_name = "n" * 400 + "@example.com"
    assert scim.post(USERS, user_payload(long_name), format="json", HTTP_USER_AGENT=agent).status_code == 400
    long_path = "/scim/v2/" + "p" * 400
    assert scim.get(long_path, HTTP_USER_AGENT=agent).status_code == 404
    assert scim.generic("SUPERCALIFRAGILISTIC", USERS).status_code == 405

    by_id, by_name, by_path, by_method = ProvisioningEvent.objects.order_by("pk")
    assert by_id.resource_id == long_id[: max_length("resource_id")]
    assert by_id.user_agent == agent[: max_length("user_agent")]
    assert by_name.user_name == long_name[: max_length("user_name")]
    assert by_path.path == long_path[: max_length("path")]
    assert len(by_path.detail) == max_length("detail")
    assert by_path.detail.startswith("No SCIM endpoint at ")
    assert by_method.method == "SUPERCALIFRAGILISTIC"[: max_length("method")]


def test_nul_and_invalid_text_are_stored_as_replacement_characters(scim, user_payload):
    """PostgreSQL refuses NUL in text; the event keeps the rest of the value."""
    response = scim.get("/scim/v2/a%00b", HTTP_USER_AGENT="agent\x00")
    assert response.status_code == 404
    # A lone surrogate, which JSON can escape but UTF-8 cannot encode.
    body = b'{"userName": "x\\ud800@example.com", "emails": [{"value": "x@example.com"}]}'
    assert scim.generic("POST", USERS, body, content_type=MEDIA_TYPE).status_code == 400

    nul, surrogate = ProvisioningEvent.objects.order_by("pk")
    assert nul.path == "/scim/v2/a\ufffdb"
    assert nul.user_agent == "agent\ufffd"
    assert surrogate.user_name == "x?@example.com"


def test_no_user_agent_is_stored_empty(db):
    APIClient().get(USERS)

    assert ProvisioningEvent.objects.get().user_agent == ""


# --- recording failures ------------------------------------------------------------------------


@pytest.fixture
def events_table_dropped(transactional_db):
    """The event table gone, as if the database refused every INSERT into it; restored afterwards."""
    with connection.schema_editor() as editor:
        editor.delete_model(ProvisioningEvent)
    yield
    with connection.schema_editor() as editor:
        editor.create_model(ProvisioningEvent)


def test_a_failure_that_cannot_be_recorded_is_logged_and_still_answered(
    events_table_dropped, tenant, provisioning_key, caplog
):
    """RFC 7644 §3.12: the client still gets its SCIM error; the log names the request, never the key."""
    client = scim_client_for(provisioning_key)

    with caplog.at_level(logging.ERROR, logger="scim_provisioning.events"):
        response = client.get("/scim/v2/Groups")

    assert response.status_code == 501
    assert response.json()["schemas"] == [ERROR_SCHEMA]
    assert "Could not record a failed SCIM request: GET '/scim/v2/Groups' answered 501" in caplog.text
    assert provisioning_key.raw_key not in caplog.text


def test_a_write_whose_event_cannot_be_recorded_is_rolled_back(
    events_table_dropped, tenant, provisioning_key, user_payload, caplog
):
    """The success event is part of the write's transaction: without it, nothing is written, and the
    client gets a SCIM 500 (RFC 7644 §3.12) instead of a 201 for a user that does not exist."""
    client = scim_client_for(provisioning_key)

    response = client.post(USERS, user_payload(), format="json")

    assert response.status_code == 500
    assert response.json()["schemas"] == [ERROR_SCHEMA]
    assert not ProvisionedUser.objects.exists()
    assert not get_user_model().objects.filter(email="bjensen@example.com").exists()
    assert "Could not record a failed SCIM request: POST '/scim/v2/Users' answered 500" in caplog.text


def test_failure_events_survive_atomic_requests(transactional_db, monkeypatch, tenant, provisioning_key, user_payload):
    """Under the host's ATOMIC_REQUESTS the failed request's transaction is rolled back, not its event."""
    monkeypatch.setitem(connection.settings_dict, "ATOMIC_REQUESTS", True)
    client = scim_client_for(provisioning_key)

    assert client.post(USERS, user_payload(), format="json").status_code == 201
    assert client.post(USERS, user_payload(), format="json").status_code == 409
    assert client.get(f"{USERS}/{uuid.uuid4()}").status_code == 404

    assert list(ProvisioningEvent.objects.order_by("pk").values_list("outcome", "status_code")) == [
        (Outcome.PROVISIONED, 201),
        (Outcome.FAILED, 409),
        (Outcome.FAILED, 404),
    ]
    assert ProvisionedUser.objects.count() == 1
