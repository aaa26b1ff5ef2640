"""Settings of the browser tests: the example product exactly as it runs, on a test database.

Only the SCIM base URL differs: unset, so the page shows the live server's own
address and the tests can use what the page shows.
"""

from __future__ import annotations

from example.settings import *  # noqa: F403
from example.settings import SCIM_PROVISIONING

DEBUG = False
SCIM_PROVISIONING = {**SCIM_PROVISIONING, "BASE_URL": None}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# W001 (no BASE_URL) is expected here.
SILENCED_SYSTEM_CHECKS = ["scim_provisioning.W001"]
