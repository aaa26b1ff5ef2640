"""Per-key rate limiting of the SCIM endpoints, as a DRF throttle (RFC 6585 §4: 429 Too Many Requests).

Each provisioning key has its own bucket of ``THROTTLE_RATE`` requests (DRF's
sliding window: the timestamps of the requests of the last period), kept in
the cache named by ``THROTTLE_CACHE``. The bucket is named after the key's
SHA-256 digest: unique, never reused by another key (primary keys are, on
SQLite), and not secret (it is what the database stores). A request past the
rate is answered 429, as a SCIM error (RFC 7644 §3.12) with ``Retry-After``
in whole seconds (RFC 9110 §10.2.3), and recorded in the event log like any
failure.

Only authenticated requests are counted: authentication runs first, so a
missing or bad key is answered 401 and never touches a bucket. Discovery is
not throttled (see ``views.DiscoveryView``).

Workers share buckets only through a shared cache (Redis, Memcached, the
database cache); with the default per-process ``LocMemCache`` each worker
counts alone. DRF reads and writes a bucket without a lock, so concurrent
requests of one key may each miss the others' timestamps: the limit is
approximate, and errs towards letting requests through. If the cache cannot
be reached the request is let through and a warning is logged, so a cache
outage never stops provisioning.
"""

from __future__ import annotations

import logging
import math
from typing import Any

from django.core.cache import caches
from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.views import APIView

from .conf import scim_settings
from .models import ProvisioningKey

logger = logging.getLogger(__name__)

#: Exceptions DRF's ``parse_rate`` raises for a rate it cannot read.
_RATE_ERRORS = (AttributeError, IndexError, KeyError, TypeError, ValueError)


def parse_rate(rate: Any) -> tuple[int, int]:
    """``(requests, seconds)`` of a rate such as ``"3000/min"``, read by DRF's ``parse_rate``.

    Raises ``ValueError`` for anything DRF cannot read, and for fewer than
    one request per period, which would refuse every request.
    """
    # parse_rate reads nothing from the instance; skipping __init__ skips reading the settings.
    probe = object.__new__(ProvisioningKeyRateThrottle)
    try:
        requests, seconds = probe.parse_rate(rate) if isinstance(rate, str) else (None, None)
    except _RATE_ERRORS as exc:
        raise ValueError(f"{rate!r} is not a rate such as '3000/min'.") from exc
    if requests is None or seconds is None:
        raise ValueError(f"{rate!r} is not a rate such as '3000/min'.")
    if requests < 1:
        raise ValueError(f"{rate!r} allows no request at all.")
    return requests, seconds


class ProvisioningKeyRateThrottle(SimpleRateThrottle):
    """At most ``THROTTLE_RATE`` requests per provisioning key; ``None`` turns throttling off."""

    scope = "scim_provisioning"
    # Set by SimpleRateThrottle.__init__ from the rate; None when throttling is off.
    num_requests: int | None
    duration: int | None

    def __init__(self) -> None:
        # Read on every request (DRF makes one throttle per request), so settings changes apply at once.
        super().__init__()
        if self.rate is not None:
            self.cache = caches[scim_settings.THROTTLE_CACHE]

    def get_rate(self) -> str | None:
        rate: str | None = scim_settings.THROTTLE_RATE
        return rate

    def get_cache_key(self, request: Request, view: APIView) -> str | None:
        """The bucket of the request's key, named by its digest; None (not throttled) without a key."""
        key = request.auth
        if not isinstance(key, ProvisioningKey):
            return None
        return self.cache_format % {"scope": self.scope, "ident": key.key_digest}

    def allow_request(self, request: Request, view: APIView) -> bool:
        try:
            return super().allow_request(request, view)
        except Exception:  # any cache backend's connection error: Redis, Memcached, the database
            key = request.auth
            logger.warning(
                "SCIM throttling is off for this request: cache %r failed (key %s).",
                scim_settings.THROTTLE_CACHE,
                getattr(key, "key_prefix", "?"),
                exc_info=True,
            )
            return True

    def wait(self) -> float:
        """Whole seconds until the bucket has room again: the ``Retry-After`` of the 429.

        The bucket has room once all but ``num_requests - 1`` of its timestamps
        have left the window. DRF's own ``wait()`` spreads the remaining time
        over the requests still available and gives up (None) when the bucket
        holds more than the rate, e.g. after the rate was lowered.
        """
        requests, seconds = self.num_requests, self.duration
        if requests is None or seconds is None or len(self.history) < requests:
            return 1  # not refused: there is room already
        # History is newest first: once this timestamp leaves the window, requests - 1 remain.
        remaining: float = seconds - (self.now - self.history[requests - 1])
        return max(1, math.ceil(remaining))
