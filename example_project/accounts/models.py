"""The host product's own models, as a SaaS would have them before adding SCIM.

A person (``User``) logs in with an email address and may belong to several
organizations through ``Membership``. An ``Organization`` is the SCIM tenant:
each provisioning key belongs to one, and its identity provider manages only
that organization's memberships. ``Subscription`` says how many seats the
organization bought.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils.timezone import now
from django.utils.translation import gettext_lazy as _


class UserManager(BaseUserManager["User"]):
    """Creates users keyed by a normalized email address."""

    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra_fields: Any) -> User:
        if not email:
            raise ValueError("Users must have an email address.")
        user = self.model(email=self.normalize_email(email), **extra_fields)
        # None gives an unusable password: users provisioned by SCIM sign in
        # through their identity provider, never with a password of ours.
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra_fields: Any) -> User:
        """Create a regular user."""
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email: str, password: str | None = None, **extra_fields: Any) -> User:
        """Create a user who may use the Django admin with every permission."""
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        if extra_fields.get("is_staff") is not True:
            raise ValueError("Superuser must have is_staff=True.")
        if extra_fields.get("is_superuser") is not True:
            raise ValueError("Superuser must have is_superuser=True.")
        return self._create_user(email, password, **extra_fields)

    def get_by_natural_key(self, username: str | None) -> User:
        """Log in whatever the case the email is typed in."""
        return self.get(email__iexact=username)


class User(AbstractBaseUser, PermissionsMixin):
    """A person, who logs in with an email address."""

    email = models.EmailField(_("email address"), unique=True)
    first_name = models.CharField(_("first name"), max_length=150, blank=True)
    last_name = models.CharField(_("last name"), max_length=150, blank=True)
    language = models.CharField(_("language"), max_length=35, blank=True, help_text=_("e.g. en-US"))
    timezone = models.CharField(_("time zone"), max_length=64, blank=True, help_text=_("e.g. Europe/Paris"))
    phone = models.CharField(_("work phone"), max_length=64, blank=True)
    location = models.CharField(_("location"), max_length=255, blank=True)
    is_staff = models.BooleanField(
        _("staff status"),
        default=False,
        help_text=_("Designates whether the user can log into the admin site."),
    )
    is_active = models.BooleanField(
        _("active"),
        default=True,
        help_text=_("Unselect instead of deleting the account; suspension is per organization."),
    )
    date_joined = models.DateTimeField(_("date joined"), default=now)

    objects = UserManager()

    EMAIL_FIELD = "email"
    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        # Emails are matched case-insensitively at login and by SCIM (userName
        # is caseExact=false), so two spellings of one address must not coexist.
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                name="accounts_user_email_ci_unique",
                violation_error_message=_("A user with that email address already exists."),
            ),
        ]

    def __str__(self) -> str:
        return self.email

    def clean(self) -> None:
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email)

    def get_full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def get_short_name(self) -> str:
        return self.first_name


class Organization(models.Model):
    """A customer of the SaaS, and the SCIM tenant (``SCIM_PROVISIONING_TENANT_MODEL``)."""

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    members = models.ManyToManyField(
        "User", through="Membership", related_name="organizations", verbose_name=_("members")
    )

    class Meta:
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class MembershipQuerySet(models.QuerySet["Membership"]):
    def holding_seats(self) -> MembershipQuerySet:
        """Memberships that use a paid seat: privilege ``member``, suspended or not.

        Suspension (SCIM ``active: false``) is often temporary (leave, an
        investigation), and a returning member must not find their seat taken.
        An IdP frees a seat by deleting the user or setting privilege ``inactive``.
        """
        return self.filter(privilege=Membership.Privilege.MEMBER)

    def administered_by(self, user: Any) -> MembershipQuerySet:
        """The memberships through which ``user`` administers an organization (suspended admins don't)."""
        return self.filter(user_id=user.pk, is_admin=True, is_suspended=False)


class Membership(models.Model):
    """A user's place in one organization: what the organization's IdP provisions."""

    class Privilege(models.TextChoices):
        # The values of SCIM's `privilege` attribute (scim_provisioning.attributes.Privilege).
        MEMBER = "member", _("member")
        INACTIVE = "inactive", _("inactive")

    user = models.ForeignKey("User", on_delete=models.CASCADE, related_name="memberships", verbose_name=_("user"))
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("organization")
    )
    privilege = models.CharField(_("privilege"), max_length=16, choices=Privilege.choices, default=Privilege.MEMBER)
    is_suspended = models.BooleanField(
        _("suspended"), default=False, help_text=_("Set by the IdP's active=false; the member cannot sign in here.")
    )
    is_admin = models.BooleanField(_("organization admin"), default=False)
    created_at = models.DateTimeField(_("created"), default=now, editable=False)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "organization"], name="accounts_membership_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.organization}"


class Subscription(models.Model):
    """The plan an organization pays for, and how many seats it includes.

    A seat is held by every membership with privilege ``member``, suspended
    members included (see ``MembershipQuerySet.holding_seats``).
    """

    organization = models.OneToOneField(
        Organization, on_delete=models.CASCADE, related_name="subscription", verbose_name=_("organization")
    )
    plan = models.CharField(_("plan"), max_length=100)
    seats = models.PositiveIntegerField(_("seats"))

    class Meta:
        verbose_name = _("subscription")
        verbose_name_plural = _("subscriptions")

    def __str__(self) -> str:
        return f"{self.organization}: {self.plan} ({self.seats} seats)"

    def seats_used(self) -> int:
        """How many of the organization's memberships hold a seat."""
        return Membership.objects.filter(organization_id=self.organization_id).holding_seats().count()
