"""The provisioning event log: what the identity provider did, as ``ProvisioningEvent`` rows.

One row per successful SCIM write (a user provisioned, updated, suspended,
reactivated or deprovisioned) and one per failed SCIM request, that is any
answer of 400 or more from a SCIM view, 401s and unknown paths included.
Successful reads (GET, lists, ``.search``) and 304s are not recorded: IdPs
poll, and their reads change nothing an admin needs to see. Of a key's 429s,
one per ``THROTTLED_EVENT_INTERVAL`` is recorded: a throttled flood must not
become a flood of inserts.

``ScimView.dispatch`` calls ``record_write`` inside the write's transaction,
so the log never shows a write that was rolled back, and ``record_failure``
after that transaction has ended, so the failure survives the rollback of
the write it answered. A failure that cannot be recorded is logged, never
turned into another error.

An event holds what explains the IdP's behaviour and nothing secret: the
key's display prefix (never the key), the method and path (not the query
string), the SCIM id and userName, the status, ``scimType`` and ``detail``
of the error, and the User-Agent. Never the Authorization header, a
password or a request body.

``prune_events`` deletes events older than a cutoff, in batches, for
``manage.py prunescimevents``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.cache import caches
from django.db import DatabaseError, models

from .authentication import presented_key
from .conf import scim_settings
from .models import ProvisioningEvent, ProvisioningKey

logger = logging.getLogger(__name__)

Outcome = ProvisioningEvent.Outcome

#: Events deleted per DELETE statement, so pruning a large table never locks it in one statement.
PRUNE_BATCH_SIZE = 5000

#: Seconds during which a key's further 429s are not recorded after one is.
THROTTLED_EVENT_INTERVAL = 60


@dataclass(frozen=True)
class Subject:
    """What a request was about: the SCIM id and userName, and the outcome of a successful write."""

    resource_id: str = ""
    user_name: str = ""
    outcome: str | None = None


def user_name_in(body: Any) -> str:
    """The ``userName`` a SCIM body sends, its name matched in any case (Entra sends ``UserName``); else ``""``."""
    if isinstance(body, dict):
        for name, value in body.items():
            if isinstance(name, str) and name.lower() == "username" and isinstance(value, str):
                return value
    return ""


def record_write(request: Any, outcome: str, status_code: int, subject: Subject) -> ProvisioningEvent:
    """Record a successful write by the authenticated key; call it inside the write's transaction."""
    return _create(request, request.auth, subject, outcome, status_code)


def record_failure(request: Any, status_code: int, error: Any, subject: Subject) -> ProvisioningEvent | None:
    """Record a failed request from its SCIM error body (RFC 7644 §3.12); never raises a database error.

    The event carries the tenant and prefix of the key presented, even a
    revoked one (the IdP still uses it); None for a missing or unknown key.
    Call it outside the failed write's transaction, so it survives the rollback.
    """
    error = error if isinstance(error, dict) else {}
    key = presented_key(request)
    if status_code == 429 and not _first_throttled_in_interval(key):
        return None
    try:
        return _create(
            request,
            key,
            subject,
            Outcome.FAILED,
            status_code,
            scim_type=str(error.get("scimType") or ""),
            detail=str(error.get("detail") or ""),
        )
    except DatabaseError:
        # Only what identifies the request: its headers and body may hold secrets.
        logger.exception(
            "Could not record a failed SCIM request: %s %r answered %s", request.method, request.path, status_code
        )
        return None


def _first_throttled_in_interval(key: ProvisioningKey | None) -> bool:
    """True for the first 429 of ``key`` in ``THROTTLED_EVENT_INTERVAL`` (marked in the throttle's cache)."""
    if key is None:
        return True
    marker = f"scim_provisioning:throttled:{key.key_digest}"
    try:
        return bool(caches[scim_settings.THROTTLE_CACHE].add(marker, True, THROTTLED_EVENT_INTERVAL))
    except Exception:  # an unreachable cache: record rather than lose the event
        return True


def _create(
    request: Any, key: ProvisioningKey | None, subject: Subject, outcome: str, status_code: int, **error: str
) -> ProvisioningEvent:
    fields = {
        "key_prefix": key.key_prefix if key is not None else "",
        "method": request.method,
        "path": request.path,
        "resource_id": subject.resource_id,
        "user_name": subject.user_name,
        "user_agent": request.META.get("HTTP_USER_AGENT", ""),
        **error,
    }
    return ProvisioningEvent.objects.create(
        tenant_id=key.tenant_id if key is not None else None,
        outcome=outcome,
        status_code=status_code,
        **{name: _fit(name, value) for name, value in fields.items()},
    )


def _fit(field_name: str, value: Any) -> str:
    """``value`` as text the column accepts: no NUL (PostgreSQL refuses it), valid UTF-8, at most max_length."""
    text = str(value).encode("utf-8", "replace").decode("utf-8").replace("\x00", "\N{REPLACEMENT CHARACTER}")
    field = ProvisioningEvent._meta.get_field(field_name)
    assert isinstance(field, models.CharField), field_name
    return text[: field.max_length]


def prune_events(before: datetime, batch_size: int = PRUNE_BATCH_SIZE) -> int:
    """Delete events created before ``before``, ``batch_size`` primary keys per DELETE; return how many."""
    expired = ProvisioningEvent.objects.filter(created_at__lt=before).order_by("pk")
    deleted = 0
    while batch := list(expired.values_list("pk", flat=True)[:batch_size]):
        deleted += ProvisioningEvent.objects.filter(pk__in=batch).delete()[0]
    return deleted
