"""Secrets stay secret: raw keys never reach a log, an event, a SCIM answer or a stored row.

One realistic session (keys generated on the provisioning page and in the
admin, then an IdP creating, finding, changing and deleting a user, and
failing every way it can: 400, 401 with a wrong key and with a revoked key,
404, 409, 429 and 500) runs with every logger at DEBUG and Django logging
each SQL statement with its parameters (``DEBUG = True``). Each log record
is rendered as a handler would: formatted message and traceback, every
attribute, and for records that carry a request the report Django's
``AdminEmailHandler`` mails (text and HTML, frame locals included).

Also: a revoked key is refused from its very next request (RFC 6750 §3.1),
and with ``BASE_URL`` set no location ever comes from the Host header.
"""

from __future__ import annotations

import logging
import re
import uuid
from typing import Any

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.views.debug import ExceptionReporter
from rest_framework.test import APIClient

from scim_provisioning.conf import scim_settings
from scim_provisioning.constants import PATCH_OP_SCHEMA
from scim_provisioning.keys import hash_key
from scim_provisioning.models import ProvisionedUser, ProvisioningEvent, ProvisioningKey

from .conftest import override_scim_settings
from .factories import ProvisioningKeyFactory, UserFactory

USERS = "/scim/v2/Users"
BASE_URL = "https://app.example.com/scim/v2"
FORGED_HOST = "attacker.example.net"
SEARCH = {"schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"]}
KEY_CHANGELIST = reverse("admin:scim_provisioning_provisioningkey_changelist")
KEY_ADD = reverse("admin:scim_provisioning_provisioningkey_add")
PAGE_KEY = re.compile(r'id="scim-raw-key" type="text" value="([^"]+)"')
ADMIN_KEY = re.compile(r'id="scim-key-\d+" class="vTextField" value="([^"]+)"')
pytestmark = pytest.mark.django_db


def page_url(tenant: Any, suffix: str = "") -> str:
    """The provisioning page as tests/urls.py mounts it for a tenant (default hook: staff)."""
    value = getattr(tenant, scim_settings.TENANT_LOOKUP_FIELD or "pk")
    return f"/tenants/{value}/provisioning/{suffix}"


def bearer(raw_key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw_key}")
    return client


def the_key(pattern: re.Pattern[str], response: Any) -> str:
    assert response.status_code == 200, response.content[:500]
    [raw_key] = pattern.findall(response.content.decode())
    return raw_key


def patch_body(*operations: dict[str, Any]) -> dict[str, Any]:
    return {"schemas": [PATCH_OP_SCHEMA], "Operations": list(operations)}


def rendered(record: logging.LogRecord) -> str:
    """Everything a log handler could write or send for ``record``."""
    parts = [logging.Formatter().format(record), repr(record.__dict__)]
    request = getattr(record, "request", None)
    if request is not None or record.exc_info:
        # What AdminEmailHandler mails (and error trackers collect): request, traceback, frame locals.
        exc_info = record.exc_info or (None, None, None)
        reporter = ExceptionReporter(request, *exc_info, is_email=True)
        parts += [reporter.get_traceback_text(), reporter.get_traceback_html()]
    return "\n".join(parts)


class ProvisioningSession:
    """What one provisioning session produced: every raw key, every SCIM answer."""

    def __init__(self) -> None:
        self.raw_keys: list[str] = []
        self.wrong_keys: list[str] = []
        self.scim_responses: list[Any] = []

    @property
    def secrets(self) -> list[str]:
        return self.raw_keys + self.wrong_keys

    def scim(self, response: Any, status: int) -> Any:
        assert response.status_code == status, response.content[:500]
        self.scim_responses.append(response)
        return response


@pytest.fixture
def all_logs(caplog: Any, settings: Any) -> Any:
    """Every record of every logger at DEBUG, SQL statements with their parameters included."""
    settings.DEBUG = True  # Django's CursorDebugWrapper logs each query to django.db.backends
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="django.db.backends")
    return caplog


@pytest.fixture
def session(
    all_logs: Any, settings: Any, tenant: Any, client: Any, admin_client: Any, user_payload: Any
) -> ProvisioningSession:
    """Keys made on the page and in the admin, then an IdP's requests, successes and failures."""
    done = ProvisioningSession()
    client.force_login(UserFactory(is_staff=True))

    # The provisioning page: generate, rotate, revoke.
    page_raw = the_key(PAGE_KEY, client.post(page_url(tenant), {"name": "Okta"}))
    page_key = ProvisioningKey.objects.get(key_digest=hash_key(page_raw))
    rotated_raw = the_key(PAGE_KEY, client.post(page_url(tenant, f"keys/{page_key.pk}/rotate/")))
    # The admin: add, rotate.
    admin_raw = the_key(ADMIN_KEY, admin_client.post(KEY_ADD, {"name": "Entra", "tenant": tenant.pk, "_save": "Save"}))
    admin_key = ProvisioningKey.objects.get(key_digest=hash_key(admin_raw))
    admin_rotated_raw = the_key(
        ADMIN_KEY,
        admin_client.post(KEY_CHANGELIST, {"action": "rotate_keys", "_selected_action": [admin_key.pk], "index": 0}),
    )
    done.raw_keys += [page_raw, rotated_raw, admin_raw, admin_rotated_raw]
    done.wrong_keys += [page_raw[:-1] + ("A" if page_raw[-1] != "A" else "B"), page_raw + "x"]

    idp = bearer(page_raw)
    created = done.scim(idp.post(USERS, user_payload(password="okta-sync-secret"), format="json"), 201).json()
    url = f"{USERS}/{created['id']}"
    done.scim(idp.get(USERS, {"filter": 'userName eq "BJENSEN@example.com"'}), 200)
    done.scim(idp.get(url), 200)
    done.scim(idp.patch(url, patch_body({"op": "replace", "value": {"active": False}}), format="json"), 200)
    done.scim(idp.put(url, user_payload(name={"givenName": "Babs"}), format="json"), 200)
    done.scim(idp.post(USERS, {"userName": "nomail@example.com"}, format="json"), 400)
    done.scim(idp.post(USERS, user_payload(), format="json"), 409)
    done.scim(idp.get(f"{USERS}/{uuid.uuid4()}"), 404)
    done.scim(idp.delete(url), 204)
    for wrong in done.wrong_keys:
        done.scim(bearer(wrong).get(USERS), 401)
    # Revoked on the page, and in the admin: refused from the next request on.
    assert client.post(page_url(tenant, f"keys/{page_key.pk}/revoke/")).status_code == 302
    done.scim(idp.get(USERS), 401)
    admin_client.post(KEY_CHANGELIST, {"action": "revoke_keys", "_selected_action": [admin_key.pk], "index": 0})
    done.scim(bearer(admin_raw).post(USERS, user_payload("late@example.com"), format="json"), 401)
    # A host adapter that breaks: 500.
    override_scim_settings(settings, USER_ADAPTER="tests.broken.ExplodingAdapter")
    done.scim(bearer(rotated_raw).post(USERS, user_payload("boom@example.com"), format="json"), 500)
    # Throttled: 429.
    override_scim_settings(settings, THROTTLE_RATE="1/min")
    done.scim(bearer(admin_rotated_raw).get(USERS), 200)
    done.scim(bearer(admin_rotated_raw).get(USERS), 429)
    return done


def test_no_log_record_holds_a_raw_key(session: ProvisioningSession, all_logs: Any) -> None:
    # The session ran while the fixtures were set up.
    records = all_logs.get_records("setup") + all_logs.get_records("call")
    texts = [(record.name, rendered(record)) for record in records]

    for name, text in texts:
        for secret in session.secrets:
            assert secret not in text, name
    # The capture saw what it had to: SQL with its parameters (the digests the keys are looked up by),
    # django.request's 4xx/5xx records with their requests, and the 500's traceback.
    sql = "\n".join(text for name, text in texts if name == "django.db.backends")
    assert [hash_key(raw_key) in sql for raw_key in session.raw_keys] == [True] * 4
    assert any(name == "django.request" and "Unauthorized: /scim/v2/Users" in text for name, text in texts)
    assert any(name == "django.request" and "Too Many Requests" in text for name, text in texts)
    assert any("the host's welcome mail server is down" in text for name, text in texts)


def test_no_event_holds_a_raw_key(session: ProvisioningSession) -> None:
    events = list(ProvisioningEvent.objects.all())
    # 4 writes (POST, PATCH, PUT, DELETE) and 9 failures (400, 409, 404, four 401s, 500, 429).
    assert len(events) == 13

    for event in events:
        for field in ProvisioningEvent._meta.concrete_fields:
            value = str(field.value_from_object(event))
            for secret in session.secrets:
                assert secret not in value, field.name
            assert "okta-sync-secret" not in value


def test_no_scim_answer_holds_a_raw_key(session: ProvisioningSession) -> None:
    errors = [r for r in session.scim_responses if r.status_code >= 400]
    assert sorted({r.status_code for r in errors}) == [400, 401, 404, 409, 429, 500]

    for response in session.scim_responses:
        answered = response.content.decode() + repr(sorted(response.items()))
        for secret in session.secrets:
            assert secret not in answered
    for response in errors:
        assert all(secret not in response.json()["detail"] for secret in session.secrets)


def test_no_stored_row_holds_a_raw_key(session: ProvisioningSession) -> None:
    """Keys are stored as digests only; the admin's history and the sessions never hold one."""
    stored = [
        *(repr(row) for row in ProvisioningKey.objects.values()),
        *(repr(row) for row in LogEntry.objects.values()),
        *(str(s.get_decoded()) for s in Session.objects.all()),
        *(repr(row) for row in ProvisionedUser.objects.values()),
    ]
    assert any(session.raw_keys[0][:13] in text for text in stored)  # the display prefix is there

    for text in stored:
        for secret in session.secrets:
            assert secret not in text


# --- revocation ------------------------------------------------------------------------------------------


def revoke_on_the_page(key: ProvisioningKey, client: Any, admin_client: Any) -> None:
    assert client.post(page_url(key.tenant, f"keys/{key.pk}/revoke/")).status_code == 302


def revoke_in_the_admin(key: ProvisioningKey, client: Any, admin_client: Any) -> None:
    admin_client.post(KEY_CHANGELIST, {"action": "revoke_keys", "_selected_action": [key.pk], "index": 0})


def revoke_in_code(key: ProvisioningKey, client: Any, admin_client: Any) -> None:
    ProvisioningKey.objects.get(pk=key.pk).revoke()


@pytest.mark.parametrize("revoke", [revoke_on_the_page, revoke_in_the_admin, revoke_in_code], ids=lambda f: f.__name__)
def test_a_revoked_key_is_refused_from_its_very_next_request(
    revoke: Any, tenant: Any, client: Any, admin_client: Any, user_payload: Any
) -> None:
    """RFC 6750 §3.1 / RFC 7644 §2: revocation takes effect at once, with no cached authentication."""
    client.force_login(UserFactory(is_staff=True))
    key = ProvisioningKeyFactory(tenant=tenant)
    sibling = ProvisioningKeyFactory(tenant=tenant)
    idp = bearer(key.raw_key)
    assert idp.get(USERS).status_code == 200

    revoke(key, client, admin_client)

    assert idp.get(USERS).status_code == 401
    assert idp.post(USERS, user_payload(), format="json").status_code == 401
    assert not ProvisionedUser.objects.exists()
    assert bearer(sibling.raw_key).get(USERS).status_code == 200


# --- locations never come from the Host header ----------------------------------------------------------


@pytest.fixture
def forged_host(settings: Any) -> dict[str, str]:
    """A Host header Django accepts (ALLOWED_HOSTS = ["*"]), and a forwarded one it would trust."""
    settings.ALLOWED_HOSTS = ["*"]
    settings.USE_X_FORWARDED_HOST = True
    return {"HTTP_HOST": FORGED_HOST, "HTTP_X_FORWARDED_HOST": FORGED_HOST}


def locations(document: Any) -> list[str]:
    """Every ``meta.location`` in a SCIM document, its list's resources included."""
    found = []
    if isinstance(document, dict):
        for name, value in document.items():
            if name == "location" and isinstance(value, str):
                found.append(value)
            else:
                found += locations(value)
    elif isinstance(document, list):
        for value in document:
            found += locations(value)
    return found


SCIM_ANSWERS = {
    "POST /Users": lambda idp, user, body: idp.post(USERS, body, format="json"),
    "GET /Users/{id}": lambda idp, user, body: idp.get(f"{USERS}/{user['id']}"),
    "GET /Users": lambda idp, user, body: idp.get(USERS),
    "GET /Users?filter": lambda idp, user, body: idp.get(USERS, {"filter": f'id eq "{user["id"]}"'}),
    "POST /Users/.search": lambda idp, user, body: idp.post(f"{USERS}/.search", SEARCH, format="json"),
    "POST /.search": lambda idp, user, body: idp.post("/scim/v2/.search", SEARCH, format="json"),
    "PUT /Users/{id}": lambda idp, user, body: idp.put(
        f"{USERS}/{user['id']}", {**body, "userName": user["userName"]}, format="json"
    ),
    "PATCH /Users/{id}": lambda idp, user, body: idp.patch(
        f"{USERS}/{user['id']}", patch_body({"op": "replace", "path": "displayName", "value": "B"}), format="json"
    ),
    "GET /ServiceProviderConfig": lambda idp, user, body: idp.get("/scim/v2/ServiceProviderConfig"),
    "GET /ResourceTypes": lambda idp, user, body: idp.get("/scim/v2/ResourceTypes"),
    "GET /ResourceTypes/User": lambda idp, user, body: idp.get("/scim/v2/ResourceTypes/User"),
    "GET /Schemas": lambda idp, user, body: idp.get("/scim/v2/Schemas"),
}


@pytest.mark.parametrize("endpoint", SCIM_ANSWERS)
def test_scim_locations_use_base_url_whatever_the_host_header(
    endpoint: str, forged_host: dict[str, str], scim: APIClient, create_user: Any, user_payload: Any
) -> None:
    """RFC 7644 §3.1 / RFC 7643 §3.1: ``Location`` and ``meta.location`` are the resource's URI, from BASE_URL."""
    user = create_user("located@example.com")
    scim.credentials(HTTP_AUTHORIZATION=scim._credentials["HTTP_AUTHORIZATION"], **forged_host)

    response = SCIM_ANSWERS[endpoint](scim, user, user_payload("new.located@example.com"))

    assert response.status_code in (200, 201), response.content[:300]
    found = locations(response.json()) + ([response["Location"]] if response.has_header("Location") else [])
    assert found
    assert all(location.startswith(f"{BASE_URL}/") for location in found), found
    assert FORGED_HOST not in response.content.decode()


def test_without_base_url_locations_follow_the_allowed_host(
    settings: Any, forged_host: dict[str, str], scim: APIClient, user_payload: Any
) -> None:
    """The control: without BASE_URL the (ALLOWED_HOSTS-checked) Host is used, so the tests above can fail."""
    override_scim_settings(settings, BASE_URL=None)
    scim.credentials(HTTP_AUTHORIZATION=scim._credentials["HTTP_AUTHORIZATION"], **forged_host)

    response = scim.post(USERS, user_payload(), format="json")

    assert response["Location"].startswith(f"http://{FORGED_HOST}/scim/v2/Users/")


@pytest.mark.parametrize("where", ["page", "page: new key", "admin: new key"])
def test_the_scim_url_shown_to_admins_uses_base_url_whatever_the_host_header(
    where: str, forged_host: dict[str, str], tenant: Any, client: Any, admin_client: Any
) -> None:
    client.force_login(UserFactory(is_staff=True))

    response = {
        "page": lambda: client.get(page_url(tenant), **forged_host),
        "page: new key": lambda: client.post(page_url(tenant), {"name": "Okta"}, **forged_host),
        "admin: new key": lambda: admin_client.post(
            KEY_ADD, {"name": "Okta", "tenant": tenant.pk, "_save": "Save"}, **forged_host
        ),
    }[where]()

    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="scim-url"' in html
    assert f'value="{BASE_URL}"' in html
    assert FORGED_HOST not in html
