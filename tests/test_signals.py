"""Signals are sent once per write, after the transaction commits, with user, tenant and key."""

from __future__ import annotations

import pytest

from scim_provisioning import signals
from scim_provisioning.constants import PATCH_OP_SCHEMA

USERS = "/scim/v2/Users"
pytestmark = pytest.mark.django_db

ALL = {
    "provisioned": signals.user_provisioned,
    "updated": signals.user_updated,
    "suspended": signals.user_suspended,
    "reactivated": signals.user_reactivated,
    "deprovisioned": signals.user_deprovisioned,
}


@pytest.fixture
def received():
    events = []
    receivers = {}
    for name, signal in ALL.items():

        def receiver(sender, user, tenant, key, _name=name, **kwargs):
            events.append((_name, user.pk, tenant, key.pk))

        receivers[name] = receiver
        signal.connect(receiver)
    yield events
    for name, signal in ALL.items():
        signal.disconnect(receivers[name])


def test_lifecycle_sends_each_signal_after_commit(
    scim, tenant, provisioning_key, user_payload, received, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        created = scim.post(USERS, user_payload(), format="json").json()
    url = f"{USERS}/{created['id']}"
    with django_capture_on_commit_callbacks(execute=True):
        scim.patch(
            url,
            {"schemas": [PATCH_OP_SCHEMA], "Operations": [{"op": "replace", "path": "active", "value": False}]},
            format="json",
        )
    with django_capture_on_commit_callbacks(execute=True):
        scim.put(url, user_payload(active=True), format="json")
    with django_capture_on_commit_callbacks(execute=True):
        scim.delete(url)

    names = [event[0] for event in received]
    assert names == ["provisioned", "updated", "suspended", "updated", "reactivated", "deprovisioned"]
    assert all(event[2] == tenant and event[3] == provisioning_key.pk for event in received)


def test_failed_writes_send_nothing(scim, user_payload, received, django_capture_on_commit_callbacks):
    body = user_payload()
    del body["emails"]
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert scim.post(USERS, body, format="json").status_code == 400

    assert callbacks == []
    assert received == []
