"""Provisioning key generation and hashing, with no ORM.

A key is ``<prefix><43 url-safe characters>``: 32 random bytes (256 bits) from
``secrets``. Keys are high-entropy and checked on every request, so a fast
SHA-256 digest is the right storage (as knox and allauth do); slow password
hashers protect low-entropy secrets and would only add latency here.
"""

from __future__ import annotations

import hashlib
import secrets

RANDOM_BYTES = 32
DISPLAY_CHARS = 8


def generate_key(prefix: str) -> str:
    """Return a new raw key: the readable prefix and 256 bits of randomness."""
    return prefix + secrets.token_urlsafe(RANDOM_BYTES)


def hash_key(raw_key: str) -> str:
    """SHA-256 hex digest under which a key is stored and looked up."""
    return hashlib.sha256(raw_key.encode()).hexdigest()


def display_prefix(raw_key: str, prefix: str) -> str:
    """The part of a key shown to admins: its prefix and a few random characters."""
    return raw_key[: len(prefix) + DISPLAY_CHARS]
