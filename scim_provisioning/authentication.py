"""``Authorization: Bearer <provisioning key>`` authentication (RFC 7644 §2, RFC 6750).

The key is looked up by the SHA-256 digest of the presented value, an indexed
equality on a unique column, so no key material is compared in Python and the
lookup does not leak timing about stored keys. ``request.auth`` is the key;
its tenant scopes everything the request may see.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.utils import timezone
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header

from .conf import scim_settings
from .models import ProvisioningKey

MAX_KEY_LENGTH = 256


class ProvisioningKeyAuthentication(BaseAuthentication):
    """Authenticate an identity provider by its provisioning key."""

    keyword = "Bearer"

    def authenticate(self, request: Any) -> tuple[AnonymousUser, ProvisioningKey] | None:
        header = get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2 or len(header[1]) > MAX_KEY_LENGTH:
            raise exceptions.AuthenticationFailed("Invalid Authorization header.")
        try:
            raw_key = header[1].decode("ascii")
        except UnicodeDecodeError as exc:
            raise exceptions.AuthenticationFailed("Invalid Authorization header.") from exc
        key = ProvisioningKey.objects.active().by_raw_key(raw_key).select_related("tenant").first()
        if key is None:
            raise exceptions.AuthenticationFailed("Invalid or revoked provisioning key.")
        self._touch(key)
        return AnonymousUser(), key

    def authenticate_header(self, request: Any) -> str:
        return f'{self.keyword} realm="SCIM"'

    @staticmethod
    def _touch(key: ProvisioningKey) -> None:
        """Record use, at most once per ``LAST_USED_INTERVAL`` so busy keys don't contend."""
        now = timezone.now()
        interval = timedelta(seconds=scim_settings.LAST_USED_INTERVAL)
        if key.last_used_at is None or now - key.last_used_at >= interval:
            ProvisioningKey.objects.filter(pk=key.pk).update(last_used_at=now)
            key.last_used_at = now
