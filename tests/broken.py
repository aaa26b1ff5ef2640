"""An adapter that fails after the host user is written, to prove requests are atomic."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils.module_loading import import_string


def _host_adapter() -> Any:
    return import_string(getattr(settings, "TEST_HOST_ADAPTER", "scim_provisioning.adapters.DefaultUserAdapter"))


class ExplodingAdapter(_host_adapter()):  # type: ignore[misc]
    def create(self, attributes: Any, user: Any = None) -> Any:
        super().create(attributes, user)
        raise RuntimeError("the host's welcome mail server is down")
