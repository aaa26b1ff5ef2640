"""Settings of ``request_costs.py``: zero-configuration SCIM and a bare DRF reference over one User table.

``DATABASE_URL`` picks the database (SQLite in a temporary file by default).
Per-key throttling is off: the reference has none, and the comparison is of
the same work.
"""

from __future__ import annotations

import os
import tempfile

import dj_database_url

SECRET_KEY = "benchmark-only"
DEBUG = False
USE_TZ = True
ALLOWED_HOSTS = ["testserver"]
ROOT_URLCONF = "benchmarks.reference"
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "scim_provisioning",
]
MIDDLEWARE: list[str] = []
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{tempfile.gettempdir()}/scim_request_costs.sqlite3")
    )
}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
SCIM_PROVISIONING = {"BASE_URL": "https://app.example.com/scim/v2", "THROTTLE_RATE": None}
