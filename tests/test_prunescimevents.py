"""``manage.py prunescimevents``: events older than the retention period are deleted, in batches."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from scim_provisioning.events import prune_events
from scim_provisioning.models import ProvisioningEvent

from .conftest import override_scim_settings
from .factories import ProvisioningEventFactory

pytestmark = pytest.mark.django_db


def prune(*args):
    out = StringIO()
    call_command("prunescimevents", *args, stdout=out)
    return out.getvalue()


def aged(days, minutes=0, **fields):
    """An event created ``days`` days (and ``minutes`` more minutes) ago."""
    return ProvisioningEventFactory(created_at=timezone.now() - timedelta(days=days, minutes=minutes), **fields)


def remaining():
    return set(ProvisioningEvent.objects.values_list("pk", flat=True))


def test_deletes_events_older_than_days_and_keeps_the_rest(tenant):
    expired = aged(10, minutes=1, tenant=tenant)
    older = aged(400)
    kept = aged(10, minutes=-1, tenant=tenant)
    recent = aged(0)

    output = prune("--days", "10")

    assert output == "Deleted 2 provisioning events older than 10 days.\n"
    assert remaining() == {kept.pk, recent.pk}
    assert expired.pk not in remaining() and older.pk not in remaining()


def test_the_cutoff_itself_is_kept():
    """Older than is strict: an event created exactly at the cutoff stays."""
    cutoff = timezone.now() - timedelta(days=30)
    at_cutoff = ProvisioningEventFactory(created_at=cutoff)
    just_before = ProvisioningEventFactory(created_at=cutoff - timedelta(microseconds=1))

    assert prune_events(cutoff) == 1

    assert remaining() == {at_cutoff.pk}
    assert just_before.pk not in remaining()


def test_days_default_to_the_retention_setting(settings):
    override_scim_settings(settings, EVENT_RETENTION_DAYS=30)
    expired, kept = aged(30, minutes=1), aged(29)

    output = prune()

    assert output == "Deleted 1 provisioning events older than 30 days.\n"
    assert remaining() == {kept.pk}
    assert expired.pk not in remaining()


def test_the_default_retention_is_90_days(settings):
    settings.SCIM_PROVISIONING = {}
    expired, kept = aged(90, minutes=1), aged(89)

    assert prune() == "Deleted 1 provisioning events older than 90 days.\n"
    assert remaining() == {kept.pk}
    assert expired.pk not in remaining()


def test_retention_none_disables_pruning(settings):
    override_scim_settings(settings, EVENT_RETENTION_DAYS=None)
    ancient = aged(3650)

    output = prune()

    assert "retention is disabled" in output
    assert "no events deleted" in output
    assert remaining() == {ancient.pk}


def test_days_prune_even_when_retention_is_disabled(settings):
    override_scim_settings(settings, EVENT_RETENTION_DAYS=None)
    aged(3650)

    assert prune("--days", "365") == "Deleted 1 provisioning events older than 365 days.\n"
    assert not ProvisioningEvent.objects.exists()


def test_dry_run_counts_and_deletes_nothing():
    for days in (100, 200, 1):
        aged(days)

    output = prune("--days", "90", "--dry-run")

    assert output == "2 provisioning events older than 90 days would be deleted (dry run).\n"
    assert ProvisioningEvent.objects.count() == 3


def test_deletes_in_batches_of_primary_keys():
    """A large table is pruned by several small DELETEs, never one long one."""
    expired = [aged(100) for _ in range(5)]
    kept = aged(1)
    table = ProvisioningEvent._meta.db_table

    with CaptureQueriesContext(connection) as context:
        output = prune("--days", "90", "--batch-size", "2")

    deletes = [q["sql"] for q in context.captured_queries if q["sql"].startswith(f'DELETE FROM "{table}"')]
    assert len(deletes) == 3
    assert all('"id" IN' in sql for sql in deletes)
    assert output == "Deleted 5 provisioning events older than 90 days.\n"
    assert remaining() == {kept.pk}
    assert not remaining() & {event.pk for event in expired}


def test_nothing_to_delete():
    aged(1)

    assert prune("--days", "90") == "Deleted 0 provisioning events older than 90 days.\n"
    assert ProvisioningEvent.objects.count() == 1


@pytest.mark.parametrize("option", [["--days", "0"], ["--days", "-3"], ["--days", "ten"], ["--batch-size", "0"]])
def test_bad_numbers_are_refused(option):
    aged(100)

    with pytest.raises(CommandError, match="must be a whole number, 1 or more"):
        prune(*option)

    assert ProvisioningEvent.objects.count() == 1


@pytest.mark.parametrize("value", ["90", 0, 1.5, True])
def test_a_bad_retention_setting_is_refused(settings, value):
    """The same rule as check scim_provisioning.E012, for a command run without the checks."""
    override_scim_settings(settings, EVENT_RETENTION_DAYS=value)
    aged(100)

    with pytest.raises(CommandError, match="EVENT_RETENTION_DAYS"):
        prune()

    assert ProvisioningEvent.objects.count() == 1
