"""``manage.py prunescimevents``: delete provisioning events older than the retention period.

Run it daily, e.g. from cron: ``0 3 * * * python manage.py prunescimevents``.
Events are deleted ``--batch-size`` primary keys per DELETE, so pruning a
large table never holds one long lock.
"""

from __future__ import annotations

from argparse import ArgumentTypeError
from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from ...conf import scim_settings
from ...events import PRUNE_BATCH_SIZE, prune_events
from ...models import ProvisioningEvent


def _positive(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise ArgumentTypeError(f"must be a whole number, 1 or more, not {value!r}")
    return number


class Command(BaseCommand):
    help = "Delete SCIM provisioning events older than SCIM_PROVISIONING['EVENT_RETENTION_DAYS'] (or --days)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--days",
            type=_positive,
            help="Delete events older than this many days. Default: SCIM_PROVISIONING['EVENT_RETENTION_DAYS'].",
        )
        parser.add_argument("--dry-run", action="store_true", help="Print how many events would be deleted.")
        parser.add_argument(
            "--batch-size",
            type=_positive,
            default=PRUNE_BATCH_SIZE,
            help=f"Events deleted per DELETE statement (default {PRUNE_BATCH_SIZE}).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        days = options["days"] if options["days"] is not None else scim_settings.EVENT_RETENTION_DAYS
        if days is None:
            self.stdout.write(
                "Event retention is disabled (EVENT_RETENTION_DAYS is None): no events deleted. "
                "Pass --days to prune anyway."
            )
            return
        if isinstance(days, bool) or not isinstance(days, int) or days < 1:
            raise CommandError(
                f"EVENT_RETENTION_DAYS must be a whole number of days, 1 or more, or None; not {days!r}."
            )
        cutoff = timezone.now() - timedelta(days=days)
        if options["dry_run"]:
            count = ProvisioningEvent.objects.filter(created_at__lt=cutoff).count()
            self.stdout.write(f"{count} provisioning events older than {days} days would be deleted (dry run).")
            return
        deleted = prune_events(cutoff, batch_size=options["batch_size"])
        self.stdout.write(f"Deleted {deleted} provisioning events older than {days} days.")
