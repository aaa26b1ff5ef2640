"""The IdPs' lookups use an index at 100,000 users, on SQLite and PostgreSQL (issue 7).

Okta, Entra ID and OneLogin send ``filter=userName eq "…"`` before each
create (some ``externalId eq`` or ``emails.value eq``), tens of thousands of
times in a first sync. Each lookup here is sent through the API, its SQL
captured, and the database asked (``EXPLAIN``) how it runs it: through an
index, never a scan of the link or the user table. userName and emails.value
are compared case-insensitively (RFC 7643 §4.1.1, §4.1.2: caseExact false)
as ``LOWER(column) = LOWER(%s)``, which only a functional index on
``LOWER(column)`` serves; externalId is caseExact (RFC 7643 §3.1).
"""

from __future__ import annotations

import os
import re
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import connection
from django.test.utils import CaptureQueriesContext

from scim_provisioning.models import ProvisionedUser

from .conftest import is_host

USERS = "/scim/v2/Users"
#: The issue's size; SCIM_INDEX_TEST_USERS lowers it for a quick local run.
SIZE = int(os.environ.get("SCIM_INDEX_TEST_USERS", "100000"))
BATCH = 10_000
LINK_TABLE = ProvisionedUser._meta.db_table
pytestmark = pytest.mark.django_db

TARGET = f"{SIZE // 3:07d}"
LOOKUPS = {
    "userName": f'userName eq "USER{TARGET}@EXAMPLE.COM"',
    "externalId": f'externalId eq "ext-{TARGET}"',
    "emails.value": f'emails.value eq "User{TARGET}@Example.com"',
}
#: The index each lookup must start from: a plan that walks the tenant's links
#: by their tenant index and tests each row would still "use an index".
INDEXES = {
    "userName": {"scim_user_name_unique_per_tenant", "scim_user_name_unique_no_tenant"},
    "externalId": {"scim_user_external_id"},
    # The stock User's (migration 0003) or the example host's own.
    "emails.value": {"scim_auth_user_email_lower", "accounts_user_email_ci_unique"},
}


def populate(tenant: Any, size: int) -> None:
    """``size`` users and their links, bulk-created, then statistics for the planner."""
    user_model = get_user_model()
    password = make_password(None)
    username_field = user_model.USERNAME_FIELD
    for start in range(0, size, BATCH):
        numbers = range(start, min(size, start + BATCH))
        users = user_model.objects.bulk_create(
            user_model(
                password=password, **{"email": f"user{n:07d}@example.com", username_field: f"user{n:07d}@example.com"}
            )
            for n in numbers
        )
        ProvisionedUser.objects.bulk_create(
            ProvisionedUser(user=user, tenant=tenant, user_name=user.email, external_id=f"ext-{n:07d}")
            for n, user in zip(numbers, users, strict=True)
        )
        if is_host():  # the example reads active and privilege from the membership
            from accounts.models import Membership

            Membership.objects.bulk_create(Membership(user=user, organization=tenant) for user in users)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def lookup_statement(client: Any, filter_: str) -> str:
    """The SQL of the page query the lookup runs (its only statement on the link table)."""
    with CaptureQueriesContext(connection) as captured:
        body = client.get(USERS, {"filter": filter_}).json()
    assert body["totalResults"] == 1, body
    [statement] = [q["sql"] for q in captured.captured_queries if LINK_TABLE in q["sql"]]
    return statement


def plan(statement: str) -> str:
    explain = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN "
    with connection.cursor() as cursor:
        cursor.execute(explain + statement)
        return "\n".join(" ".join(str(column) for column in row) for row in cursor.fetchall())


def full_scans(query_plan: str) -> list[str]:
    """Tables the plan reads whole: SQLite's ``SCAN t`` without an index, PostgreSQL's ``Seq Scan on t``."""
    if connection.vendor == "sqlite":
        return re.findall(r"\bSCAN (\w+)(?! USING (?:COVERING )?INDEX)", query_plan)
    return re.findall(r"Seq Scan on (\w+)", query_plan)


@pytest.fixture
def large_population(tenant):
    populate(tenant, SIZE)
    return SIZE


@pytest.mark.skipif(connection.vendor not in ("sqlite", "postgresql"), reason="plans read for SQLite and PostgreSQL")
def test_lookups_use_an_index_at_100000_users(scim, large_population):
    """RFC 7644 §3.4.2.2 ``eq`` on userName, externalId and emails.value: an index, never a table scan."""
    plans = {attribute: plan(lookup_statement(scim, filter_)) for attribute, filter_ in LOOKUPS.items()}

    scans = {attribute: full_scans(query_plan) for attribute, query_plan in plans.items()}
    assert scans == dict.fromkeys(LOOKUPS, []), plans
    indexes_used = {attribute: {name for name in INDEXES[attribute] if name in plans[attribute]} for attribute in plans}
    assert all(indexes_used.values()), plans
