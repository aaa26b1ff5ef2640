"""URLconf of ``http_lookup.py``: the example product, and the DRF reference over its users at ``reference/``."""

from __future__ import annotations

from django.urls import include, path
from example.urls import urlpatterns as example_urlpatterns

from benchmarks.reference import router

urlpatterns = [*example_urlpatterns, path("reference/", include(router.urls))]
