"""Per-key rate limiting: 429 Too Many Requests (RFC 6585 §4) as a SCIM error (RFC 7644 §3.12).

Every test gives its keys a low rate; each key has its own bucket, named by
its digest, so no two tests (nor two keys) ever share one, whatever the
cache holds from earlier tests.
"""

from __future__ import annotations

import logging
from typing import Any

import pytest
from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache
from rest_framework.test import APIClient

from scim_provisioning.constants import ERROR_SCHEMA, MEDIA_TYPE
from scim_provisioning.models import ProvisionedUser, ProvisioningEvent, ProvisioningKey
from scim_provisioning.throttling import ProvisioningKeyRateThrottle

from .conftest import override_scim_settings, scim_client_for
from .factories import ProvisioningKeyFactory

USERS = "/scim/v2/Users"
pytestmark = pytest.mark.django_db


class UnreachableCache(LocMemCache):
    """A cache whose server is down, as a Redis or Memcached client reports it."""

    def get(self, *args: Any, **kwargs: Any) -> Any:
        raise ConnectionError("Error 111 connecting to redis:6379. Connection refused.")


@pytest.fixture
def clock(monkeypatch):
    """The throttle's clock, moved by hand: ``clock.now += 60`` lets a minute pass."""

    class Clock:
        now = 1_700_000_000.0

    monkeypatch.setattr(ProvisioningKeyRateThrottle, "timer", staticmethod(lambda: Clock.now))
    return Clock


def rate(settings, value, **more):
    override_scim_settings(settings, THROTTLE_RATE=value, **more)


def statuses(client: APIClient, count: int, path: str = USERS) -> list[int]:
    return [client.get(path).status_code for _ in range(count)]


def assert_scim_429(response) -> dict[str, Any]:
    """RFC 6585 §4 and RFC 7644 §3.12: 429, a SCIM error envelope, and Retry-After in whole seconds."""
    assert response.status_code == 429, response.content
    assert response["Content-Type"] == MEDIA_TYPE
    body = response.json()
    assert body["schemas"] == [ERROR_SCHEMA]
    assert body["status"] == "429"
    assert "scimType" not in body  # RFC 7644 §3.12 defines none for 429
    assert body["detail"].startswith("Request was throttled.")
    # RFC 9110 §10.2.3: delay-seconds is a non-negative integer.
    assert response["Retry-After"].isdigit()
    return body


def test_the_request_past_the_rate_is_a_scim_429_with_retry_after(settings, scim, clock):
    """RFC 6585 §4: three requests a minute, so the fourth is refused until the first leaves the window."""
    rate(settings, "3/min")

    assert statuses(scim, 3) == [200, 200, 200]
    response = scim.get(USERS)

    body = assert_scim_429(response)
    assert response["Retry-After"] == "60"
    assert body["detail"] == "Request was throttled. Expected available in 60 seconds."


def test_retry_after_counts_down_and_the_bucket_refills_when_it_has_passed(settings, scim, clock):
    rate(settings, "3/min")
    for _ in range(3):
        scim.get(USERS)
        clock.now += 10  # requests at 0 s, 10 s and 20 s

    clock.now = 1_700_000_000.0 + 45.5
    assert scim.get(USERS)["Retry-After"] == "15"  # the request of 0 s leaves at 60 s: 14.5 s, rounded up

    clock.now = 1_700_000_000.0 + 60
    assert scim.get(USERS).status_code == 200
    assert scim.get(USERS)["Retry-After"] == "10"  # full again; the request of 10 s leaves at 70 s


def test_retry_after_is_never_zero(settings, scim, clock):
    """A client told ``Retry-After: 0`` would come straight back; less than a second left is 1."""
    rate(settings, "1/s")
    scim.get(USERS)
    clock.now += 0.9

    assert scim.get(USERS)["Retry-After"] == "1"


def test_a_lowered_rate_still_gives_retry_after(settings, scim, clock):
    """After the rate is lowered a bucket may hold more than the rate; the 429 still says when to retry."""
    rate(settings, "5/min")
    for _ in range(5):
        scim.get(USERS)
        clock.now += 1  # requests at 0 s .. 4 s
    rate(settings, "2/min")

    response = scim.get(USERS)

    assert_scim_429(response)
    # Two of the five may stay: the request of 3 s must leave, at 63 s; now is 5 s.
    assert response["Retry-After"] == "58"


def test_writes_are_throttled_and_a_refused_write_writes_nothing(settings, scim, user_payload):
    rate(settings, "1/min")
    assert scim.post(USERS, user_payload("first@example.com"), format="json").status_code == 201

    response = scim.post(USERS, user_payload("second@example.com"), format="json")

    assert_scim_429(response)
    assert list(ProvisionedUser.objects.values_list("user_name", flat=True)) == ["first@example.com"]


def test_other_keys_of_the_same_and_of_other_tenants_keep_their_own_buckets(settings, tenant, other_tenant):
    rate(settings, "3/min")
    busy = scim_client_for(ProvisioningKeyFactory(tenant=tenant))
    sibling = scim_client_for(ProvisioningKeyFactory(tenant=tenant, name="Okta (rotated)"))
    foreign = scim_client_for(ProvisioningKeyFactory(tenant=other_tenant))

    assert statuses(busy, 4) == [200, 200, 200, 429]

    assert statuses(sibling, 4) == [200, 200, 200, 429]
    assert statuses(foreign, 4) == [200, 200, 200, 429]
    assert busy.get(USERS).status_code == 429


def test_a_new_key_with_a_reused_primary_key_starts_with_an_empty_bucket(settings, tenant):
    """SQLite hands out a deleted row's primary key again; buckets are named by digest, never by pk."""
    rate(settings, "2/min")
    old = ProvisioningKeyFactory(tenant=tenant)
    assert statuses(scim_client_for(old), 3) == [200, 200, 429]
    old_pk = old.pk
    old.delete()
    new = ProvisioningKeyFactory(tenant=tenant)
    ProvisioningKey.objects.filter(pk=new.pk).update(id=old_pk)
    assert ProvisioningKey.objects.get(pk=old_pk).key_digest == new.key_digest

    assert statuses(scim_client_for(new), 3) == [200, 200, 429]


def test_none_turns_throttling_off(settings, scim):
    rate(settings, None)

    assert statuses(scim, 25) == [200] * 25


def test_turning_throttling_off_releases_a_full_bucket(settings, scim):
    rate(settings, "1/min")
    assert statuses(scim, 2) == [200, 429]

    rate(settings, None)

    assert statuses(scim, 3) == [200, 200, 200]


@pytest.mark.parametrize(
    "authorization",
    [None, "Bearer scim_" + "Q" * 43, "Bearer one two"],
    ids=["missing", "unknown", "malformed"],
)
def test_requests_without_a_valid_key_are_401_and_never_throttled(settings, db, authorization):
    """RFC 7644 §2: authentication comes first; without a key there is no bucket to count in."""
    rate(settings, "1/min")
    client = APIClient()
    if authorization:
        client.credentials(HTTP_AUTHORIZATION=authorization)

    assert statuses(client, 3) == [401, 401, 401]


def test_a_revoked_key_with_a_full_bucket_is_401_not_429(settings, provisioning_key, scim):
    """RFC 6750 §3.1: a revoked key is invalid_token, whatever its bucket says."""
    rate(settings, "1/min")
    assert statuses(scim, 2) == [200, 429]

    provisioning_key.revoke()

    response = scim.get(USERS)
    assert response.status_code == 401
    assert "Retry-After" not in response


def test_discovery_is_not_throttled_and_does_not_spend_the_keys_budget(settings, scim):
    """RFC 7644 §4: discovery is readable without a key; a per-key limit would bind only honest IdPs."""
    rate(settings, "1/min")
    paths = ["/scim/v2/ServiceProviderConfig", "/scim/v2/ResourceTypes", "/scim/v2/Schemas"]

    assert [scim.get(path).status_code for path in paths * 3] == [200] * 9
    assert statuses(scim, 2) == [200, 429]
    assert scim.get(paths[0]).status_code == 200


def test_a_429_is_recorded_in_the_event_log_like_any_failure(settings, scim, tenant, provisioning_key):
    rate(settings, "1/min")
    scim.get(USERS)

    response = scim.get(USERS, HTTP_USER_AGENT="Microsoft.Identity.Provisioning")

    event = ProvisioningEvent.objects.get()
    assert (event.outcome, event.status_code) == (ProvisioningEvent.Outcome.FAILED, 429)
    assert (event.tenant, event.key_prefix) == (tenant, provisioning_key.key_prefix)
    assert (event.method, event.path) == ("GET", USERS)
    assert event.detail == response.json()["detail"]
    assert event.user_agent == "Microsoft.Identity.Provisioning"


def test_a_refused_post_records_the_user_name_it_sent(settings, scim, user_payload):
    """The refusal comes before the body is read, so the event names no user."""
    rate(settings, "1/min")
    scim.get(USERS)

    scim.post(USERS, user_payload("late@example.com"), format="json")

    event = ProvisioningEvent.objects.get()
    assert (event.method, event.status_code, event.user_name) == ("POST", 429, "")


def test_the_bucket_lives_in_the_configured_cache_under_the_keys_digest(settings, scim, provisioning_key):
    settings.CACHES = {
        **settings.CACHES,
        "scim-throttle": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "throttle-test"},
    }
    rate(settings, "2/min", THROTTLE_CACHE="scim-throttle")
    bucket = f"throttle_scim_provisioning_{provisioning_key.key_digest}"

    assert statuses(scim, 3) == [200, 200, 429]

    assert len(caches["scim-throttle"].get(bucket)) == 2
    assert caches["default"].get(bucket) is None
    caches["scim-throttle"].delete(bucket)
    assert scim.get(USERS).status_code == 200


def test_an_unreachable_cache_lets_requests_through_and_logs_a_warning(settings, scim, provisioning_key, caplog):
    """A rate limiter whose store is down must not stop provisioning."""
    settings.CACHES = {
        **settings.CACHES,
        "scim-throttle": {"BACKEND": "tests.test_throttling.UnreachableCache", "LOCATION": "down"},
    }
    rate(settings, "1/min", THROTTLE_CACHE="scim-throttle")

    with caplog.at_level(logging.WARNING, logger="scim_provisioning.throttling"):
        assert statuses(scim, 3) == [200, 200, 200]

    warnings = [r for r in caplog.records if r.name == "scim_provisioning.throttling"]
    assert len(warnings) == 3
    assert "'scim-throttle' failed" in warnings[0].getMessage()
    assert provisioning_key.key_prefix in warnings[0].getMessage()
    assert provisioning_key.raw_key not in caplog.text


def test_a_flood_of_429s_records_one_event_per_interval(settings, scim, provisioning_key):
    """Refusals must not turn into one INSERT each: the first 429 in a minute is recorded, not the rest."""
    override_scim_settings(settings, THROTTLE_RATE="1/min")
    scim.get(USERS)

    statuses = [scim.get(USERS).status_code for _ in range(5)]

    assert statuses == [429] * 5
    assert ProvisioningEvent.objects.filter(status_code=429).count() == 1
