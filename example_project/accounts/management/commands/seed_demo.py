"""``manage.py seed_demo``: the demo organization, its subscription and its admin.

Idempotent: what exists is found and reported, never duplicated or reset, so
the quick start can run it on every start.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from accounts.models import Membership, Organization, Subscription, User

ORGANIZATION_SLUG = "demo"
ORGANIZATION_NAME = "Demo Inc."
PLAN = "Enterprise"
SEATS = 5
ADMIN_EMAIL = "admin@demo.example"
DEFAULT_PASSWORD = "demo-admin-password"


class Command(BaseCommand):
    help = "Create the demo organization, its subscription and its admin user (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--password",
            default=DEFAULT_PASSWORD,
            help=f"Password of {ADMIN_EMAIL} if the user is created (default: %(default)s). "
            "An existing user's password is left alone.",
        )

    @transaction.atomic
    def handle(self, *args: Any, password: str, **options: Any) -> None:
        organization, created = Organization.objects.get_or_create(
            slug=ORGANIZATION_SLUG, defaults={"name": ORGANIZATION_NAME}
        )
        self._report(created, f"organization {organization.name!r} (slug {organization.slug!r})")

        subscription, created = Subscription.objects.get_or_create(
            organization=organization, defaults={"plan": PLAN, "seats": SEATS}
        )
        self._report(created, f"subscription {subscription.plan!r} with {subscription.seats} seats")

        admin = User.objects.filter(email__iexact=ADMIN_EMAIL).first()
        created = admin is None
        if admin is None:
            admin = User.objects.create_superuser(ADMIN_EMAIL, password, first_name="Demo", last_name="Admin")
        self._report(created, f"admin user {admin.email}" + ("" if created else " (password unchanged)"))

        _, created = Membership.objects.get_or_create(
            user=admin,
            organization=organization,
            defaults={"privilege": Membership.Privilege.MEMBER, "is_admin": True},
        )
        self._report(created, f"membership of {admin.email} in {organization.name!r} (admin)")

    def _report(self, created: bool, what: str) -> None:
        if created:
            self.stdout.write(self.style.SUCCESS(f"Created {what}."))
        else:
            self.stdout.write(f"Found {what}.")
