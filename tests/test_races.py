"""Races: concurrent SCIM requests, each on its own database connection, started together.

Identity providers retry, run several workers and replay queues, so the same
user is often written by simultaneous requests. Each test below starts its
requests in threads that meet at a ``threading.Barrier``; the test client gives
every thread its own connection, so the requests really overlap in the
database. They need a database server with row locks and concurrent
transactions: SQLite serialises every writer, so they are skipped there (CI
runs the suite on PostgreSQL too).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from scim_provisioning.constants import ERROR_SCHEMA, PATCH_OP_SCHEMA
from scim_provisioning.models import ProvisionedUser, ProvisioningEvent, ProvisioningKey

from .conftest import is_host, override_scim_settings, scim_client_for

USERS = "/scim/v2/Users"
THREADS = 20
ROUNDS = 3
DEFAULT_ADAPTER = "scim_provisioning.adapters.DefaultUserAdapter"

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor == "sqlite",
        reason="Races need a database server with concurrent transactions and row locks (DATABASE_URL=postgres://...).",
    ),
]


def run_together(count: int, request: Callable[[int], Any]) -> list[Any]:
    """Run ``request(0)`` ... ``request(count - 1)`` in threads that start at the same moment.

    Each thread opens its own connection before the barrier, so connecting does
    not stagger the requests, and closes it at the end.
    """
    barrier = threading.Barrier(count)
    results: list[Any] = [None] * count
    errors: list[BaseException] = []

    def work(index: int) -> None:
        try:
            connection.ensure_connection()
            barrier.wait(timeout=10)
            results[index] = request(index)
        except BaseException as exc:  # re-raised below, in the test's thread
            errors.append(exc)
            barrier.abort()
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads), "a request never finished"
    if errors:
        raise errors[0]
    return results


def patch_body(*operations: dict[str, Any]) -> dict[str, Any]:
    return {"schemas": [PATCH_OP_SCHEMA], "Operations": list(operations)}


def statuses(responses: list[Any]) -> list[int]:
    return sorted(response.status_code for response in responses)


def host_users(user_name: str) -> Any:
    user_model = get_user_model()
    return user_model._default_manager.filter(**{f"{user_model.USERNAME_FIELD}__iexact": user_name})


# --- simultaneous creates of one userName -----------------------------------------------------


def spellings(user_name: str, count: int) -> list[str]:
    """``count`` spellings of ``user_name`` that differ only in case: race0@example.com, Race0@examPle.cOm, ..."""
    return [
        "".join(c.upper() if (n >> (i % 5)) & 1 else c.lower() for i, c in enumerate(user_name)) for n in range(count)
    ]


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_simultaneous_creates_of_one_user_name_give_one_user_and_409s(
    provisioning_key: ProvisioningKey, user_payload: Callable[..., dict[str, Any]], round_: int
) -> None:
    """RFC 7644 §3.3: a create whose userName exists answers 409 ``uniqueness``, however close the two requests.

    userName is caseExact=false (RFC 7643 §4.1.1), so every spelling below is
    the same user: exactly one request creates it and every other one gets the
    SCIM error, never a 500, a second link or a stray host user.
    """
    names = spellings(f"Race{round_}@Example.com", THREADS)
    assert len({name.lower() for name in names}) == 1 and len(set(names)) == THREADS

    def create(index: int) -> Any:
        body = user_payload(names[index])
        return scim_client_for(provisioning_key).post(USERS, body, format="json")

    responses = run_together(THREADS, create)

    assert statuses(responses) == [201] + [409] * (THREADS - 1), [r.content for r in responses]
    for response in responses:
        if response.status_code == 409:
            assert response["Content-Type"].startswith("application/scim+json")
            error = response.json()
            assert error["schemas"] == [ERROR_SCHEMA]
            assert (error["status"], error["scimType"]) == ("409", "uniqueness")
    created = next(r.json() for r in responses if r.status_code == 201)
    link = ProvisionedUser.objects.get(user_name__iexact=names[0])
    assert str(link.pk) == created["id"]
    assert host_users(names[0]).count() == 1
    assert host_users(names[0]).get().pk == link.user_id
    if is_host():
        from accounts.models import Membership

        assert Membership.objects.filter(user__email__iexact=names[0]).count() == 1
    events = ProvisioningEvent.objects.filter(user_name__iexact=names[0])
    assert events.filter(outcome=ProvisioningEvent.Outcome.PROVISIONED).count() == 1
    assert events.filter(outcome=ProvisioningEvent.Outcome.FAILED, status_code=409).count() == THREADS - 1


# --- simultaneous updates of one user ---------------------------------------------------------


def attribute_changes() -> list[tuple[dict[str, Any], Callable[[dict[str, Any]], Any], Any]]:
    """(PATCH operation, how to read the attribute back from a resource, expected value), one per attribute."""
    changes: list[tuple[dict[str, Any], Callable[[dict[str, Any]], Any], Any]] = [
        ({"op": "replace", "path": "name.givenName", "value": "Ada"}, lambda r: r["name"].get("givenName"), "Ada"),
        (
            {"op": "replace", "path": "name.familyName", "value": "Lovelace"},
            lambda r: r["name"].get("familyName"),
            "Lovelace",
        ),
        ({"op": "replace", "path": "externalId", "value": "00u-race"}, lambda r: r.get("externalId"), "00u-race"),
        (
            {"op": "replace", "path": 'emails[type eq "work"].value', "value": "ada.lovelace@example.com"},
            lambda r: r["emails"][0]["value"],
            "ada.lovelace@example.com",
        ),
        ({"op": "replace", "path": "active", "value": False}, lambda r: r["active"], False),
    ]
    if is_host():
        changes += [
            (
                {"op": "replace", "path": "preferredLanguage", "value": "fr-FR"},
                lambda r: r["preferredLanguage"],
                "fr-FR",
            ),
            ({"op": "replace", "path": "timezone", "value": "Europe/Paris"}, lambda r: r["timezone"], "Europe/Paris"),
            (
                {"op": "replace", "path": 'phoneNumbers[type eq "work"].value', "value": "+33 1 00 00 00 00"},
                lambda r: r["phoneNumbers"][0]["value"],
                "+33 1 00 00 00 00",
            ),
            (
                {"op": "replace", "path": 'addresses[type eq "work"].formatted', "value": "Paris"},
                lambda r: r["addresses"][0]["formatted"],
                "Paris",
            ),
        ]
    return changes


def initial_user(user_name: str, user_payload: Callable[..., dict[str, Any]]) -> dict[str, Any]:
    body = user_payload(user_name, externalId="00u-before")
    if is_host():
        body.update(
            preferredLanguage="en-US",
            timezone="America/New_York",
            phoneNumbers=[{"value": "+1 555 0100", "type": "work"}],
            addresses=[{"formatted": "New York", "type": "work"}],
        )
    return body


def assert_simultaneous_patches_all_apply(key: ProvisioningKey, body: dict[str, Any]) -> None:
    scim = scim_client_for(key)
    created = scim.post(USERS, body, format="json").json()
    changes = attribute_changes()

    def patch(index: int) -> Any:
        operation = changes[index][0]
        return scim_client_for(key).patch(f"{USERS}/{created['id']}", patch_body(operation), format="json")

    responses = run_together(len(changes), patch)

    assert statuses(responses) == [200] * len(changes), [r.content for r in responses]
    resource = scim.get(f"{USERS}/{created['id']}").json()
    lost = {op["path"]: read(resource) for op, read, expected in changes if read(resource) != expected}
    assert not lost, f"lost updates (attribute: value found): {lost}"


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_simultaneous_patches_of_different_attributes_all_apply(
    provisioning_key: ProvisioningKey, user_payload: Callable[..., dict[str, Any]], round_: int
) -> None:
    """No lost update: each PATCH (RFC 7644 §3.5.2) changes one attribute, all at once; every change is kept.

    A PATCH reads the user, applies its operations and writes the whole user
    back, so a request that read the user before another one committed would
    write the old values back over the other's change.
    """
    assert_simultaneous_patches_all_apply(provisioning_key, initial_user(f"patch{round_}@example.com", user_payload))


class UnjoinedUserAdapter(import_string(getattr(settings, "TEST_HOST_ADAPTER", DEFAULT_ADAPTER))):  # type: ignore[misc]
    """The adapter under test, without ``select_related("user")``: the user is read by a query of its own."""

    def optimize_queryset(self, queryset: Any) -> Any:
        return queryset


def test_simultaneous_patches_all_apply_when_the_adapter_does_not_join_the_user(
    settings: Any, provisioning_key: ProvisioningKey, user_payload: Callable[..., dict[str, Any]]
) -> None:
    """Only a joined user row is locked with the link; an adapter that reads the user later still loses nothing."""
    override_scim_settings(settings, USER_ADAPTER=f"{__name__}.UnjoinedUserAdapter")

    assert_simultaneous_patches_all_apply(provisioning_key, initial_user("unjoined@example.com", user_payload))


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_simultaneous_puts_with_one_if_match_let_exactly_one_through(
    provisioning_key: ProvisioningKey, user_payload: Callable[..., dict[str, Any]], round_: int
) -> None:
    """RFC 7644 §3.14: of the PUTs that name the same version in If-Match, one applies; the others get 412."""
    scim = scim_client_for(provisioning_key)
    user_name = f"put{round_}@example.com"
    created = scim.post(USERS, user_payload(user_name), format="json").json()
    etag = created["meta"]["version"]
    count = 10

    def put(index: int) -> Any:
        body = user_payload(user_name, name={"givenName": f"Writer {index}", "familyName": "Jensen"})
        return scim_client_for(provisioning_key).put(
            f"{USERS}/{created['id']}", body, format="json", HTTP_IF_MATCH=etag
        )

    responses = run_together(count, put)

    assert statuses(responses) == [200] + [412] * (count - 1), [r.content for r in responses]
    for response in responses:
        if response.status_code == 412:
            assert response.json()["schemas"] == [ERROR_SCHEMA]
    winner = next(r.json() for r in responses if r.status_code == 200)
    current = scim.get(f"{USERS}/{created['id']}")
    assert current.json()["name"]["givenName"] == winner["name"]["givenName"]
    assert current["ETag"] == winner["meta"]["version"]


# --- the key's last_used_at -------------------------------------------------------------------

#: How long another transaction holds the key's row at most, and how long a request of the key may take meanwhile.
HOLD_SECONDS = 3.0
PROMPT_SECONDS = 1.5


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_locked_key_row_never_delays_a_request_of_that_key(
    provisioning_key: ProvisioningKey, user_payload: Callable[..., dict[str, Any]], method: str
) -> None:
    """A key whose last_used_at is due is still served at once while another transaction locks its row.

    The holder releases the lock as soon as the request is answered, so the
    test only waits the full hold when the request waited for the lock.
    """
    ProvisioningKey.objects.filter(pk=provisioning_key.pk).update(last_used_at=timezone.now() - timedelta(days=1))
    locked, answered = threading.Event(), threading.Event()

    def hold_key_row() -> None:
        try:
            with transaction.atomic():
                ProvisioningKey.objects.select_for_update().get(pk=provisioning_key.pk)
                locked.set()
                answered.wait(HOLD_SECONDS)
        finally:
            connection.close()

    holder = threading.Thread(target=hold_key_row)
    holder.start()
    try:
        assert locked.wait(10)
        client = scim_client_for(provisioning_key)
        started = time.monotonic()
        if method == "get":
            response = client.get(USERS)
        else:
            response = client.post(USERS, user_payload("locked-key@example.com"), format="json")
        elapsed = time.monotonic() - started
    finally:
        answered.set()
        holder.join()

    assert response.status_code == (200 if method == "get" else 201), response.content
    assert elapsed < PROMPT_SECONDS, f"the request waited {elapsed:.2f}s for the key row"


def test_simultaneous_requests_with_a_key_due_for_its_last_used_at_all_succeed(
    provisioning_key: ProvisioningKey,
) -> None:
    """Every request of a burst is served; one of them records the use, none waits for another's write."""
    stale = timezone.now() - timedelta(days=1)
    ProvisioningKey.objects.filter(pk=provisioning_key.pk).update(last_used_at=stale)
    started = timezone.now()

    responses = run_together(THREADS, lambda index: scim_client_for(provisioning_key).get(USERS))

    assert statuses(responses) == [200] * THREADS
    provisioning_key.refresh_from_db()
    assert provisioning_key.last_used_at is not None
    assert provisioning_key.last_used_at >= started
