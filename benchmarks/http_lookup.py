"""The IdPs' lookup over real HTTP: the example product under gunicorn on PostgreSQL, against bare DRF.

The example product runs under gunicorn (2 sync workers by default) with a
DRF reference mounted beside it (``http_urls``: ``reference.UserViewSet``
over the same user table, token authentication, ``?email=`` filter). Users
are bulk-created with their SCIM links and memberships. Then, round by
round and in alternating order, each side is driven for a fixed time by the
same load generator (threads, one connection per request: gunicorn's sync
workers close each one), each request looking up a random existing user:

    ours       GET /api/scim/2.0/Users?filter=userName eq "…"&startIndex=1&count=100   (Okta's lookup)
    reference  GET /reference/users/?email=…

Reported: requests per second of each side per round, their medians, and
the median of the per-round ratios (ours / reference; above 1.0 is faster).
Any answer but 200, or a lookup that does not find its user, fails the run.

    python -m pip install -e . --group load --group bench
    python benchmarks/http_lookup.py                      # 10,000 users, 2 workers, 8 clients, 6 rounds of 5 s
    python benchmarks/http_lookup.py --users 100000

``DATABASE_URL`` names the PostgreSQL database, which is dropped and created
(default ``postgres://postgres@127.0.0.1:5432/scim_http``). The generator
shares the machine with the server, so absolute figures are a floor; the
ratio is what compares.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import statistics
import sys
import threading
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "example_project")]
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/scim_http")

from benchmarks.load_sync import free_port, reset_database, start_server  # noqa: E402

os.environ["DJANGO_SETTINGS_MODULE"] = "benchmarks.http_settings"
BATCH = 5000
SAMPLE_EVERY = 25  # one answer in 25 is parsed and checked


def populate(users: int) -> tuple[str, str, list[str]]:
    """Migrate, bulk-create ``users`` provisioned members; return (SCIM key, reference token, emails)."""
    import django

    django.setup()
    from accounts.models import Membership, Organization, Subscription, User
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from django.db import connection, connections
    from rest_framework.authtoken.models import Token

    from scim_provisioning.models import ProvisionedUser, ProvisioningKey

    call_command("migrate", verbosity=0)
    organization = Organization.objects.create(name="HTTP Inc.", slug="http")
    Subscription.objects.create(organization=organization, plan="Enterprise", seats=users + 10)
    password = make_password(None)
    emails = [f"user{n:07d}@http.example" for n in range(users)]
    for start in range(0, users, BATCH):
        batch = User.objects.bulk_create(
            User(email=email, first_name="Http", last_name=f"User{n}", password=password)
            for n, email in enumerate(emails[start : start + BATCH], start)
        )
        Membership.objects.bulk_create(Membership(user=user, organization=organization) for user in batch)
        ProvisionedUser.objects.bulk_create(
            ProvisionedUser(user=user, tenant=organization, user_name=user.email) for user in batch
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    _, raw_key = ProvisioningKey.objects.create_key(name="http benchmark", tenant=organization)
    admin = User.objects.create(email="reference-admin@http.example", is_staff=True, password=password)
    token = Token.objects.create(user=admin).key
    connections.close_all()
    return raw_key, token, emails


class Side:
    """One endpoint under load: how to ask for a user, and how to check the answer."""

    def __init__(self, name: str, port: int, authorization: str, path_for: Any, found: Any) -> None:
        self.name, self.port, self.authorization = name, port, authorization
        self.path_for, self.found = path_for, found

    def lookup(self, email: str, check: bool) -> str | None:
        """One request; an error message, or None if it answered 200 (and found the user, when checked)."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            connection.request("GET", self.path_for(email), headers={"Authorization": self.authorization})
            response = connection.getresponse()
            body = response.read()
        except OSError as error:
            return f"{self.name}: {error}"
        finally:
            connection.close()
        if response.status != 200:
            return f"{self.name} {email}: {response.status} {body[:200]!r}"
        if check and not self.found(json.loads(body), email):
            return f"{self.name} {email}: not found in {body[:200]!r}"
        return None


def drive(side: Side, emails: list[str], seconds: float, concurrency: int) -> tuple[float, float, list[str]]:
    """Requests per second and median latency (ms) of ``side`` under ``concurrency`` clients for ``seconds``."""
    deadline = time.perf_counter() + seconds
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()

    def client(seed: int) -> None:
        chooser = random.Random(seed)
        count = 0
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            error = side.lookup(chooser.choice(emails), check=count % SAMPLE_EVERY == 0)
            elapsed = time.perf_counter() - started
            count += 1
            with lock:
                latencies.append(elapsed)
                if error:
                    errors.append(error)

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        list(pool.map(client, range(concurrency)))
    elapsed = time.perf_counter() - started
    return len(latencies) / elapsed, statistics.median(latencies) * 1000, errors


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=10_000, help="users in the table (default 10,000)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers (default 2)")
    parser.add_argument("--concurrency", type=int, default=8, help="concurrent clients (default 8)")
    parser.add_argument("--seconds", type=float, default=5.0, help="seconds per side per round (default 5)")
    parser.add_argument("--rounds", type=int, default=6, help="rounds (default 6)")
    parser.add_argument("--json", type=Path, help="also write the results as JSON to this file")
    args = parser.parse_args()

    database_url = os.environ["DATABASE_URL"]
    print(f"Database {database_url}: recreating, migrating, creating {args.users:,} users", flush=True)
    reset_database(database_url)
    raw_key, token, emails = populate(args.users)
    port = free_port()
    server = start_server(port, args.workers)
    ours = Side(
        "ours",
        port,
        f"Bearer {raw_key}",
        lambda email: (
            "/api/scim/2.0/Users?"
            + urllib.parse.urlencode({"filter": f'userName eq "{email}"', "startIndex": 1, "count": 100})
        ),
        lambda body, email: body["totalResults"] == 1 and body["Resources"][0]["userName"] == email,
    )
    reference = Side(
        "reference",
        port,
        f"Token {token}",
        lambda email: "/reference/users/?" + urllib.parse.urlencode({"email": email}),
        lambda body, email: len(body) == 1 and body[0]["email"] == email,
    )
    rounds: list[dict[str, Any]] = []
    errors: list[str] = []
    try:
        for side in (ours, reference):  # warm both workers' connections and caches
            errors += drive(side, emails, 1.0, args.concurrency)[2]
        print(
            f"{args.rounds} rounds of {args.seconds:g} s per side, {args.concurrency} clients, {args.workers} workers"
        )
        for number in range(args.rounds):
            order = (ours, reference) if number % 2 == 0 else (reference, ours)
            measured = {}
            for side in order:
                rate, p50, side_errors = drive(side, emails, args.seconds, args.concurrency)
                measured[side.name] = (rate, p50)
                errors += side_errors
            row = {
                "ours_rps": measured["ours"][0],
                "reference_rps": measured["reference"][0],
                "ours_p50_ms": measured["ours"][1],
                "reference_p50_ms": measured["reference"][1],
                "ratio": measured["ours"][0] / measured["reference"][0],
            }
            rounds.append(row)
            print(
                f"  round {number + 1}: ours {row['ours_rps']:.0f} req/s (p50 {row['ours_p50_ms']:.1f} ms), "
                f"reference {row['reference_rps']:.0f} req/s (p50 {row['reference_p50_ms']:.1f} ms), "
                f"ratio {row['ratio']:.2f}",
                flush=True,
            )
    finally:
        server.terminate()
        server.wait(timeout=30)
        from django.db import connections

        connections.close_all()
        reset_database(database_url, create=False)

    summary = {
        "users": args.users,
        "workers": args.workers,
        "concurrency": args.concurrency,
        "ours_rps": statistics.median(r["ours_rps"] for r in rounds),
        "reference_rps": statistics.median(r["reference_rps"] for r in rounds),
        "ratio": statistics.median(r["ratio"] for r in rounds),
        "errors": len(errors),
        "rounds": rounds,
    }
    print(
        f"\nmedian: ours {summary['ours_rps']:.0f} req/s, reference {summary['reference_rps']:.0f} req/s, "
        f"ratio {summary['ratio']:.2f} (above 1.00: ours serves more lookups per second)"
    )
    print(f"errors: {len(errors)}")
    for line in errors[:10]:
        print(f"  {line}")
    if args.json:
        args.json.write_text(json.dumps(summary, indent=2))
    return 0 if not errors else 1


if __name__ == "__main__":
    sys.exit(main())
