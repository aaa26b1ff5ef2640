"""Licence policies: does a tenant have a free seat for one more user?

The seed's rule: with no free seat when a user is created, the user is still
created, with privilege ``inactive``. The host decides what a seat is by
naming its own policy in ``SCIM_PROVISIONING["LICENSE_POLICY"]``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any

from .conf import scim_settings


@dataclass(frozen=True)
class SeatUsage:
    """Seats in use and seats bought; ``total`` None means unlimited."""

    used: int
    total: int | None

    @property
    def available(self) -> int | None:
        return None if self.total is None else max(self.total - self.used, 0)


class BaseLicensePolicy(ABC):
    """Contract of a licence policy. Called inside the provisioning transaction."""

    @abstractmethod
    def has_free_seat(self, tenant: Any) -> bool:
        """True if one more member may be created with privilege ``member``.

        Lock what you count (``select_for_update``) if two IdP requests may race
        for the last seat.
        """

    def seat_usage(self, tenant: Any) -> SeatUsage:
        """Seats used and bought, for the admin's provisioning page."""
        return SeatUsage(used=0, total=None)


class UnlimitedSeats(BaseLicensePolicy):
    """Default policy: every tenant always has a free seat."""

    def has_free_seat(self, tenant: Any) -> bool:
        return True


def get_license_policy() -> BaseLicensePolicy:
    """Instantiate the configured licence policy."""
    policy_class: type[BaseLicensePolicy] = scim_settings.LICENSE_POLICY
    return policy_class()
