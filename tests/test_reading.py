"""Reads by rows of values and reads by model instances agree, value for value (``reading``).

Lists, lookups and GETs read rows (``RowReader``); writes read instances
(``InstanceReader``) to change and save them, and check ``If-Match`` against
an ETag computed from them. Were the two to differ, an IdP's ``If-Match``
taken from a GET would fail every write with 412.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model

from scim_provisioning.adapters import get_user_adapter
from scim_provisioning.constants import PATCH_OP_SCHEMA
from scim_provisioning.models import ProvisionedUser
from scim_provisioning.reading import InstanceReader, RowReader, get_reader

from .conftest import is_host, override_scim_settings

USERS = "/scim/v2/Users"
pytestmark = pytest.mark.django_db

VARIETY: list[dict[str, Any]] = [
    {"userName": "full@example.com", "name": {"givenName": "Ada", "familyName": "Lovelace"}, "active": True},
    {"userName": "bare@example.com", "name": None},
    {"userName": "suspended@example.com", "name": {"givenName": "Only"}, "active": False},
    {"userName": "MixedCase@Example.com", "externalId": "ext-1", "name": {"familyName": "Hopper"}},
    {
        "userName": "everything@example.com",
        "name": {"givenName": "É", "familyName": "Ü"},
        "preferredLanguage": "fr",
        "timezone": "Europe/Paris",
        "phoneNumbers": [{"value": "+33 1 23 45 67 89", "type": "work"}],
        "addresses": [{"formatted": "1 rue de la Paix, Paris", "type": "work"}],
    },
]


@pytest.fixture
def users(create_user, provisioning_key):
    created = [create_user(body["userName"], **{k: v for k, v in body.items() if k != "userName"}) for body in VARIETY]
    if is_host():
        # Edited in the host, outside SCIM: a membership removed by hand, a blanked name.
        from accounts.models import Membership

        Membership.objects.filter(user__email="bare@example.com").delete()
    get_user_model().objects.filter(**{get_user_model().USERNAME_FIELD: "full@example.com"}).update(first_name="")
    return created


def test_the_adapters_read_rows():
    """Both the stock and the example adapter name their read fields, so reads build no instances."""
    assert isinstance(get_reader(get_user_adapter()), RowReader)


def test_rows_and_instances_give_the_same_attributes(users, provisioning_key):
    adapter = get_user_adapter(tenant=provisioning_key.tenant)
    links = ProvisionedUser.objects.filter(tenant=provisioning_key.tenant).order_by("user_name")
    rows = RowReader(adapter, adapter.get_read_fields())
    instances = InstanceReader(adapter)

    from_rows = rows.read(rows.prepare(links))
    from_instances = instances.read(instances.prepare(links))

    assert len(from_rows) == len(VARIETY)
    for (row, row_attributes), (link, link_attributes) in zip(from_rows, from_instances, strict=True):
        assert row.id == link.id
        assert row_attributes == link_attributes


def test_get_list_and_write_agree_on_every_user(scim, users):
    """RFC 7644 §3.14: the version a GET or a list shows is the one a write checks If-Match against."""
    listed = {user["id"]: user for user in scim.get(USERS).json()["Resources"]}
    for user in users:
        url = f"{USERS}/{user['id']}"
        got = scim.get(url)
        assert got.json() == listed[user["id"]]

        noop = {"schemas": [PATCH_OP_SCHEMA], "Operations": [{"op": "add", "path": "externalId", "value": "x"}]}
        patched = scim.patch(url, noop, format="json", HTTP_IF_MATCH=got["ETag"])

        assert patched.status_code == 200, patched.content
        after = scim.get(url)
        assert after["ETag"] == patched["ETag"] != got["ETag"]
        assert {**after.json(), "meta": None} == {**patched.json(), "meta": None}


def test_reads_by_instances_answer_the_same_as_reads_by_rows(scim, users, settings):
    """An adapter without ``get_read_fields`` reads instances with ``read()``: the same answers, ETags included."""
    urls = [f"{USERS}/{user['id']}" for user in users]
    by_rows = [scim.get(USERS).json(), *(scim.get(url).json() for url in urls)]

    instance_adapter = (
        "tests.host_adapters.InstanceReadsMemberAdapter" if is_host() else "tests.adapters.InstanceReadsDefaultAdapter"
    )
    override_scim_settings(settings, USER_ADAPTER=instance_adapter)
    assert isinstance(get_reader(get_user_adapter()), InstanceReader)
    by_instances = [scim.get(USERS).json(), *(scim.get(url).json() for url in urls)]

    assert by_instances == by_rows
