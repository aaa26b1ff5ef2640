"""The ``scim_settings`` object: defaults, overrides, reload on ``setting_changed``, import strings."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from scim_provisioning.adapters import DefaultUserAdapter
from scim_provisioning.admin import ProvisioningKeyAdmin
from scim_provisioning.conf import DEFAULT_TENANT_MODEL, DEFAULTS, IMPORT_STRINGS, scim_settings
from scim_provisioning.licensing import UnlimitedSeats
from scim_provisioning.models import Tenant, get_tenant_model
from scim_provisioning.throttling import ProvisioningKeyRateThrottle, parse_rate

BASE_URL = "https://app.example.com/scim/v2"


class OtherSeats(UnlimitedSeats):
    """A licence policy given as a class rather than a dotted path."""


@pytest.mark.parametrize("configured", [{}, None])
def test_defaults_when_nothing_is_configured(settings: Any, configured: Any) -> None:
    settings.SCIM_PROVISIONING = configured

    assert scim_settings.BASE_URL is None
    assert scim_settings.KEY_PREFIX == "scim_"
    assert scim_settings.TENANT_LOOKUP_FIELD is None
    assert scim_settings.PAGE_SIZE == 100
    assert scim_settings.MAX_PAGE_SIZE == 1000
    assert scim_settings.MAX_BODY_SIZE == 1024 * 1024
    assert scim_settings.LAST_USED_INTERVAL == 60
    assert scim_settings.EXTENSION_SCHEMA == "urn:ietf:params:scim:schemas:extension:scim_provisioning:2.0:User"
    assert scim_settings.USER_ADAPTER is DefaultUserAdapter
    assert scim_settings.LICENSE_POLICY is UnlimitedSeats
    assert scim_settings.KEY_ADMIN_CLASS is ProvisioningKeyAdmin
    assert scim_settings.THROTTLE_RATE == "3000/min"
    assert scim_settings.THROTTLE_CACHE == "default"


def test_every_plain_default_is_served(settings: Any) -> None:
    settings.SCIM_PROVISIONING = {}

    for name in sorted(set(DEFAULTS) - IMPORT_STRINGS):
        assert getattr(scim_settings, name) == DEFAULTS[name], name


def test_test_settings_are_read() -> None:
    assert scim_settings.BASE_URL == BASE_URL


def test_user_settings_are_merged_over_defaults(settings: Any) -> None:
    settings.SCIM_PROVISIONING = {"BASE_URL": BASE_URL, "PAGE_SIZE": 25}

    assert scim_settings.PAGE_SIZE == 25
    assert scim_settings.MAX_PAGE_SIZE == 1000
    assert scim_settings.BASE_URL == BASE_URL


def test_override_with_settings_fixture_reloads_cached_values(settings: Any) -> None:
    assert scim_settings.PAGE_SIZE == 100  # read, and so cached

    settings.SCIM_PROVISIONING = {"BASE_URL": BASE_URL, "PAGE_SIZE": 7}
    assert scim_settings.PAGE_SIZE == 7

    settings.SCIM_PROVISIONING = {"BASE_URL": "https://other.example.com/scim", "PAGE_SIZE": 9}
    assert scim_settings.PAGE_SIZE == 9
    assert scim_settings.BASE_URL == "https://other.example.com/scim"


def test_override_reverts_when_it_ends() -> None:
    """The ``settings`` fixture is ``override_settings``; its end sends ``setting_changed`` too."""
    assert scim_settings.PAGE_SIZE == 100

    with override_settings(SCIM_PROVISIONING={"PAGE_SIZE": 7, "KEY_PREFIX": "acme_"}):
        assert scim_settings.PAGE_SIZE == 7
        assert scim_settings.KEY_PREFIX == "acme_"
        assert scim_settings.BASE_URL is None

    assert scim_settings.PAGE_SIZE == 100
    assert scim_settings.KEY_PREFIX == "scim_"
    assert scim_settings.BASE_URL == BASE_URL


def test_import_strings_resolve_to_classes(settings: Any) -> None:
    settings.SCIM_PROVISIONING = {
        "BASE_URL": BASE_URL,
        "USER_ADAPTER": "scim_provisioning.adapters.DefaultUserAdapter",
        "LICENSE_POLICY": "tests.test_conf.OtherSeats",
    }

    assert scim_settings.USER_ADAPTER is DefaultUserAdapter
    assert scim_settings.LICENSE_POLICY is OtherSeats


def test_a_class_may_be_given_instead_of_a_path(settings: Any) -> None:
    settings.SCIM_PROVISIONING = {"BASE_URL": BASE_URL, "LICENSE_POLICY": OtherSeats}

    assert scim_settings.LICENSE_POLICY is OtherSeats


@pytest.mark.parametrize(
    ("setting", "path"),
    [
        ("USER_ADAPTER", "nope.Missing"),
        ("LICENSE_POLICY", "scim_provisioning.licensing.Missing"),
        ("KEY_ADMIN_CLASS", "notadottedpath"),
    ],
)
def test_bad_import_string_names_the_setting(settings: Any, setting: str, path: str) -> None:
    settings.SCIM_PROVISIONING = {"BASE_URL": BASE_URL, setting: path}

    with pytest.raises(ImportError) as excinfo:
        getattr(scim_settings, setting)

    assert f"'{setting}'" in str(excinfo.value)
    assert f"'{path}'" in str(excinfo.value)


def test_bad_import_string_is_not_cached(settings: Any) -> None:
    settings.SCIM_PROVISIONING = {"BASE_URL": BASE_URL, "USER_ADAPTER": "nope.Missing"}
    with pytest.raises(ImportError):
        scim_settings.USER_ADAPTER  # noqa: B018
    with pytest.raises(ImportError):
        scim_settings.USER_ADAPTER  # noqa: B018

    settings.SCIM_PROVISIONING = {"BASE_URL": BASE_URL}

    assert scim_settings.USER_ADAPTER is DefaultUserAdapter


def test_unknown_attribute_raises_attribute_error_naming_it() -> None:
    with pytest.raises(AttributeError, match="'PAGE_SIZ'"):
        scim_settings.PAGE_SIZ  # noqa: B018

    assert not hasattr(scim_settings, "NOT_A_SETTING")


def test_tenant_model_default(settings: Any) -> None:
    del settings.SCIM_PROVISIONING_TENANT_MODEL

    assert DEFAULT_TENANT_MODEL == "scim_provisioning.Tenant"
    assert scim_settings.TENANT_MODEL == "scim_provisioning.Tenant"
    assert get_tenant_model() is Tenant


def test_tenant_model_follows_its_own_setting(settings: Any) -> None:
    settings.SCIM_PROVISIONING_TENANT_MODEL = "auth.Group"

    assert scim_settings.TENANT_MODEL == "auth.Group"
    assert get_tenant_model() is Group


def test_get_tenant_model_rejects_a_label_without_a_dot(settings: Any) -> None:
    settings.SCIM_PROVISIONING_TENANT_MODEL = "nope"

    with pytest.raises(ImproperlyConfigured) as excinfo:
        get_tenant_model()

    assert "SCIM_PROVISIONING_TENANT_MODEL" in str(excinfo.value)
    assert "'nope'" in str(excinfo.value)
    assert "app_label.ModelName" in str(excinfo.value)


@pytest.mark.parametrize("label", ["missing.Model", "scim_provisioning.Missing"])
def test_get_tenant_model_rejects_a_model_that_is_not_installed(settings: Any, label: str) -> None:
    settings.SCIM_PROVISIONING_TENANT_MODEL = label

    with pytest.raises(ImproperlyConfigured) as excinfo:
        get_tenant_model()

    assert "SCIM_PROVISIONING_TENANT_MODEL" in str(excinfo.value)
    assert repr(label) in str(excinfo.value)
    assert "not been installed" in str(excinfo.value)


def test_default_throttle_rate_leaves_room_for_entra_id() -> None:
    """Microsoft Entra ID expects a SCIM endpoint to take 25 requests per second per tenant: twice that, per key."""
    requests, seconds = parse_rate(DEFAULTS["THROTTLE_RATE"])

    assert requests / seconds >= 2 * 25


def test_throttle_settings_are_read_on_each_request(settings: Any) -> None:
    """The throttle reads the rate when DRF makes it, once per request, so an override applies at once."""
    settings.SCIM_PROVISIONING = {"BASE_URL": BASE_URL, "THROTTLE_RATE": "7/hour"}
    assert (ProvisioningKeyRateThrottle().num_requests, ProvisioningKeyRateThrottle().duration) == (7, 3600)

    settings.SCIM_PROVISIONING = {"BASE_URL": BASE_URL, "THROTTLE_RATE": None}
    assert ProvisioningKeyRateThrottle().rate is None
