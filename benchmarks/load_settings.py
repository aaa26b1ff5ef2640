"""Settings of the load test: the example product as deployed, on PostgreSQL, without per-key throttling.

Throttling is off because the script measures capacity: with it on, an IdP
pushing faster than the configured rate gets 429s, which is the throttle's
job, not a capacity figure.
"""

from __future__ import annotations

from example.settings import *  # noqa: F403
from example.settings import SCIM_PROVISIONING

DEBUG = False
SCIM_PROVISIONING = {**SCIM_PROVISIONING, "THROTTLE_RATE": None}
