"""Load test: an IdP's initial sync of thousands of users, then a burst of updates, over real HTTP.

It runs the example product under gunicorn (several sync workers) on
PostgreSQL and replays what Okta does for each user of an initial sync: a
``userName eq`` lookup (``startIndex=1&count=100``), then a ``POST /Users``.
Some users are pushed twice at once in another letter case, as an IdP's
retries do, and must be answered 409 ``uniqueness``, never duplicated. Then
a burst of updates: ``PATCH`` (deactivate) and ``PUT`` (Okta's full
replace) of a share of the users, concurrently. It reports requests per
second per phase, the number of unexpected answers (must be 0) and the rows
in the database (must equal the number of distinct users), and exits
non-zero if either check fails.

Run it from the repository root, with PostgreSQL at ``DATABASE_URL`` (the
database named there is dropped and created)::

    python -m pip install -e . --group load
    python benchmarks/load_sync.py                       # 10,000 users, 4 workers, 16 clients
    python benchmarks/load_sync.py --users 500 --quick   # a smoke run (CI)

The load generator is this process (threads, one HTTP connection per
request, as most IdPs do), on the same machine as the server, so the
figures are a floor for what a dedicated server does.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "example_project")]
os.environ["DJANGO_SETTINGS_MODULE"] = "benchmarks.load_settings"
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/scim_load")

USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"
PATCH_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:PatchOp"


@dataclass
class Phase:
    """Answers of one phase: status counts, unexpected ones, latencies."""

    name: str
    statuses: Counter[int] = field(default_factory=Counter)
    unexpected: list[str] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)
    seconds: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, status: int, expected: set[int], latency: float, what: str) -> None:
        with self.lock:
            self.statuses[status] += 1
            self.latencies.append(latency)
            if status not in expected:
                self.unexpected.append(f"{what}: {status}")

    @property
    def requests(self) -> int:
        return sum(self.statuses.values())

    def summary(self) -> dict[str, Any]:
        ordered = sorted(self.latencies) or [0.0]
        return {
            "phase": self.name,
            "requests": self.requests,
            "seconds": round(self.seconds, 2),
            "requests_per_second": round(self.requests / self.seconds, 1) if self.seconds else 0.0,
            "p50_ms": round(statistics.median(ordered) * 1000, 1),
            "p99_ms": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000, 1),
            "statuses": dict(sorted(self.statuses.items())),
            "unexpected": len(self.unexpected),
        }


class Client:
    """A SCIM client with one key; one connection per request."""

    def __init__(self, base_url: str, key: str) -> None:
        self.base_url = base_url
        self.headers = {
            "Authorization": f"Bearer {key}",
            "Content-Type": "application/scim+json",
            "Accept": "application/scim+json",
            "User-Agent": "scim-load-test/1.0",
        }

    def request(self, method: str, path: str, body: Any = None) -> tuple[int, Any, float]:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.base_url + path, data=data, method=method, headers=self.headers)
        started = time.perf_counter()
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                status, payload = response.status, response.read()
        except urllib.error.HTTPError as error:
            status, payload = error.code, error.read()
        except OSError as error:  # refused, reset: counted as an unexpected answer
            return 0, str(error), time.perf_counter() - started
        elapsed = time.perf_counter() - started
        try:
            return status, json.loads(payload) if payload else None, elapsed
        except ValueError:
            return status, payload[:200], elapsed


def user_body(user_name: str, active: bool = True) -> dict[str, Any]:
    local = user_name.split("@")[0]
    return {
        "schemas": [USER_SCHEMA],
        "userName": user_name,
        "name": {"givenName": local.capitalize(), "familyName": "Load"},
        "emails": [{"value": user_name, "type": "work", "primary": True}],
        "preferredLanguage": "en-US",
        "timezone": "Europe/Paris",
        "active": active,
    }


def lookup_path(user_name: str) -> str:
    query = urllib.parse.urlencode({"filter": f'userName eq "{user_name}"', "startIndex": 1, "count": 100})
    return f"/Users?{query}"


def run_phase(name: str, tasks: list[Any], concurrency: int) -> Phase:
    phase = Phase(name)
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        for future in [pool.submit(task, phase) for task in tasks]:
            future.result()
    phase.seconds = time.perf_counter() - started
    return phase


def sync_task(client: Client, user_name: str, ids: dict[str, str]) -> Any:
    """Okta's create path: look the user up, create it if absent."""

    def task(phase: Phase) -> None:
        status, body, latency = client.request("GET", lookup_path(user_name))
        phase.record(status, {200}, latency, f"lookup {user_name}")
        if status == 200 and body["totalResults"]:
            ids[user_name] = body["Resources"][0]["id"]
            return
        status, body, latency = client.request("POST", "/Users", user_body(user_name))
        phase.record(status, {201, 409}, latency, f"create {user_name}")
        if status == 201:
            ids[user_name] = body["id"]

    return task


def retry_task(client: Client, user_name: str) -> Any:
    """A retried create in another letter case: must be 409, never a second user."""

    def task(phase: Phase) -> None:
        status, _, latency = client.request("POST", "/Users", user_body(user_name.upper()))
        phase.record(status, {409}, latency, f"retry {user_name}")

    return task


def update_task(client: Client, user_name: str, user_id: str, use_put: bool) -> Any:
    def task(phase: Phase) -> None:
        if use_put:
            body = {**user_body(user_name), "name": {"givenName": "Updated", "familyName": "Load"}}
            status, _, latency = client.request("PUT", f"/Users/{user_id}", body)
        else:
            operations = {"schemas": [PATCH_SCHEMA], "Operations": [{"op": "replace", "value": {"active": False}}]}
            status, _, latency = client.request("PATCH", f"/Users/{user_id}", operations)
        phase.record(status, {200}, latency, f"{'put' if use_put else 'patch'} {user_name}")

    return task


def reset_database(url: str, create: bool = True) -> None:
    """Drop the database named in ``url`` (and create it afresh unless ``create`` is false)."""
    import psycopg

    name = urllib.parse.urlparse(url).path.lstrip("/")
    admin_url = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if create:
            connection.execute(f'CREATE DATABASE "{name}"')


def prepare(users: int) -> str:
    """Migrate, create the organization with enough seats, and return a fresh key."""
    import django

    django.setup()
    from accounts.models import Organization, Subscription
    from django.core.management import call_command

    from scim_provisioning.models import ProvisioningKey

    call_command("migrate", verbosity=0)
    organization = Organization.objects.create(name="Load Inc.", slug="load")
    Subscription.objects.create(organization=organization, plan="Enterprise", seats=users + 10)
    _, raw_key = ProvisioningKey.objects.create_key(name="load test", tenant=organization)
    from django.db import connections

    connections.close_all()
    return raw_key


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(port: int, workers: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "example_project")])}
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "example.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--log-level",
            "warning",
            "--backlog",
            "2048",
            "--timeout",
            "120",
        ],
        env=env,
        cwd=ROOT,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return server
        except OSError:
            if server.poll() is not None:
                sys.exit("gunicorn exited before it served")
            time.sleep(0.2)
    server.terminate()
    sys.exit("gunicorn did not start within 30 s")


def count_rows() -> dict[str, int]:
    from accounts.models import Membership, Organization, User

    from scim_provisioning.models import ProvisionedUser, ProvisioningEvent

    organization = Organization.objects.get(slug="load")
    return {
        "provisioned_users": ProvisionedUser.objects.filter(tenant=organization).count(),
        "memberships": Membership.objects.filter(organization=organization).count(),
        "users": User.objects.filter(email__endswith="@load.example").count(),
        "events": ProvisioningEvent.objects.filter(tenant=organization).count(),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=10_000, help="distinct users to sync (default 10,000)")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers (default 4)")
    parser.add_argument("--concurrency", type=int, default=16, help="concurrent clients (default 16)")
    parser.add_argument("--updates", type=float, default=0.5, help="share of users updated in the burst")
    parser.add_argument("--retries", type=float, default=0.02, help="share of users re-POSTed in another case")
    parser.add_argument("--quick", action="store_true", help="fewer clients and workers, for a smoke run")
    parser.add_argument("--json", type=Path, help="also write the results as JSON to this file")
    parser.add_argument("--keep-database", action="store_true", help="leave the database for inspection")
    args = parser.parse_args()
    if args.quick:
        args.workers, args.concurrency = 2, 8

    database_url = os.environ["DATABASE_URL"]
    print(f"Database {database_url}: recreating, migrating, seeding", flush=True)
    reset_database(database_url)
    raw_key = prepare(args.users)
    port = free_port()
    server = start_server(port, args.workers)
    client = Client(f"http://127.0.0.1:{port}/api/scim/2.0", raw_key)
    random.seed(7)
    user_names = [f"user{n:06d}@load.example" for n in range(args.users)]
    ids: dict[str, str] = {}
    try:
        print(f"Initial sync: {args.users} users, {args.concurrency} clients, {args.workers} workers", flush=True)
        sync = run_phase(
            "sync (lookup + create)", [sync_task(client, name, ids) for name in user_names], args.concurrency
        )
        retried = random.sample(user_names, max(1, int(args.users * args.retries)))
        retries = run_phase("retried creates (409)", [retry_task(client, name) for name in retried], args.concurrency)
        updated = random.sample(sorted(ids), int(len(ids) * args.updates))
        tasks = [update_task(client, name, ids[name], use_put=n % 2 == 0) for n, name in enumerate(updated)]
        updates = run_phase("update burst (PATCH + PUT)", tasks, args.concurrency)
    finally:
        server.terminate()
        server.wait(timeout=30)

    rows = count_rows()
    if not args.keep_database:
        from django.db import connections

        connections.close_all()
        reset_database(database_url, create=False)
    phases = [sync, retries, updates]
    errors = sum(len(phase.unexpected) for phase in phases)
    print()
    print(f"{'phase':<28}{'requests':>9}{'seconds':>9}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}  statuses")
    for phase in phases:
        row = phase.summary()
        print(
            f"{row['phase']:<28}{row['requests']:>9}{row['seconds']:>9}{row['requests_per_second']:>9}"
            f"{row['p50_ms']:>9}{row['p99_ms']:>9}  {row['statuses']}"
        )
    print(f"\nunexpected answers: {errors}")
    for phase in phases:
        for line in phase.unexpected[:10]:
            print(f"  {phase.name}: {line}")
    print(f"rows: {rows} (distinct users: {args.users})")
    ok = errors == 0 and rows["provisioned_users"] == rows["memberships"] == rows["users"] == args.users
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "users": args.users,
                    "workers": args.workers,
                    "concurrency": args.concurrency,
                    "phases": [p.summary() for p in phases],
                    "rows": rows,
                    "errors": errors,
                    "ok": ok,
                },
                indent=2,
            )
        )
    print("OK" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
