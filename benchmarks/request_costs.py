"""Cost of each SCIM request against a bare DRF ModelViewSet over the same users, at 1k, 10k and 100k users.

For each size, users are bulk-created (outside any timing) in the stock
``auth.User`` table, each with its SCIM link, so both sides read one table.
Then, round by round, each operation runs once on our endpoint and once on
the reference (``benchmarks/reference.py``), in alternating order, through
Django's test client in this process. Reported per operation: the median
time of ours and of the reference, the median of the per-round ratios
(absolute times drift on shared machines; a ratio measured in the same
round does not), and the SQL statements each request ran (including
authentication; transaction control statements are not counted).

    python -m pip install -e . --group bench
    python benchmarks/request_costs.py                                  # SQLite, 1k/10k/100k users
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/scim_costs python benchmarks/request_costs.py
    python benchmarks/request_costs.py --sizes 1000 --rounds 15         # a quick look

Operations (ours / reference):
    lookup  GET /Users?filter=userName eq "…"        / GET /users/?username=…
    page    GET /Users?startIndex=N/2+1&count=100    / GET /users/?offset=N/2&limit=100
    get     GET /Users/{id}                          / GET /users/{pk}/
    post    POST /Users                              / POST /users/
    patch   PATCH /Users/{id} (replace active)       / PATCH /users/{pk}/ (is_active)
    put     PUT /Users/{id}                          / PUT /users/{pk}/
    delete  DELETE /Users/{id}                       / DELETE /users/{pk}/
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import sys
import time
import urllib.parse
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ["DJANGO_SETTINGS_MODULE"] = "benchmarks.costs_settings"

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.hashers import make_password  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from rest_framework.authtoken.models import Token  # noqa: E402

from scim_provisioning.models import ProvisionedUser, ProvisioningKey  # noqa: E402

User = get_user_model()
USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"
PATCH_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
JSON = "application/json"
TRANSACTION_STATEMENTS = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT")
OPERATIONS = ["lookup", "page", "get", "post", "patch", "put", "delete"]
BATCH = 5000


def populate(size: int) -> None:
    """``size`` users with SCIM links, bulk-created; any earlier users are removed first."""
    ProvisionedUser.objects.all().delete()
    User.objects.all().delete()
    password = make_password(None)
    for start in range(0, size, BATCH):
        users = User.objects.bulk_create(
            User(
                username=f"user{n:07d}@example.com",
                email=f"user{n:07d}@example.com",
                first_name="Bulk",
                last_name=f"User{n}",
                password=password,
            )
            for n in range(start, min(size, start + BATCH))
        )
        ProvisionedUser.objects.bulk_create(
            ProvisionedUser(user=user, user_name=user.username, tenant=None) for user in users
        )
    with connection.cursor() as cursor:
        # A table autovacuum has processed (statistics, visibility map), as in production.
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")


def scim_user(user_name: str, active: bool = True) -> dict[str, Any]:
    return {
        "schemas": [USER_SCHEMA],
        "userName": user_name,
        "name": {"givenName": "New", "familyName": "User"},
        "emails": [{"value": user_name, "type": "work", "primary": True}],
        "active": active,
    }


def plain_user(user_name: str, active: bool = True) -> dict[str, Any]:
    return {"username": user_name, "email": user_name, "first_name": "New", "last_name": "User", "is_active": active}


class Sides:
    """Requests of one round: ours (SCIM, Bearer key) and the reference (DRF, Token)."""

    def __init__(self, size: int, scim_key: str, token: str) -> None:
        self.size = size
        self.ours = Client(HTTP_AUTHORIZATION=f"Bearer {scim_key}")
        self.reference = Client(HTTP_AUTHORIZATION=f"Token {token}")
        self.counter = 0

    def fresh_user(self) -> tuple[ProvisionedUser, Any]:
        """A user made outside the timing, for DELETE (ours) and the reference's DELETE."""
        self.counter += 1
        user = User.objects.create(username=f"victim{self.counter}@example.com", email="v@example.com")
        link = ProvisionedUser.objects.create(user=user, user_name=user.username)
        other = User.objects.create(username=f"victim-ref{self.counter}@example.com", email="v@example.com")
        return link, other

    def pair(self, operation: str, round_number: int) -> tuple[Callable[[], Any], Callable[[], Any], int]:
        """(ours, reference, expected status) for one operation in one round."""
        middle = self.size // 2
        target_name = f"user{(round_number * 7919) % self.size:07d}@example.com"
        target = ProvisionedUser.objects.select_related("user").get(user_name=target_name)
        new_name = f"new{round_number}-{operation}@example.com"
        if operation == "lookup":
            query = urllib.parse.urlencode({"filter": f'userName eq "{target_name}"'})
            return (
                lambda: self.ours.get(f"/scim/v2/Users?{query}"),
                lambda: self.reference.get(f"/reference/users/?username={target_name}"),
                200,
            )
        if operation == "page":
            return (
                lambda: self.ours.get(f"/scim/v2/Users?startIndex={middle + 1}&count=100"),
                lambda: self.reference.get(f"/reference/users/?offset={middle}&limit=100"),
                200,
            )
        if operation == "get":
            return (
                lambda: self.ours.get(f"/scim/v2/Users/{target.pk}"),
                lambda: self.reference.get(f"/reference/users/{target.user_id}/"),
                200,
            )
        if operation == "post":
            return (
                lambda: self.ours.post("/scim/v2/Users", scim_user(new_name), content_type=JSON),
                lambda: self.reference.post("/reference/users/", plain_user("ref-" + new_name), content_type=JSON),
                201,
            )
        if operation == "patch":
            body = {"schemas": [PATCH_SCHEMA], "Operations": [{"op": "replace", "path": "active", "value": False}]}
            return (
                lambda: self.ours.patch(f"/scim/v2/Users/{target.pk}", body, content_type=JSON),
                lambda: self.reference.patch(
                    f"/reference/users/{target.user_id}/", {"is_active": False}, content_type=JSON
                ),
                200,
            )
        if operation == "put":
            return (
                lambda: self.ours.put(f"/scim/v2/Users/{target.pk}", scim_user(target_name), content_type=JSON),
                lambda: self.reference.put(
                    f"/reference/users/{target.user_id}/", plain_user(target_name), content_type=JSON
                ),
                200,
            )
        link, other = self.fresh_user()
        return (
            lambda: self.ours.delete(f"/scim/v2/Users/{link.pk}"),
            lambda: self.reference.delete(f"/reference/users/{other.pk}/"),
            204,
        )


def timed(request: Callable[[], Any], expected: int) -> tuple[float, int]:
    """Seconds and SQL statements (transaction control excluded) of one request."""
    reset_queries()
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        response = request()
        elapsed = time.perf_counter() - started
    if response.status_code != expected:
        raise SystemExit(f"unexpected {response.status_code}: {response.content[:300]!r}")
    statements = [q["sql"] for q in queries.captured_queries if not q["sql"].upper().startswith(TRANSACTION_STATEMENTS)]
    return elapsed, len(statements)


def measure(size: int, rounds: int) -> dict[str, dict[str, float]]:
    print(f"  populating {size:,} users ...", flush=True)
    started = time.perf_counter()
    populate(size)
    print(f"  populated in {time.perf_counter() - started:.1f} s", flush=True)
    # The objects of the bulk creation are garbage: collect them now, not during a timed request.
    gc.collect()
    ProvisioningKey.objects.all().delete()
    _, raw_key = ProvisioningKey.objects.create_key(name="bench")
    admin = User.objects.create(username="bench-admin", email="admin@example.com", is_staff=True)
    token = Token.objects.create(user=admin)
    sides = Sides(size, raw_key, token.key)
    results: dict[str, dict[str, list[float]]] = {
        op: {"ours": [], "reference": [], "ratio": [], "ours_sql": [], "reference_sql": []} for op in OPERATIONS
    }
    for warmup in range(2):  # caches, key last_used_at, connection setup
        for operation in OPERATIONS:
            ours, reference, expected = sides.pair(operation, rounds + warmup)
            timed(ours, expected)
            timed(reference, expected)
    for round_number in range(rounds):
        for operation in OPERATIONS:
            ours, reference, expected = sides.pair(operation, round_number)
            first, second = (ours, reference) if round_number % 2 == 0 else (reference, ours)
            a = timed(first, expected)
            b = timed(second, expected)
            (ours_time, ours_sql), (ref_time, ref_sql) = (a, b) if round_number % 2 == 0 else (b, a)
            row = results[operation]
            row["ours"].append(ours_time)
            row["reference"].append(ref_time)
            row["ratio"].append(ours_time / ref_time)
            row["ours_sql"].append(ours_sql)
            row["reference_sql"].append(ref_sql)
    return {
        op: {
            "ours_ms": statistics.median(row["ours"]) * 1000,
            "reference_ms": statistics.median(row["reference"]) * 1000,
            "ratio": statistics.median(row["ratio"]),
            "ours_sql": max(row["ours_sql"]),
            "reference_sql": max(row["reference_sql"]),
        }
        for op, row in results.items()
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000,100000", help="comma-separated user counts")
    parser.add_argument("--rounds", type=int, default=61, help="rounds per size (default 61)")
    parser.add_argument("--json", type=Path, help="also write the results as JSON to this file")
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]

    print(f"Database: {connection.vendor} ({connection.settings_dict['NAME']})", flush=True)
    call_command("migrate", verbosity=0)
    table: dict[int, dict[str, dict[str, float]]] = {}
    for size in sizes:
        print(f"{size:,} users:", flush=True)
        table[size] = measure(size, args.rounds)

    print()
    print(f"{'operation':<8}{'users':>9}{'ours ms':>9}{'ref ms':>9}{'ratio':>7}{'SQL':>5}{'ref SQL':>8}")
    for operation in OPERATIONS:
        for size in sizes:
            row = table[size][operation]
            print(
                f"{operation:<8}{size:>9,}{row['ours_ms']:>9.2f}{row['reference_ms']:>9.2f}"
                f"{row['ratio']:>7.2f}{row['ours_sql']:>5.0f}{row['reference_sql']:>8.0f}"
            )
    if len(sizes) > 1:
        print(f"\ngrowth of the median time from {sizes[0]:,} to {sizes[-1]:,} users:")
        print(f"  {'':<8}{'ours':>7}{'ref':>7}")
        for operation in OPERATIONS:
            first, last = table[sizes[0]][operation], table[sizes[-1]][operation]
            print(
                f"  {operation:<8}{last['ours_ms'] / first['ours_ms']:>6.2f}x"
                f"{last['reference_ms'] / first['reference_ms']:>6.2f}x"
            )
    if args.json:
        args.json.write_text(json.dumps({"vendor": connection.vendor, "results": table}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
