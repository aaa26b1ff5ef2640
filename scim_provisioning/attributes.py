"""The flat, host-neutral form of a provisioned user that adapters read and write.

The app turns SCIM JSON into ``UserAttributes`` (choosing the work email, the
work phone, composing the work address...) so that each host adapter only maps
plain Python values onto its own models.
"""

from __future__ import annotations

from dataclasses import dataclass, fields


class Privilege:
    """Values of the product's ``privilege`` attribute (seed document)."""

    MEMBER = "member"
    INACTIVE = "inactive"
    CHOICES = (MEMBER, INACTIVE)


@dataclass
class UserAttributes:
    """What the IdP may set on a host user. ``None`` means unassigned (RFC 7643 §2.5).

    ``active`` and ``privilege`` set to ``None`` mean "leave as it is": a full
    replace that omits them must not reactivate a suspended user or hand out a
    seat.
    """

    user_name: str
    email: str | None = None
    given_name: str | None = None
    family_name: str | None = None
    language: str | None = None
    timezone: str | None = None
    phone: str | None = None
    location: str | None = None
    privilege: str | None = None
    active: bool | None = None


ATTRIBUTE_NAMES = frozenset(f.name for f in fields(UserAttributes))
