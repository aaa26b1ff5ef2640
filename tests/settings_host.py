"""Test settings of a real host: the example product's custom User, Organization as the
swapped tenant model, and its adapter and seat-based licence policy.

The whole suite runs under these settings too, so every SCIM behaviour is
checked against zero configuration and against a host with its own models.
"""

from __future__ import annotations

import sys
from pathlib import Path

from .settings import *  # noqa: F403
from .settings import INSTALLED_APPS, SCIM_PROVISIONING

EXAMPLE_PROJECT = str(Path(__file__).resolve().parent.parent / "example_project")
if EXAMPLE_PROJECT not in sys.path:
    sys.path.insert(0, EXAMPLE_PROJECT)

INSTALLED_APPS = [*INSTALLED_APPS, "accounts"]
AUTH_USER_MODEL = "accounts.User"
SCIM_PROVISIONING_TENANT_MODEL = "accounts.Organization"
SCIM_PROVISIONING = {
    **SCIM_PROVISIONING,
    "USER_ADAPTER": "accounts.scim.MemberAdapter",
    "LICENSE_POLICY": "accounts.scim.SeatPolicy",
    "TENANT_LOOKUP_FIELD": "slug",
}

# The adapter tests.broken.ExplodingAdapter extends.
TEST_HOST_ADAPTER = "accounts.scim.MemberAdapter"
