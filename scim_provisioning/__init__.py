"""SCIM 2.0 service provider for Django: identity providers provision the host's own users."""

from __future__ import annotations

__version__ = "0.1.0"
