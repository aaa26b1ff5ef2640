"""System checks (``manage.py check``) for misconfiguration, reported before the first request.

Ids are stable and never reused; README.rst lists each one.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.checks import CheckMessage, Error, Warning
from django.core.exceptions import ImproperlyConfigured

from .conf import DEFAULTS, IMPORT_STRINGS, SETTINGS_NAME, TENANT_MODEL_SETTING, scim_settings


class Messages:
    NOT_A_DICT = f"{SETTINGS_NAME} must be a dict."
    UNKNOWN_KEYS = f"{SETTINGS_NAME} has unknown keys: %s."
    IMPORT_FAILED = f"{SETTINGS_NAME}['%s'] cannot be imported: %s"
    WRONG_BASE = f"{SETTINGS_NAME}['%s'] must be a subclass of %s."
    TENANT_MODEL = f"{TENANT_MODEL_SETTING} is invalid: %s"
    DRF_MISSING = "'rest_framework' must be in INSTALLED_APPS."
    BAD_NUMBER = f"{SETTINGS_NAME}['%s'] must be a positive integer."
    BAD_INTERVAL = f"{SETTINGS_NAME}['LAST_USED_INTERVAL'] must be an integer of seconds, 0 or more."
    BAD_PREFIX = f"{SETTINGS_NAME}['KEY_PREFIX'] must be a string of at most %d characters."
    BAD_RETENTION = f"{SETTINGS_NAME}['EVENT_RETENTION_DAYS'] must be a positive integer of days, or None."
    PAGE_SIZES = f"{SETTINGS_NAME}['PAGE_SIZE'] must not exceed {SETTINGS_NAME}['MAX_PAGE_SIZE']."
    NO_BASE_URL = f"{SETTINGS_NAME}['BASE_URL'] is not set."
    LOOKUP_FIELD = f"{SETTINGS_NAME}['TENANT_LOOKUP_FIELD'] %r is not a field of the tenant model %s."
    BAD_RATE = f"{SETTINGS_NAME}['THROTTLE_RATE'] is invalid: %s"
    UNKNOWN_CACHE = f"{SETTINGS_NAME}['THROTTLE_CACHE'] %r is not an alias in CACHES."
    DUMMY_CACHE = f"{SETTINGS_NAME}['THROTTLE_CACHE'] %r is a DummyCache, which stores nothing: nothing is throttled."


class Hints:
    UNKNOWN_KEYS = f"Check the spelling; the known keys are: {', '.join(sorted(DEFAULTS))}."
    TENANT_MODEL_IN_DICT = (
        f"The tenant model is swappable like AUTH_USER_MODEL, so it is the top-level setting {TENANT_MODEL_SETTING}."
    )
    IMPORT_FAILED = "Give a dotted path to a class, e.g. 'accounts.scim.MemberAdapter'."
    TENANT_MODEL = "Use 'app_label.ModelName' of an installed model, as for AUTH_USER_MODEL."
    NO_BASE_URL = (
        "Set it to the public SCIM root, e.g. 'https://app.example.com/api/scim/2.0', so meta.location "
        "does not depend on the request's Host header."
    )
    BAD_RATE = (
        "Give requests per period as DRF reads them, at least one: '3000/min', '50/s', '100000/day'; "
        "or None to turn throttling off."
    )
    UNKNOWN_CACHE = "Name a cache of settings.CACHES, e.g. 'default', or add one shared by the web workers."
    DUMMY_CACHE = "Name a cache that stores, shared by the web workers (e.g. Redis), or set THROTTLE_RATE to None."


# key_prefix stores the prefix and keys.DISPLAY_CHARS random characters in 32.
MAX_KEY_PREFIX_LENGTH = 24

BASES = {
    "USER_ADAPTER": "scim_provisioning.adapters.BaseUserAdapter",
    "LICENSE_POLICY": "scim_provisioning.licensing.BaseLicensePolicy",
    "KEY_ADMIN_CLASS": "django.contrib.admin.ModelAdmin",
    "PAGE_ACCESS": "scim_provisioning.access.BasePageAccess",
}


def check_settings(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """Validate ``SCIM_PROVISIONING`` and the tenant model label."""
    user_settings = getattr(settings, SETTINGS_NAME, None)
    if user_settings is not None and not isinstance(user_settings, dict):
        return [Error(Messages.NOT_A_DICT, id="scim_provisioning.E001")]
    errors: list[CheckMessage] = []
    unknown = sorted(set(user_settings or {}) - set(DEFAULTS))
    if unknown:
        hint = Hints.UNKNOWN_KEYS + (f" {Hints.TENANT_MODEL_IN_DICT}" if "TENANT_MODEL" in unknown else "")
        errors.append(Error(Messages.UNKNOWN_KEYS % ", ".join(unknown), hint=hint, id="scim_provisioning.E002"))
    errors.extend(_check_import_strings())
    errors.extend(_check_tenant_model())
    if not apps.is_installed("rest_framework"):
        errors.append(Error(Messages.DRF_MISSING, id="scim_provisioning.E005"))
    errors.extend(_check_numbers())
    errors.extend(_check_throttling())
    if not scim_settings.BASE_URL:
        errors.append(Warning(Messages.NO_BASE_URL, hint=Hints.NO_BASE_URL, id="scim_provisioning.W001"))
    return errors


def _check_import_strings() -> list[CheckMessage]:
    from django.utils.module_loading import import_string

    errors: list[CheckMessage] = []
    for name in sorted(IMPORT_STRINGS):
        try:
            value = getattr(scim_settings, name)
        except ImportError as exc:
            errors.append(
                Error(Messages.IMPORT_FAILED % (name, exc), hint=Hints.IMPORT_FAILED, id="scim_provisioning.E003")
            )
            continue
        base = import_string(BASES[name])
        if not (isinstance(value, type) and issubclass(value, base)):
            errors.append(Error(Messages.WRONG_BASE % (name, BASES[name]), id="scim_provisioning.E004"))
    return errors


def _check_tenant_model() -> list[CheckMessage]:
    from .models import get_tenant_model

    try:
        tenant_model = get_tenant_model()
    except ImproperlyConfigured as exc:
        return [Error(Messages.TENANT_MODEL % exc, hint=Hints.TENANT_MODEL, id="scim_provisioning.E006")]
    lookup = scim_settings.TENANT_LOOKUP_FIELD
    if lookup:
        try:
            tenant_model._meta.get_field(lookup)
        except Exception:  # FieldDoesNotExist
            return [Error(Messages.LOOKUP_FIELD % (lookup, tenant_model._meta.label), id="scim_provisioning.E009")]
    return []


def _check_numbers() -> list[CheckMessage]:
    errors: list[CheckMessage] = []
    for name in ("PAGE_SIZE", "MAX_PAGE_SIZE", "MAX_BODY_SIZE", "PAGE_EVENTS_PER_PAGE"):
        value = getattr(scim_settings, name)
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            errors.append(Error(Messages.BAD_NUMBER % name, id="scim_provisioning.E007"))
    if not errors and scim_settings.PAGE_SIZE > scim_settings.MAX_PAGE_SIZE:
        errors.append(Error(Messages.PAGE_SIZES, id="scim_provisioning.E008"))
    interval = scim_settings.LAST_USED_INTERVAL
    if isinstance(interval, bool) or not isinstance(interval, int) or interval < 0:
        errors.append(Error(Messages.BAD_INTERVAL, id="scim_provisioning.E010"))
    prefix = scim_settings.KEY_PREFIX
    if not isinstance(prefix, str) or len(prefix) > MAX_KEY_PREFIX_LENGTH:
        errors.append(Error(Messages.BAD_PREFIX % MAX_KEY_PREFIX_LENGTH, id="scim_provisioning.E011"))
    retention = scim_settings.EVENT_RETENTION_DAYS
    if retention is not None and (isinstance(retention, bool) or not isinstance(retention, int) or retention < 1):
        errors.append(Error(Messages.BAD_RETENTION, id="scim_provisioning.E012"))
    return errors


def _check_throttling() -> list[CheckMessage]:
    """A rate DRF can read, and, when throttling is on, a cache alias that exists and stores."""
    from django.core.cache import caches
    from django.core.cache.backends.dummy import DummyCache

    from .throttling import parse_rate

    rate = scim_settings.THROTTLE_RATE
    if rate is None:
        return []
    try:
        parse_rate(rate)
    except ValueError as exc:
        return [Error(Messages.BAD_RATE % exc, hint=Hints.BAD_RATE, id="scim_provisioning.E013")]
    alias = scim_settings.THROTTLE_CACHE
    if not isinstance(alias, str) or alias not in settings.CACHES:
        return [Error(Messages.UNKNOWN_CACHE % (alias,), hint=Hints.UNKNOWN_CACHE, id="scim_provisioning.E014")]
    try:
        cache = caches[alias]
    except Exception:  # a backend that cannot be built; Django reports its own CACHES problems
        return []
    if isinstance(cache, DummyCache):
        return [Warning(Messages.DUMMY_CACHE % alias, hint=Hints.DUMMY_CACHE, id="scim_provisioning.W002")]
    return []
