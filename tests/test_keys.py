"""Key generation and hashing (``scim_provisioning.keys``) and the key model's storage rules."""

from __future__ import annotations

import base64
import hashlib
import re
from typing import Any

import pytest
from django.db import IntegrityError, transaction

from scim_provisioning import keys
from scim_provisioning.models import ProvisioningKey

from .conftest import override_scim_settings
from .factories import ProvisioningKeyFactory, UserFactory

URLSAFE = re.compile(r"^[A-Za-z0-9_-]+$")


# --- keys.py: no database -------------------------------------------------------------------


@pytest.mark.parametrize("prefix", ["scim_", "acme_live_", ""])
def test_generate_key_starts_with_prefix(prefix: str) -> None:
    raw = keys.generate_key(prefix)

    assert raw.startswith(prefix)


def test_generate_key_has_256_bits_of_urlsafe_randomness() -> None:
    random_part = keys.generate_key("scim_")[len("scim_") :]

    assert len(random_part) >= 43
    assert URLSAFE.match(random_part)
    # 43 base64url characters without padding decode to the 32 random bytes.
    assert len(base64.urlsafe_b64decode(random_part + "=" * (-len(random_part) % 4))) >= 32


def test_generate_key_never_repeats() -> None:
    generated = {keys.generate_key("scim_") for _ in range(200)}

    assert len(generated) == 200


def test_hash_key_is_sha256_hex() -> None:
    # FIPS 180-2 test vector for "abc".
    assert keys.hash_key("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"


def test_hash_key_of_a_generated_key() -> None:
    raw = keys.generate_key("scim_")

    digest = keys.hash_key(raw)

    assert digest == hashlib.sha256(raw.encode()).hexdigest()
    assert re.fullmatch(r"[0-9a-f]{64}", digest)
    assert keys.hash_key(raw) == digest
    assert keys.hash_key(raw + "x") != digest


@pytest.mark.parametrize(
    ("raw", "prefix", "expected"),
    [
        ("scim_abcdefghijklmnop", "scim_", "scim_abcdefgh"),
        ("acme_live_ABCDEFGH1234", "acme_live_", "acme_live_ABCDEFGH"),
        ("abcdefghijk", "", "abcdefgh"),
    ],
)
def test_display_prefix_is_prefix_and_eight_characters(raw: str, prefix: str, expected: str) -> None:
    assert keys.display_prefix(raw, prefix) == expected


# --- ProvisioningKey.objects.create_key ------------------------------------------------------


def _stored_values(key: ProvisioningKey) -> dict[str, Any]:
    """Every column of the key's row, as read back from the database."""
    columns = [field.attname for field in ProvisioningKey._meta.concrete_fields]
    return ProvisioningKey.objects.filter(pk=key.pk).values(*columns).get()


def test_create_key_returns_instance_and_raw_key(tenant: Any) -> None:
    creator = UserFactory()

    key, raw = ProvisioningKey.objects.create_key(name="Okta", tenant=tenant, created_by=creator)

    assert isinstance(key, ProvisioningKey)
    assert key.pk is not None
    key.refresh_from_db()
    assert key.name == "Okta"
    assert key.tenant == tenant
    assert key.created_by == creator
    assert key.created_at is not None
    assert key.last_used_at is None
    assert key.revoked_at is None
    assert raw.startswith("scim_")
    assert key.key_digest == keys.hash_key(raw)
    assert key.key_prefix == keys.display_prefix(raw, "scim_")


def test_create_key_never_stores_the_raw_key(tenant: Any) -> None:
    key, raw = ProvisioningKey.objects.create_key(name="Okta", tenant=tenant)
    random_part = raw[len("scim_") :]

    row = _stored_values(key)

    assert set(row) >= {"name", "key_prefix", "key_digest", "tenant_id", "created_at"}
    for column, value in row.items():
        assert str(value) != raw, column
        assert random_part not in str(value), column


def test_create_key_uses_the_configured_prefix(settings: Any, db: Any) -> None:
    override_scim_settings(settings, KEY_PREFIX="acme_")

    key, raw = ProvisioningKey.objects.create_key(name="Okta")

    assert raw.startswith("acme_")
    assert len(raw) - len("acme_") >= 43
    assert key.key_prefix == raw[: len("acme_") + 8]


def test_create_key_without_tenant(db: Any) -> None:
    key, _ = ProvisioningKey.objects.create_key(name="Single tenant")

    key.refresh_from_db()
    assert key.tenant is None


def test_create_key_gives_each_key_its_own_digest(tenant: Any) -> None:
    first, first_raw = ProvisioningKey.objects.create_key(name="Okta", tenant=tenant)
    second, second_raw = ProvisioningKey.objects.create_key(name="Okta", tenant=tenant)

    assert first_raw != second_raw
    assert first.key_digest != second.key_digest


def test_key_digest_is_unique(provisioning_key: ProvisioningKey) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        ProvisioningKey.objects.create(
            name="Copy", key_prefix=provisioning_key.key_prefix, key_digest=provisioning_key.key_digest
        )


def test_by_raw_key_finds_the_key(provisioning_key: ProvisioningKey) -> None:
    assert list(ProvisioningKey.objects.by_raw_key(provisioning_key.raw_key)) == [provisioning_key]
    assert not ProvisioningKey.objects.by_raw_key(provisioning_key.raw_key + "x").exists()
    assert not ProvisioningKey.objects.by_raw_key(provisioning_key.key_digest).exists()


def test_str_shows_name_and_prefix_but_never_the_digest(provisioning_key: ProvisioningKey) -> None:
    text = str(provisioning_key)

    assert provisioning_key.name in text
    assert provisioning_key.key_prefix in text
    assert provisioning_key.key_digest not in text
    assert provisioning_key.raw_key not in text


# --- revoke() --------------------------------------------------------------------------------


def test_new_key_is_active(provisioning_key: ProvisioningKey) -> None:
    assert provisioning_key.is_active
    assert provisioning_key.status == ProvisioningKey.Status.ACTIVE
    assert list(ProvisioningKey.objects.active()) == [provisioning_key]


def test_revoke_persists_and_deactivates(provisioning_key: ProvisioningKey) -> None:
    provisioning_key.revoke()

    provisioning_key.refresh_from_db()
    assert provisioning_key.revoked_at is not None
    assert not provisioning_key.is_active
    assert provisioning_key.status == ProvisioningKey.Status.REVOKED
    assert not ProvisioningKey.objects.active().exists()


def test_revoke_twice_keeps_the_first_revocation_time(provisioning_key: ProvisioningKey) -> None:
    provisioning_key.revoke()
    provisioning_key.refresh_from_db()
    first_revoked_at = provisioning_key.revoked_at

    provisioning_key.revoke()

    provisioning_key.refresh_from_db()
    assert provisioning_key.revoked_at == first_revoked_at


def test_revoke_leaves_other_keys_active(tenant: Any) -> None:
    revoked = ProvisioningKeyFactory(tenant=tenant)
    kept = ProvisioningKeyFactory(tenant=tenant)

    revoked.revoke()

    assert list(ProvisioningKey.objects.active()) == [kept]
