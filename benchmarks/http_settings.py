"""Settings of ``http_lookup.py``: the example product as deployed (``load_settings``), plus the DRF reference.

The reference needs token authentication and django-filter; the SCIM side is
unchanged, its throttle off as in the load test (capacity is measured).
"""

from __future__ import annotations

from benchmarks.load_settings import *  # noqa: F403
from benchmarks.load_settings import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "rest_framework.authtoken", "django_filters"]
ROOT_URLCONF = "benchmarks.http_urls"
