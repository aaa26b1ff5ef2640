"""The write path: create, replace and delete users of one tenant, atomically.

Views stay thin and call ``UserProvisioner``; it scopes every read and write
to the key's tenant, applies the licence rule, keeps the link row in step
with the host user, and sends the signals after the transaction commits.
It also remembers what the request was about (``subject``) and what a write
did (``outcome``), which the view records in the event log.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, QuerySet, Value
from django.db.models.functions import Lower
from django.db.models.lookups import Exact
from django.utils import timezone

from . import signals
from .adapters import BaseUserAdapter, get_user_adapter
from .attributes import Privilege, UserAttributes
from .exceptions import ScimError, ScimType
from .licensing import get_license_policy
from .models import ProvisionedUser, ProvisioningEvent, ProvisioningKey
from .pagination import paginate
from .reading import InstanceReader, RowReader, StoredLink, get_reader

Outcome = ProvisioningEvent.Outcome

# A replace that changes ``active`` sends one of these besides ``user_updated``.
_STATUS_SIGNALS = {Outcome.SUSPENDED: signals.user_suspended, Outcome.REACTIVATED: signals.user_reactivated}


def _by_resource_id(queryset: QuerySet[Any], resource_id: str) -> Any:
    """The one row of ``queryset`` with SCIM id ``resource_id``, else a 404 (also for ids that are no UUID)."""
    try:
        pk = uuid.UUID(str(resource_id))
    except ValueError:
        pk = None
    found = list(queryset.filter(pk=pk)[:1]) if pk else []
    if not found:
        raise ScimError(404, f"User {resource_id!r} not found.")
    return found[0]


def _duplicate_user_name(user_name: str) -> ScimError:
    return ScimError(409, f"A user with userName {user_name!r} already exists.", ScimType.UNIQUENESS)


def _lock_targets(queryset: QuerySet[ProvisionedUser]) -> tuple[str, ...]:
    """What ``get(for_update=True)`` locks: the link, and the host user when the query joins it.

    On PostgreSQL (READ COMMITTED), a ``SELECT ... FOR UPDATE`` that waited for
    another write re-reads only the rows it locks: the columns of a joined row
    it does not lock come from before that write. Locking the link alone, the
    adapter would write the user's old values back over the other request's
    change (a lost update), and the ETag computed from them would still match
    an outdated ``If-Match``. Locking the user in the same statement costs no
    query and also serialises writes to one host user through several
    tenants' links. Prefetches run after the lock and read committed rows.
    """
    related = queryset.query.select_related
    joins_user = related is True or (isinstance(related, dict) and "user" in related)
    return ("self", "user") if joins_user else ("self",)


class UserProvisioner:
    """All SCIM User operations of one request, scoped to the key's tenant."""

    def __init__(self, key: ProvisioningKey, request: Any = None) -> None:
        self.key = key
        self.tenant = key.tenant
        self.adapter: BaseUserAdapter = get_user_adapter(tenant=self.tenant, request=request)
        #: How reads (lists, lookups, GETs) load users: rows of values where the adapter allows.
        self.reader: InstanceReader | RowReader = get_reader(self.adapter)
        #: The link this request found or created last, for the event log.
        self.subject: ProvisionedUser | None = None
        #: What the last successful write did; None until one succeeds.
        self.outcome: Outcome | None = None

    def links(self) -> QuerySet[ProvisionedUser]:
        """Every link of this tenant, and nothing else: the isolation boundary."""
        if self.tenant is None:
            return ProvisionedUser.objects.filter(tenant__isnull=True)
        return ProvisionedUser.objects.filter(tenant=self.tenant)

    def readable_links(self) -> QuerySet[ProvisionedUser]:
        return self.adapter.optimize_queryset(self.links())

    def get(self, resource_id: str, for_update: bool = False) -> ProvisionedUser:
        """The tenant's link with SCIM id ``resource_id``; 404 for unknown ids and other tenants."""
        queryset = self.readable_links()
        if for_update:
            queryset = queryset.select_for_update(of=_lock_targets(queryset))
        link: ProvisionedUser = _by_resource_id(queryset, resource_id)
        self.subject = link
        return link

    def read_one(self, resource_id: str) -> tuple[StoredLink, UserAttributes]:
        """The tenant's user with SCIM id ``resource_id`` as read for a GET, in one query; 404 as ``get``."""
        [found] = self.reader.read([_by_resource_id(self.reader.prepare(self.links()), resource_id)])
        return found

    def read_page(self, queryset: QuerySet[ProvisionedUser], start_index: int, count: int) -> tuple[int, list[Any]]:
        """``(totalResults, [(link, attributes), ...])`` of one page of ``queryset`` (see ``pagination``)."""
        total, page = paginate(queryset, start_index, count, prepare=self.reader.prepare)
        return total, self.reader.read(page)

    def read(self, link: ProvisionedUser) -> UserAttributes:
        return self.adapter.read(link.user)

    def _user_name_taken(self, user_name: str, exclude: ProvisionedUser | None = None) -> bool:
        taken = self.links().filter(Exact(Lower(F("user_name")), Lower(Value(user_name))))
        if exclude is not None:
            taken = taken.exclude(pk=exclude.pk)
        return taken.exists()

    @transaction.atomic(savepoint=False)
    def create(self, attributes: UserAttributes, link_fields: dict[str, Any]) -> ProvisionedUser:
        """Create (or link) a host user; without a free seat it gets privilege ``inactive``.

        No query asks first whether the userName is taken: the link's unique
        constraints decide, for a duplicate and for a concurrent create alike,
        and the request's transaction undoes what the adapter wrote. A create
        costs one statement less, and IdPs look users up before creating them,
        so duplicates are rare.
        """
        if not get_license_policy().has_free_seat(self.tenant):
            attributes.privilege = Privilege.INACTIVE
        user: Any = self.adapter.create(attributes, user=self.adapter.find_existing_user(attributes))
        try:
            link = ProvisionedUser.objects.create(
                tenant=self.tenant, user=user, user_name=attributes.user_name, **link_fields
            )
        except IntegrityError as exc:
            raise _duplicate_user_name(attributes.user_name) from exc
        self.subject, self.outcome = link, Outcome.PROVISIONED
        self._send_after_commit(signals.user_provisioned, user)
        return link

    @transaction.atomic(savepoint=False)
    def replace(
        self, link: ProvisionedUser, attributes: UserAttributes, link_fields: dict[str, Any]
    ) -> ProvisionedUser:
        """Full replace of the user's attributes (PUT, and PATCH after applying its operations).

        ``outcome`` becomes ``suspended`` when ``active`` went from true to
        false, ``reactivated`` when it went from false to true, else ``updated``.
        """
        if attributes.user_name.lower() != link.user_name.lower() and self._user_name_taken(
            attributes.user_name, exclude=link
        ):
            raise _duplicate_user_name(attributes.user_name)
        was_active = self.adapter.read(link.user).active
        self.adapter.update(link.user, attributes)
        link.user_name = attributes.user_name
        for name, value in link_fields.items():
            setattr(link, name, value)
        link.updated_at = timezone.now()
        link.save(update_fields=["user_name", *link_fields, "updated_at"])
        outcome = Outcome.UPDATED
        if was_active and attributes.active is False:
            outcome = Outcome.SUSPENDED
        elif was_active is False and attributes.active:
            outcome = Outcome.REACTIVATED
        self._send_after_commit(signals.user_updated, link.user)
        if outcome in _STATUS_SIGNALS:
            self._send_after_commit(_STATUS_SIGNALS[outcome], link.user)
        self.subject, self.outcome = link, outcome
        return link

    @transaction.atomic(savepoint=False)
    def delete(self, link: ProvisionedUser) -> None:
        """Deprovision: the adapter removes the user (or their membership), then the link goes."""
        user = link.user
        self.adapter.delete(user)
        ProvisionedUser.objects.filter(pk=link.pk).delete()
        # The instance keeps its id and userName, which the event log records.
        self.subject, self.outcome = link, Outcome.DEPROVISIONED
        self._send_after_commit(signals.user_deprovisioned, user)

    def _send_after_commit(self, signal: Any, user: Any) -> None:
        sender = type(self.adapter)
        tenant, key = self.tenant, self.key
        transaction.on_commit(lambda: signal.send(sender=sender, user=user, tenant=tenant, key=key))
