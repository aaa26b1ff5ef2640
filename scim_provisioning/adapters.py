"""User adapters: map ``UserAttributes`` onto the host's own User (and membership) models.

The app never assumes the host's User fields; everything goes through the
adapter named by ``SCIM_PROVISIONING["USER_ADAPTER"]``. ``DefaultUserAdapter``
covers ``django.contrib.auth``'s User with no configuration, and is the
template for a host's own adapter (see the example project's ``accounts.scim``).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, ClassVar, cast

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet, Value
from django.db.models.functions import Concat, Trim

from .attributes import UserAttributes
from .conf import scim_settings
from .models import ProvisionedUser


class BaseUserAdapter(ABC):
    """Contract between the SCIM layer and the host's user models.

    An adapter is created per request with the tenant of the provisioning key
    (``None`` on a single-tenant site). Every write method runs inside the
    request's transaction; raising ``django.core.exceptions.ValidationError``
    answers 400 ``invalidValue`` and rolls everything back.
    """

    #: ``UserAttributes`` fields this host stores. Others are accepted and
    #: ignored, and never returned as if they were stored.
    supported_attributes: ClassVar[frozenset[str]] = frozenset({"user_name", "email"})

    #: True when users can only exist inside a tenant (e.g. as memberships):
    #: keys must then name a tenant, in the admin and in ``createscimkey``.
    requires_tenant: ClassVar[bool] = False

    #: SCIM attribute path -> ORM path from ``ProvisionedUser`` (or an ORM
    #: expression), for filters and ``sortBy`` on attributes the host stores.
    #: The app maps id, userName, externalId and meta itself.
    filter_fields: ClassVar[dict[str, Any]] = {}

    def __init__(self, tenant: Any = None, request: Any = None) -> None:
        self.tenant = tenant
        self.request = request

    def get_filter_fields(self) -> dict[str, Any]:
        """``filter_fields``; override to add expressions that need the tenant."""
        return dict(self.filter_fields)

    def optimize_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        """Add ``select_related``/``prefetch_related`` so ``read`` runs no query per user."""
        return queryset.select_related("user")

    def get_read_fields(self) -> dict[str, Any] | None:
        """Where each ``UserAttributes`` field is stored, for reads without model instances.

        Name -> ORM path from ``ProvisionedUser`` (e.g. ``"user__email"``) or
        an expression (e.g. a ``Subquery``); a ``FilteredRelation`` is joined
        under its name for the paths that go through it (e.g. the membership in
        this tenant). Lists, lookups and GETs then select these values in the
        same query as the link, and ``attributes_from_values`` turns them into
        what ``read`` would have returned for the same user, which it must
        match exactly. By default the names are ``UserAttributes`` fields.
        ``None`` (the default) reads instances with ``read``.
        """
        return None

    def attributes_from_values(self, values: dict[str, Any]) -> UserAttributes:
        """``UserAttributes`` from the values named by ``get_read_fields``; blank strings are unassigned."""
        assigned: dict[str, Any] = {name: None if value == "" else value for name, value in values.items()}
        return UserAttributes(**assigned)

    def find_existing_user(self, attributes: UserAttributes) -> AbstractBaseUser | None:
        """A host user to link instead of creating one (e.g. one made before SCIM was on).

        Only users not yet linked in this tenant are offered here; the default
        links nobody.
        """
        return None

    @abstractmethod
    def create(self, attributes: UserAttributes, user: AbstractBaseUser | None = None) -> AbstractBaseUser:
        """Create the host user (or attach ``user``, from ``find_existing_user``) and return it."""

    @abstractmethod
    def update(self, user: AbstractBaseUser, attributes: UserAttributes) -> None:
        """Apply a full replace of the supported attributes to ``user``."""

    @abstractmethod
    def read(self, user: AbstractBaseUser) -> UserAttributes:
        """Return the user's attributes as stored by the host."""

    def delete(self, user: AbstractBaseUser) -> None:
        """Deprovision ``user`` from the tenant. The default deletes the host user."""
        user.delete()

    @staticmethod
    def validate(instance: Any, exclude: list[str] | None = None) -> None:
        """Validate each field (lengths, choices, formats), with no query.

        ``Model.clean()`` is not called: Django's user models normalise there
        (``normalize_email`` lowercases the domain), and IdPs expect values
        stored as sent (Entra ID's SCIM guidance). Hosts that need it can call
        ``full_clean()`` in their adapter.
        """
        instance.clean_fields(exclude=exclude)


#: "given family" as the representation writes name.formatted and displayName.
FULL_NAME = Trim(Concat("user__first_name", Value(" "), "user__last_name"))


class DefaultUserAdapter(BaseUserAdapter):
    """Maps SCIM onto ``django.contrib.auth``'s User (or any AbstractUser subclass).

    userName -> ``USERNAME_FIELD``, the chosen email -> ``email``, names ->
    ``first_name``/``last_name``, ``active`` -> ``is_active``. Users created
    here get an unusable password: passwords sent by IdPs are never stored.
    """

    supported_attributes = frozenset({"user_name", "email", "given_name", "family_name", "active"})
    filter_fields = {
        "emails.value": "user__email",
        "name.givenName": "user__first_name",
        "name.familyName": "user__last_name",
        "name.formatted": FULL_NAME,
        "displayName": FULL_NAME,
        "active": "user__is_active",
    }

    def get_read_fields(self) -> dict[str, Any] | None:
        """The columns ``read`` uses, so lists and GETs select only those (``reading.RowReader``).

        ``None`` (read instances) for a user model that lacks one of them as a
        column, e.g. an ``AbstractBaseUser`` whose ``is_active`` is a constant.
        """
        user_model = get_user_model()
        columns = {
            "user_name": user_model.USERNAME_FIELD,
            "email": "email",
            "given_name": "first_name",
            "family_name": "last_name",
            "active": "is_active",
        }
        concrete = {field.name for field in user_model._meta.concrete_fields}
        if not concrete.issuperset(columns.values()):
            return None
        return {name: f"user__{column}" for name, column in columns.items()}

    def find_existing_user(self, attributes: UserAttributes) -> AbstractBaseUser | None:
        """An account with this username, as sent or in lower or upper case, that no IdP manages yet.

        Three spellings rather than any case: ``username__in`` uses the
        username's unique index, while ``iexact`` would scan the whole user
        table on every create (the stock User has no index on its upper or
        lower case). Django's own login matches usernames exactly. A host
        whose usernames are case-insensitive should index ``Lower(username)``
        and match on it, as the example project does with emails.

        Staff and superusers are never offered: an IdP that could rename them
        or change their email could take over an operator's account.
        """
        user_model = get_user_model()
        name = attributes.user_name
        spellings = sorted({name, name.lower(), name.upper()})
        # At most three rows; checked here rather than joined into the query.
        candidates = user_model._default_manager.filter(**{f"{user_model.USERNAME_FIELD}__in": spellings})
        for user in candidates.order_by(user_model._meta.pk.name):
            operator = getattr(user, "is_staff", False) or getattr(user, "is_superuser", False)
            if not operator and not ProvisionedUser.objects.filter(user=user).exists():
                return user
        return None

    def create(self, attributes: UserAttributes, user: Any = None) -> AbstractBaseUser:
        if user is None:
            user = get_user_model()()
            user.set_unusable_password()
            if attributes.active is None:
                attributes.active = True
        self._assign(user, attributes)
        user.save()
        return cast(AbstractBaseUser, user)

    def update(self, user: Any, attributes: UserAttributes) -> None:
        self._assign(user, attributes)
        # Only the columns SCIM owns: a password or last_login changed meanwhile is not written back.
        concrete = {field.name for field in user._meta.concrete_fields}
        user.save(update_fields=[name for name in self._assigned_fields(user) if name in concrete])

    def read(self, user: Any) -> UserAttributes:
        return UserAttributes(
            user_name=user.get_username(),
            email=getattr(user, "email", None) or None,
            given_name=getattr(user, "first_name", None) or None,
            family_name=getattr(user, "last_name", None) or None,
            active=user.is_active,
        )

    @staticmethod
    def _assigned_fields(user: Any) -> tuple[str, ...]:
        """The columns ``_assign`` sets, which ``update`` saves; a subclass assigning more lists them too."""
        return (user.USERNAME_FIELD, "email", "first_name", "last_name", "is_active")

    def _assign(self, user: Any, attributes: UserAttributes) -> None:
        setattr(user, user.USERNAME_FIELD, attributes.user_name)
        user.email = attributes.email or ""
        user.first_name = attributes.given_name or ""
        user.last_name = attributes.family_name or ""
        if attributes.active is not None:
            user.is_active = attributes.active
        # Only what SCIM set: a value the host stored elsewhere in the row is not the IdP's to fix.
        assigned = set(self._assigned_fields(user))
        self.validate(user, exclude=[field.name for field in user._meta.fields if field.name not in assigned])


def get_user_adapter(tenant: Any = None, request: Any = None) -> BaseUserAdapter:
    """Instantiate the configured user adapter for ``tenant``."""
    adapter_class: type[BaseUserAdapter] = scim_settings.USER_ADAPTER
    return adapter_class(tenant=tenant, request=request)
