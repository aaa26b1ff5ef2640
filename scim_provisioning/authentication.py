"""``Authorization: Bearer <provisioning key>`` authentication (RFC 7644 §2, RFC 6750).

The key is looked up by the SHA-256 digest of the presented value, an indexed
equality on a unique column, so no key material is compared in Python and the
lookup does not leak timing about stored keys. ``request.auth`` is the key;
its tenant scopes everything the request may see.

The lookup finds revoked keys too (and then refuses them), and its answer is
kept on the request: the event log attributes a refused request to the
tenant whose revoked key the IdP still sends, without a second query.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any, cast

from django.contrib.auth.models import AnonymousUser
from django.db import connections, router, transaction
from django.db.models import Q
from django.utils import timezone
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header

from .conf import scim_settings
from .models import ProvisioningKey

KEYWORD = "Bearer"
MAX_KEY_LENGTH = 256

# Where presented_key() keeps its answer, on the Django HttpRequest.
_PRESENTED_KEY_ATTRIBUTE = "_scim_presented_key"


def bearer_credentials(request: Any) -> str | None:
    """The raw key of an ``Authorization: Bearer`` header; None for no header or another scheme.

    Raises ``AuthenticationFailed`` for a malformed Bearer header (RFC 6750 §2.1).
    """
    header = get_authorization_header(request).split()
    if not header or header[0].lower() != KEYWORD.lower().encode():
        return None
    if len(header) != 2 or len(header[1]) > MAX_KEY_LENGTH:
        raise exceptions.AuthenticationFailed("Invalid Authorization header.")
    try:
        return header[1].decode("ascii")
    except UnicodeDecodeError as exc:
        raise exceptions.AuthenticationFailed("Invalid Authorization header.") from exc


def presented_key(request: Any) -> ProvisioningKey | None:
    """The stored key, active or revoked, whose raw value the request presents; None if none is.

    Looked up by digest (with its tenant) at most once per request, whether
    authentication asks first or the event log does.
    """
    http_request = getattr(request, "_request", request)
    if hasattr(http_request, _PRESENTED_KEY_ATTRIBUTE):
        return cast("ProvisioningKey | None", getattr(http_request, _PRESENTED_KEY_ATTRIBUTE))
    try:
        raw_key = bearer_credentials(request)
    except exceptions.AuthenticationFailed:
        raw_key = None
    found = ProvisioningKey.objects.by_raw_key(raw_key).select_related("tenant").order_by()[:1] if raw_key else []
    key = found[0] if found else None
    setattr(http_request, _PRESENTED_KEY_ATTRIBUTE, key)
    return key


class ProvisioningKeyAuthentication(BaseAuthentication):
    """Authenticate an identity provider by its provisioning key."""

    keyword = KEYWORD

    def authenticate(self, request: Any) -> tuple[AnonymousUser, ProvisioningKey] | None:
        if bearer_credentials(request) is None:
            return None
        key = presented_key(request)
        if key is None or not key.is_active:
            raise exceptions.AuthenticationFailed("Invalid or revoked provisioning key.")
        self._touch(key)
        return AnonymousUser(), key

    def authenticate_header(self, request: Any) -> str:
        return f'{self.keyword} realm="SCIM"'

    @staticmethod
    def _touch(key: ProvisioningKey) -> None:
        """Record use, at most once per ``LAST_USED_INTERVAL``, without ever waiting for the key's row.

        A write authenticates inside its own transaction, so the row updated
        here stays locked until that write commits; an admin saving or
        revoking the key locks it too. A plain UPDATE would queue every other
        request of the key behind that lock. So the UPDATE takes the row only
        if it can lock it at once (``SKIP LOCKED``) and only while the stored
        value is still due, which also makes a burst of requests write it
        once. Skipping costs nothing: the next request of the key tries again.
        Writing after the commit instead would still wait for a lock held by
        another transaction.
        """
        now = timezone.now()
        interval = timedelta(seconds=scim_settings.LAST_USED_INTERVAL)
        if key.last_used_at is not None and now - key.last_used_at < interval:
            return
        key.last_used_at = now
        due = ProvisioningKey.objects.filter(
            Q(last_used_at__isnull=True) | Q(last_used_at__lte=now - interval), pk=key.pk
        )
        using = router.db_for_write(ProvisioningKey)
        features = connections[using].features
        if not features.has_select_for_update_skip_locked:
            due.update(last_used_at=now)  # e.g. SQLite, which has no row locks to wait for
            return
        # FOR NO KEY UPDATE where offered: the lock the UPDATE takes anyway,
        # which does not block inserts of rows referencing the key.
        lockable = due.select_for_update(skip_locked=True, no_key=features.has_select_for_no_key_update)
        # select_for_update() needs a transaction; inside the write's own, this adds no savepoint.
        with transaction.atomic(using=using, savepoint=False):
            ProvisioningKey.objects.filter(pk__in=lockable.order_by().values("pk")).update(last_used_at=now)
