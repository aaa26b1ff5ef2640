"""System checks: one test per id in ``scim_provisioning.checks``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core import checks

from scim_provisioning.checks import check_settings
from scim_provisioning.models import get_tenant_model

BASE_URL = "https://app.example.com/scim/v2"


def ids() -> list[str]:
    return [message.id for message in check_settings()]


def configure(settings: Any, **values: Any) -> None:
    """The active (valid) test settings, BASE_URL included so no W001, changed by ``values``."""
    settings.SCIM_PROVISIONING = {**settings.SCIM_PROVISIONING, "BASE_URL": BASE_URL, **values}


def test_test_settings_pass_every_check() -> None:
    assert check_settings() == []


def test_check_is_registered_with_django() -> None:
    messages = checks.run_checks()

    assert not [m for m in messages if (m.id or "").startswith("scim_provisioning.")]


def test_registered_check_reports_through_manage_py_check(settings: Any) -> None:
    settings.SCIM_PROVISIONING = ["not", "a", "dict"]

    assert "scim_provisioning.E001" in [m.id for m in checks.run_checks()]


def test_missing_settings_only_warn_about_base_url(settings: Any) -> None:
    settings.SCIM_PROVISIONING = None

    assert ids() == ["scim_provisioning.W001"]


@pytest.mark.parametrize("value", [["BASE_URL", BASE_URL], "https://app.example.com/scim/v2", 42])
def test_e001_settings_not_a_dict(settings: Any, value: Any) -> None:
    settings.SCIM_PROVISIONING = value

    assert ids() == ["scim_provisioning.E001"]


def test_e002_unknown_keys(settings: Any) -> None:
    configure(settings, PAGESIZE=10, TENANT_MODEL="accounts.Organization")

    messages = check_settings()

    assert [m.id for m in messages] == ["scim_provisioning.E002"]
    assert "PAGESIZE" in messages[0].msg
    assert "TENANT_MODEL" in messages[0].msg
    assert "PAGE_SIZE" in messages[0].hint


@pytest.mark.parametrize(
    ("setting", "path"),
    [
        ("USER_ADAPTER", "hostapp_not_there.scim.MemberAdapter"),
        ("LICENSE_POLICY", "scim_provisioning.licensing.NoSuchPolicy"),
        ("KEY_ADMIN_CLASS", "notadottedpath"),
    ],
)
def test_e003_import_string_cannot_be_imported(settings: Any, setting: str, path: str) -> None:
    configure(settings, **{setting: path})

    messages = check_settings()

    assert [m.id for m in messages] == ["scim_provisioning.E003"]
    assert setting in messages[0].msg
    assert path in messages[0].msg


def test_e003_module_that_fails_to_import_is_reported_not_raised(
    settings: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A host module can fail with more than ImportError, e.g. its models' app is not in
    INSTALLED_APPS (RuntimeError). ``manage.py check`` must report E003, not crash."""
    # A single module: a failed import leaves nothing behind in sys.modules.
    (tmp_path / "scim_hostapp_broken.py").write_text(
        "raise RuntimeError(\"Model class scim_hostapp_broken.Member doesn't declare an explicit "
        "app_label and isn't in an application in INSTALLED_APPS.\")\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    configure(settings, USER_ADAPTER="scim_hostapp_broken.MemberAdapter")

    messages = check_settings()

    assert [m.id for m in messages] == ["scim_provisioning.E003"]
    assert "scim_hostapp_broken.MemberAdapter" in messages[0].msg


@pytest.mark.parametrize(
    ("setting", "path"),
    [
        ("USER_ADAPTER", "scim_provisioning.licensing.UnlimitedSeats"),
        ("LICENSE_POLICY", "scim_provisioning.adapters.DefaultUserAdapter"),
        ("KEY_ADMIN_CLASS", "scim_provisioning.admin.KeyStatusFilter"),
        ("USER_ADAPTER", "scim_provisioning.adapters.get_user_adapter"),
    ],
)
def test_e004_import_string_of_the_wrong_kind(settings: Any, setting: str, path: str) -> None:
    configure(settings, **{setting: path})

    messages = check_settings()

    assert [m.id for m in messages] == ["scim_provisioning.E004"]
    assert setting in messages[0].msg


def test_e004_accepts_subclasses(settings: Any) -> None:
    configure(
        settings,
        USER_ADAPTER="scim_provisioning.adapters.DefaultUserAdapter",
        LICENSE_POLICY="scim_provisioning.licensing.UnlimitedSeats",
        KEY_ADMIN_CLASS="scim_provisioning.admin.ProvisioningKeyAdmin",
    )

    assert ids() == []


def test_e005_rest_framework_not_installed(settings: Any) -> None:
    settings.INSTALLED_APPS = [app for app in django_settings.INSTALLED_APPS if app != "rest_framework"]

    assert ids() == ["scim_provisioning.E005"]


@pytest.mark.parametrize("label", ["nope", "missing.Model", "scim_provisioning.Missing"])
def test_e006_tenant_model_invalid(settings: Any, label: str) -> None:
    settings.SCIM_PROVISIONING_TENANT_MODEL = label

    messages = check_settings()

    assert [m.id for m in messages] == ["scim_provisioning.E006"]
    assert repr(label) in messages[0].msg


@pytest.mark.parametrize("setting", ["PAGE_SIZE", "MAX_PAGE_SIZE", "MAX_BODY_SIZE", "PAGE_EVENTS_PER_PAGE"])
@pytest.mark.parametrize("value", [0, -1, "100", 1.5, True, None])
def test_e007_number_not_a_positive_integer(settings: Any, setting: str, value: Any) -> None:
    configure(settings, **{setting: value})

    messages = check_settings()

    assert [m.id for m in messages] == ["scim_provisioning.E007"]
    assert setting in messages[0].msg


def test_e008_page_size_above_max_page_size(settings: Any) -> None:
    configure(settings, PAGE_SIZE=500, MAX_PAGE_SIZE=100)

    assert ids() == ["scim_provisioning.E008"]


def test_e008_page_size_equal_to_max_is_fine(settings: Any) -> None:
    configure(settings, PAGE_SIZE=100, MAX_PAGE_SIZE=100)

    assert ids() == []


def test_e009_tenant_lookup_field_not_on_tenant_model(settings: Any) -> None:
    configure(settings, TENANT_LOOKUP_FIELD="subdomain")

    messages = check_settings()

    assert [m.id for m in messages] == ["scim_provisioning.E009"]
    assert "'subdomain'" in messages[0].msg
    assert get_tenant_model()._meta.label in messages[0].msg


def test_e009_accepts_a_field_of_the_tenant_model(settings: Any) -> None:
    configure(settings, TENANT_LOOKUP_FIELD="slug")

    assert ids() == []


@pytest.mark.parametrize("base_url", [None, ""])
def test_w001_base_url_not_set(settings: Any, base_url: Any) -> None:
    configure(settings, BASE_URL=base_url)

    messages = check_settings()

    assert [m.id for m in messages] == ["scim_provisioning.W001"]
    assert messages[0].level == checks.WARNING


def test_e002_tenant_model_inside_the_dict_points_to_the_top_level_setting(settings: Any) -> None:
    configure(settings, TENANT_MODEL="accounts.Organization")

    [message] = check_settings()

    assert message.id == "scim_provisioning.E002"
    assert "SCIM_PROVISIONING_TENANT_MODEL" in message.hint


@pytest.mark.parametrize("value", [-1, "60", 1.5, True, None])
def test_e010_last_used_interval_not_a_number_of_seconds(settings: Any, value: Any) -> None:
    configure(settings, LAST_USED_INTERVAL=value)

    assert ids() == ["scim_provisioning.E010"]


def test_e010_accepts_zero(settings: Any) -> None:
    configure(settings, LAST_USED_INTERVAL=0)

    assert ids() == []


@pytest.mark.parametrize("value", ["k" * 25, None, 7])
def test_e011_key_prefix_too_long_or_not_a_string(settings: Any, value: Any) -> None:
    configure(settings, KEY_PREFIX=value)

    assert ids() == ["scim_provisioning.E011"]


def test_e011_accepts_a_prefix_that_fits(settings: Any) -> None:
    configure(settings, KEY_PREFIX="acme_scim_")

    assert ids() == []


@pytest.mark.parametrize("value", [0, -1, "90", 1.5, True])
def test_e012_event_retention_not_a_number_of_days(settings: Any, value: Any) -> None:
    configure(settings, EVENT_RETENTION_DAYS=value)

    assert ids() == ["scim_provisioning.E012"]


@pytest.mark.parametrize("value", [None, 1, 365])
def test_e012_accepts_days_or_none(settings: Any, value: Any) -> None:
    configure(settings, EVENT_RETENTION_DAYS=value)

    assert ids() == []


@pytest.mark.parametrize(
    "value",
    ["3000", "three/min", "3/", "3/fortnight", "3/min/x", "", "0/min", "-5/s", 3000, True, ["3000/min"]],
)
def test_e013_throttle_rate_drf_cannot_read(settings: Any, value: Any) -> None:
    configure(settings, THROTTLE_RATE=value)

    messages = check_settings()

    assert [m.id for m in messages] == ["scim_provisioning.E013"]
    assert "THROTTLE_RATE" in messages[0].msg
    assert repr(value) in messages[0].msg
    assert "'3000/min'" in messages[0].hint


@pytest.mark.parametrize("value", ["3000/min", "50/s", "50/sec", "10/hour", "100000/day", None])
def test_e013_accepts_drf_rates_and_none(settings: Any, value: Any) -> None:
    configure(settings, THROTTLE_RATE=value)

    assert ids() == []


@pytest.mark.parametrize("alias", ["scim-throttle", "", None, 0])
def test_e014_throttle_cache_not_in_caches(settings: Any, alias: Any) -> None:
    configure(settings, THROTTLE_CACHE=alias)

    messages = check_settings()

    assert [m.id for m in messages] == ["scim_provisioning.E014"]
    assert repr(alias) in messages[0].msg


def test_e014_accepts_any_alias_of_caches(settings: Any) -> None:
    settings.CACHES = {
        **settings.CACHES,
        "scim-throttle": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "checks"},
    }
    configure(settings, THROTTLE_CACHE="scim-throttle")

    assert ids() == []


def test_e014_is_not_reported_while_throttling_is_off(settings: Any) -> None:
    configure(settings, THROTTLE_RATE=None, THROTTLE_CACHE="scim-throttle")

    assert ids() == []


def test_w002_throttle_cache_that_stores_nothing(settings: Any) -> None:
    settings.CACHES = {**settings.CACHES, "nothing": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    configure(settings, THROTTLE_CACHE="nothing")

    messages = check_settings()

    assert [m.id for m in messages] == ["scim_provisioning.W002"]
    assert messages[0].level == checks.WARNING
    assert "'nothing'" in messages[0].msg


def test_w002_is_not_reported_while_throttling_is_off(settings: Any) -> None:
    settings.CACHES = {**settings.CACHES, "nothing": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    configure(settings, THROTTLE_RATE=None, THROTTLE_CACHE="nothing")

    assert ids() == []
