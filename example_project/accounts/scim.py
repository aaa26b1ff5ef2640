"""SCIM wiring of the example host: who a provisioned user is, and what a seat is.

This module is the worked example for host developers. ``scim_provisioning``
turns SCIM JSON into plain ``UserAttributes`` and creates one adapter per
request with the tenant of the provisioning key, here an ``Organization``.
``MemberAdapter`` maps those attributes onto two host models:

- ``User``: the person, who may belong to several organizations (by
  invitation); an IdP links an account invited before SCIM was turned on
  rather than duplicating it, but never one of another organization's members;
- ``Membership``: their place in *this* organization, which carries what SCIM
  calls ``privilege`` and ``active`` (suspension).

The app keeps the SCIM-only data (id, externalId, ETag version) in its own
``ProvisionedUser`` rows; nothing here stores them. ``OrganizationAdminAccess``
decides who may open the provisioning page. All three classes are named in
``settings.SCIM_PROVISIONING``.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any, ClassVar

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, FilteredRelation, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.http import Http404, HttpRequest

from scim_provisioning.access import BasePageAccess
from scim_provisioning.adapters import FULL_NAME, BaseUserAdapter
from scim_provisioning.attributes import ATTRIBUTE_NAMES, Privilege, UserAttributes
from scim_provisioning.licensing import BaseLicensePolicy, SeatUsage

from .models import Membership, Organization, Subscription, User

#: Attribute of a ``User`` holding its memberships in the adapter's
#: organization (a list of zero or one), filled by ``optimize_queryset``.
MEMBERSHIPS_ATTR = "scim_memberships"

#: Name of the join to the membership in the adapter's organization, for reads.
MEMBERSHIP_ALIAS = "scim_membership"

#: ``UserAttributes`` field -> ``User`` field, for the plain profile strings.
PROFILE_FIELDS: dict[str, str] = {
    "given_name": "first_name",
    "family_name": "last_name",
    "language": "language",
    "timezone": "timezone",
    "phone": "phone",
    "location": "location",
}


class MemberAdapter(BaseUserAdapter):
    """Provisions ``User`` + ``Membership`` in the organization of the provisioning key."""

    # Every attribute the app understands has a home in this host.
    supported_attributes = ATTRIBUTE_NAMES
    # Users are provisioned as memberships of the key's organization.
    requires_tenant = True

    # Filterable attributes, as paths from scim_provisioning's ProvisionedUser.
    # What lives on this organization's Membership (active, privilege) needs
    # the tenant, so get_filter_fields() adds it as subqueries.
    filter_fields: ClassVar[dict[str, Any]] = {
        "emails.value": "user__email",
        "name.givenName": "user__first_name",
        "name.familyName": "user__last_name",
        "name.formatted": FULL_NAME,
        "displayName": FULL_NAME,
        "preferredLanguage": "user__language",
        "timezone": "user__timezone",
        "phoneNumbers.value": "user__phone",
        "addresses.formatted": "user__location",
    }

    def get_filter_fields(self) -> dict[str, Any]:
        """Add ``active`` and ``privilege``, read from the membership in this organization only."""
        return {**self.filter_fields, **self._membership_fields}

    @cached_property
    def _membership_fields(self) -> dict[str, Any]:
        """``active`` and ``privilege`` as subqueries on this organization's membership, for filters and sorts.

        Built once per request (an adapter lives one request).
        """
        membership = Membership.objects.filter(user=OuterRef("user_id"), organization=self.tenant)
        return {
            "active": Exists(membership.filter(is_suspended=False)),
            "privilege": Subquery(membership.values("privilege")[:1]),
        }

    tenant: Organization | None

    @property
    def organization(self) -> Organization:
        """The key's organization; a key without one cannot provision members here."""
        if self.tenant is None:
            raise PermissionDenied("This provisioning key belongs to no organization.")
        return self.tenant

    def get_read_fields(self) -> dict[str, Any]:
        """Where ``read`` finds each attribute, so lists and GETs read them all in one query.

        The membership in this organization is one LEFT OUTER JOIN (at most
        one row: ``accounts_membership_unique``), so a user without one reads
        NULLs. ``attributes_from_values`` turns them into what ``read`` returns.
        """
        this_organization = Q(user__memberships__organization=self.tenant)
        return {
            MEMBERSHIP_ALIAS: FilteredRelation("user__memberships", condition=this_organization),
            "user_name": "user__email",
            "email": "user__email",
            **{attr: f"user__{field}" for attr, field in PROFILE_FIELDS.items()},
            "privilege": f"{MEMBERSHIP_ALIAS}__privilege",
            "suspended": f"{MEMBERSHIP_ALIAS}__is_suspended",
        }

    def attributes_from_values(self, values: dict[str, Any]) -> UserAttributes:
        """As ``read``: active only with a membership here that is not suspended."""
        suspended = values.pop("suspended")
        return super().attributes_from_values({**values, "active": suspended is False})

    def optimize_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        """Load users for a write with two queries (reads use ``get_read_fields``)."""
        memberships = Membership.objects.filter(organization=self.tenant)
        return queryset.select_related("user").prefetch_related(
            Prefetch("user__memberships", queryset=memberships, to_attr=MEMBERSHIPS_ATTR)
        )

    def find_existing_user(self, attributes: UserAttributes) -> User | None:
        """An account with the same email (any case) that no other organization has.

        A person invited to this organization before SCIM was turned on (or a
        leftover account with no organization) is taken over by the IdP instead
        of meeting a duplicate-email error. An account that belongs to another
        organization is never offered: this IdP's updates would rewrite that
        organization's member (name, login email), so the create is answered
        409 ``uniqueness`` by the unique email constraint. Staff accounts are
        never offered either. A host that wants one account per person across
        organizations must first prove the organization owns the address's
        domain.
        """
        elsewhere = Membership.objects.filter(user=OuterRef("pk")).exclude(organization=self.organization)
        candidates = User.objects.filter(email__iexact=_email(attributes), is_staff=False, is_superuser=False)
        return candidates.exclude(Exists(elsewhere)).exclude(scim_links__tenant=self.organization).first()

    def create(self, attributes: UserAttributes, user: User | None = None) -> User:  # type: ignore[override]
        """Create the user (or take over ``user``) and their membership.

        A new user gets an unusable password: they sign in through the IdP.
        A taken-over user keeps what the IdP did not send, and a membership
        they already had keeps its privilege, so linking an existing member
        never costs or frees a seat; later updates apply the IdP's values.
        """
        organization = self.organization
        membership = None
        if user is None:
            # A clash with another account's email is left to the unique
            # constraint: the app answers its IntegrityError with 409 uniqueness.
            user = User(email=_email(attributes))
            user.set_unusable_password()
            _assign_profile(user, attributes, clear_missing=True)
        else:
            _assign_profile(user, attributes, clear_missing=False)
            membership = Membership.objects.filter(user=user, organization=organization).first()
        self.validate(user, exclude=["password"])
        user.save()

        if membership is None:
            membership = Membership(
                user=user,
                organization=organization,
                privilege=attributes.privilege or Privilege.MEMBER,
                # An IdP pushing a disabled account must never hand it access.
                is_suspended=attributes.active is False,
            )
        elif attributes.active is not None:
            membership.is_suspended = not attributes.active
        self.validate(membership, exclude=["user", "organization"])
        membership.save()
        setattr(user, MEMBERSHIPS_ATTR, [membership])
        return user

    def update(self, user: User, attributes: UserAttributes) -> None:  # type: ignore[override]
        """Full replace of the profile; privilege and suspension only when sent."""
        user.email = _email(attributes)
        _assign_profile(user, attributes, clear_missing=True)
        self.validate(user, exclude=["password"])
        user.save()

        # Change the cached instance, so a read() after this update sees it.
        membership = self._membership(user)
        if membership is None:
            # Removed by hand in the admin while the IdP still manages the user:
            # restore it, without handing out a seat the IdP did not ask for.
            membership = Membership(user=user, organization=self.organization, privilege=Privilege.INACTIVE)
            setattr(user, MEMBERSHIPS_ATTR, [membership])
        if attributes.privilege is not None:
            membership.privilege = attributes.privilege
        if attributes.active is not None:
            membership.is_suspended = not attributes.active
        self.validate(membership, exclude=["user", "organization"])
        membership.save()

    def read(self, user: User) -> UserAttributes:  # type: ignore[override]
        """The user as stored: profile from ``User``, privilege and active from ``Membership``."""
        membership = self._membership(user)
        return UserAttributes(
            user_name=user.email,
            email=user.email,
            **{attr: getattr(user, field) or None for attr, field in PROFILE_FIELDS.items()},
            privilege=membership.privilege if membership else None,
            active=not membership.is_suspended if membership else False,
        )

    def delete(self, user: User) -> None:  # type: ignore[override]
        """Remove the membership; delete the account once it belongs to no organization.

        Staff accounts are the host operators', not the IdP's, and are kept.
        """
        Membership.objects.filter(user=user, organization=self.organization).delete()
        if not user.is_staff and not user.memberships.exists():
            user.delete()

    def _membership(self, user: User) -> Membership | None:
        """The membership in this organization: prefetched if possible, else one query."""
        cached = getattr(user, MEMBERSHIPS_ATTR, None)
        if cached is None:
            cached = list(Membership.objects.filter(user=user, organization=self.tenant)[:1])
            setattr(user, MEMBERSHIPS_ATTR, cached)
        return cached[0] if cached else None


class SeatPolicy(BaseLicensePolicy):
    """Seats come from the organization's ``Subscription``; no subscription, no seat.

    What holds a seat is ``MembershipQuerySet.holding_seats``.
    """

    def has_free_seat(self, tenant: Organization | None) -> bool:
        """Lock the subscription row, so two IdP requests cannot both take the last seat."""
        if tenant is None:
            return False
        try:
            subscription = Subscription.objects.select_for_update().get(organization=tenant)
        except Subscription.DoesNotExist:
            return False
        return subscription.seats_used() < subscription.seats

    def seat_usage(self, tenant: Organization | None) -> SeatUsage:
        """Seats in use and bought, for the admin's provisioning page."""
        if tenant is None:
            return SeatUsage(used=0, total=0)
        used = Membership.objects.filter(organization=tenant).holding_seats().count()
        subscription = Subscription.objects.filter(organization=tenant).first()
        return SeatUsage(used=used, total=subscription.seats if subscription else 0)


def _email(attributes: UserAttributes) -> str:
    """The login email: the IdP's email, else its userName (often the same address)."""
    return attributes.email or attributes.user_name


def _assign_profile(user: User, attributes: UserAttributes, *, clear_missing: bool) -> None:
    """Copy the profile strings; unassigned (``None``) clears a field only when asked."""
    for attr, field in PROFILE_FIELDS.items():
        value = getattr(attributes, attr)
        if value is not None or clear_missing:
            setattr(user, field, value or "")


class OrganizationAdminAccess(BasePageAccess):
    """The provisioning page is for the organization's own admins (``Membership.is_admin``).

    The page is mounted under ``orgs/<slug:organization>/``. Anyone else, staff
    included, gets a 404, so another organization's page looks like a missing one.
    """

    def get_tenant(self, request: HttpRequest, **url_kwargs: Any) -> Organization:
        membership = (
            Membership.objects.administered_by(request.user)
            .select_related("organization")
            .filter(organization__slug=url_kwargs.get("organization"))
            .first()
        )
        if membership is None:
            raise Http404
        return membership.organization
