"""Bearer provisioning-key authentication, exercised through ``GET /scim/v2/Users``."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from scim_provisioning.constants import ERROR_SCHEMA, LIST_RESPONSE_SCHEMA, MEDIA_TYPE
from scim_provisioning.models import ProvisioningKey

from .conftest import override_scim_settings, scim_client_for
from .factories import ProvisioningKeyFactory

USERS = "/scim/v2/Users"


def get_users(authorization: str | None = None) -> Any:
    client = APIClient()
    if authorization is not None:
        client.credentials(HTTP_AUTHORIZATION=authorization)
    return client.get(USERS)


def assert_scim_401(response: Any) -> None:
    """RFC 6750 §3 / RFC 7644 §2: 401 with a Bearer challenge; RFC 7644 §3.12: SCIM error body."""
    assert response.status_code == 401, response.content
    assert response["WWW-Authenticate"] == 'Bearer realm="SCIM"'
    assert response["Content-Type"].split(";")[0].strip() == MEDIA_TYPE
    body = response.json()
    assert body["schemas"] == [ERROR_SCHEMA]
    assert body["status"] == "401"
    assert isinstance(body["detail"], str)
    assert body["detail"]


def test_missing_header_is_401_with_bearer_challenge(db: Any) -> None:
    """RFC 7644 §2 and RFC 6750 §3: a request without credentials gets 401 and
    ``WWW-Authenticate: Bearer``; RFC 7644 §3.12: the body is a SCIM error whose
    ``status`` is a string."""
    assert_scim_401(get_users())


@pytest.mark.parametrize("scheme", ["Basic", "Token", "Digest"])
def test_other_scheme_is_401(provisioning_key: ProvisioningKey, scheme: str) -> None:
    """RFC 6750 §3: only the Bearer scheme is accepted, even with a valid key."""
    assert_scim_401(get_users(f"{scheme} {provisioning_key.raw_key}"))


@pytest.mark.parametrize(
    "authorization",
    [
        pytest.param("Bearer", id="no-credentials"),
        pytest.param("Bearer ", id="empty-credentials"),
        pytest.param("Bearer one two", id="three-parts"),
        pytest.param("Bearer scim_clé", id="latin-1"),
        pytest.param("Bearer " + "scim_ключ".encode().decode("latin-1"), id="utf-8-bytes"),
        pytest.param("Bearer scim_" + "a" * 300, id="too-long"),
    ],
)
def test_malformed_header_is_401(db: Any, authorization: str) -> None:
    """RFC 6750 §2.1 (b64token syntax) and §3.1 (invalid_request/invalid_token): 401."""
    assert_scim_401(get_users(authorization))


def test_three_parts_with_a_valid_key_is_401(provisioning_key: ProvisioningKey) -> None:
    """RFC 6750 §2.1: the credentials are one token; trailing parts are not ignored."""
    assert_scim_401(get_users(f"Bearer {provisioning_key.raw_key} extra"))


def test_unknown_key_is_401(provisioning_key: ProvisioningKey) -> None:
    """RFC 6750 §3.1 invalid_token: a well-formed key that is not stored."""
    assert_scim_401(get_users("Bearer scim_" + "A" * 43))


def test_digest_is_not_accepted_as_key(provisioning_key: ProvisioningKey) -> None:
    """Knowing the stored digest must not authenticate (the raw key is the secret)."""
    assert_scim_401(get_users(f"Bearer {provisioning_key.key_digest}"))


def test_valid_key_is_200(provisioning_key: ProvisioningKey) -> None:
    response = get_users(f"Bearer {provisioning_key.raw_key}")

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["schemas"] == [LIST_RESPONSE_SCHEMA]
    assert body["totalResults"] == 0


def test_tenantless_key_is_200(db: Any) -> None:
    key = ProvisioningKeyFactory(tenant=None)

    response = get_users(f"Bearer {key.raw_key}")

    assert response.status_code == 200, response.content


@pytest.mark.parametrize("keyword", ["bearer", "BEARER", "bEaReR"])
def test_keyword_is_case_insensitive(provisioning_key: ProvisioningKey, keyword: str) -> None:
    """RFC 7235 §2.1: the auth-scheme is case-insensitive (RFC 6750 §2.1 "Bearer")."""
    response = get_users(f"{keyword} {provisioning_key.raw_key}")

    assert response.status_code == 200, response.content


def test_revoked_key_is_401_from_the_next_request(scim: APIClient, provisioning_key: ProvisioningKey) -> None:
    """RFC 6750 §3.1 invalid_token: a revoked key is refused at once, with no grace period."""
    assert scim.get(USERS).status_code == 200

    provisioning_key.revoke()

    assert_scim_401(scim.get(USERS))


def test_revoking_one_key_leaves_the_tenant_s_other_keys_working(tenant: Any) -> None:
    old = ProvisioningKeyFactory(tenant=tenant)
    new = ProvisioningKeyFactory(tenant=tenant)

    old.revoke()

    assert_scim_401(scim_client_for(old).get(USERS))
    assert scim_client_for(new).get(USERS).status_code == 200


def test_failed_authentication_does_not_touch_last_used(provisioning_key: ProvisioningKey) -> None:
    provisioning_key.revoke()

    assert_scim_401(get_users(f"Bearer {provisioning_key.raw_key}"))

    provisioning_key.refresh_from_db()
    assert provisioning_key.last_used_at is None


# --- last_used_at ----------------------------------------------------------------------------


def _set_last_used(key: ProvisioningKey, value: Any) -> None:
    ProvisioningKey.objects.filter(pk=key.pk).update(last_used_at=value)


def test_last_used_at_is_set_on_first_use(scim: APIClient, provisioning_key: ProvisioningKey) -> None:
    assert provisioning_key.last_used_at is None
    before = timezone.now()

    assert scim.get(USERS).status_code == 200

    provisioning_key.refresh_from_db()
    assert provisioning_key.last_used_at is not None
    assert before <= provisioning_key.last_used_at <= timezone.now()


def test_last_used_at_is_not_rewritten_within_the_interval(scim: APIClient, provisioning_key: ProvisioningKey) -> None:
    assert scim.get(USERS).status_code == 200
    provisioning_key.refresh_from_db()
    first_use = provisioning_key.last_used_at

    assert scim.get(USERS).status_code == 200

    provisioning_key.refresh_from_db()
    assert provisioning_key.last_used_at == first_use


def test_last_used_at_is_rewritten_after_the_default_interval(
    scim: APIClient, provisioning_key: ProvisioningKey
) -> None:
    recent = timezone.now() - timedelta(seconds=30)
    _set_last_used(provisioning_key, recent)
    assert scim.get(USERS).status_code == 200
    provisioning_key.refresh_from_db()
    assert provisioning_key.last_used_at == recent

    stale = timezone.now() - timedelta(seconds=61)
    _set_last_used(provisioning_key, stale)
    assert scim.get(USERS).status_code == 200
    provisioning_key.refresh_from_db()
    assert provisioning_key.last_used_at > stale
    assert provisioning_key.last_used_at >= timezone.now() - timedelta(seconds=5)


def test_last_used_interval_setting_is_honoured(
    settings: Any, scim: APIClient, provisioning_key: ProvisioningKey
) -> None:
    override_scim_settings(settings, LAST_USED_INTERVAL=3600)
    two_minutes_ago = timezone.now() - timedelta(minutes=2)
    _set_last_used(provisioning_key, two_minutes_ago)

    assert scim.get(USERS).status_code == 200

    provisioning_key.refresh_from_db()
    assert provisioning_key.last_used_at == two_minutes_ago

    override_scim_settings(settings, LAST_USED_INTERVAL=60)

    assert scim.get(USERS).status_code == 200

    provisioning_key.refresh_from_db()
    assert provisioning_key.last_used_at > two_minutes_ago


def test_zero_interval_records_every_request(settings: Any, scim: APIClient, provisioning_key: ProvisioningKey) -> None:
    override_scim_settings(settings, LAST_USED_INTERVAL=0)
    assert scim.get(USERS).status_code == 200
    provisioning_key.refresh_from_db()
    first = provisioning_key.last_used_at
    assert first is not None

    with CaptureQueriesContext(connection) as context:
        assert scim.get(USERS).status_code == 200

    updates = [q["sql"] for q in context.captured_queries if q["sql"].lstrip().upper().startswith("UPDATE")]
    assert len(updates) == 1
    assert "last_used_at" in updates[0]
    provisioning_key.refresh_from_db()
    assert provisioning_key.last_used_at >= first


# --- cost ------------------------------------------------------------------------------------

# Django logs transaction control (BEGIN/COMMIT, and SAVEPOINTs inside the test's own
# transaction) as queries. The view runs in one atomic() block, so each request adds
# exactly two of those; the budget below is for the statements that touch data.
TRANSACTION_CONTROL = re.compile(r"^\s*(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE SAVEPOINT)\b", re.IGNORECASE)


def _data_queries(context: Any) -> list[str]:
    return [q["sql"] for q in context.captured_queries if not TRANSACTION_CONTROL.match(q["sql"])]


def test_authenticated_empty_list_costs_at_most_three_queries(
    scim: APIClient, django_assert_max_num_queries: Any
) -> None:
    """DESIGN §6: a bounded number of queries per request: key lookup, last_used_at, COUNT."""
    with django_assert_max_num_queries(3 + 2, info="3 data queries + the atomic block's 2") as context:
        response = scim.get(USERS)

    assert response.status_code == 200
    assert response.json()["totalResults"] == 0
    assert len(_data_queries(context)) <= 3, _data_queries(context)


def test_recently_used_key_is_not_written_again(
    scim: APIClient, provisioning_key: ProvisioningKey, django_assert_max_num_queries: Any
) -> None:
    """Within LAST_USED_INTERVAL a request only reads: key lookup and COUNT, no UPDATE."""
    assert scim.get(USERS).status_code == 200

    with django_assert_max_num_queries(2 + 2) as context:
        response = scim.get(USERS)

    assert response.status_code == 200
    queries = _data_queries(context)
    assert len(queries) <= 2, queries
    assert not [sql for sql in queries if sql.lstrip().upper().startswith("UPDATE")]
