"""Run the scim2-tester SCIM compliance checks against the example product.

Our own tests say what we think SCIM means; scim2-tester (python-scim, on PyPI)
is an independent reading of RFC 7643/7644, so CI runs it too. This script:

1. creates a throw-away SQLite database in a temporary folder, migrates it,
   seeds the demo organization and creates a provisioning key for it;
2. serves the example product with ``runserver`` on a free loopback port
   (``SCIM_BASE_URL`` set to match) and waits until it answers;
3. runs every scim2-tester check against ``/api/scim/2.0`` with the key;
4. prints the count per status and each failed check with its reason;
5. stops the server (always) and exits 1 if any check ended in ERROR or
   CRITICAL, 0 otherwise. SKIPPED, DEVIATION and the other statuses pass.

Run it from the repository root, in an environment that has the project and
scim2-tester installed (``pip install --group conformance``):

    python scripts/conformance.py
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MANAGE = [sys.executable, str(ROOT / "example_project" / "manage.py")]
FAILED = {"ERROR", "CRITICAL"}
START_TIMEOUT = 60  # seconds for runserver to answer


def manage(env: dict[str, str], *args: str) -> str:
    """Run a management command of the example product and return its stdout."""
    proc = subprocess.run([*MANAGE, *args], env=env, cwd=ROOT, capture_output=True, text=True)
    if proc.returncode:
        sys.exit(f"manage.py {' '.join(args)} failed ({proc.returncode}):\n{proc.stdout}{proc.stderr}")
    return proc.stdout


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until_up(url: str, server: subprocess.Popen[bytes], log: Path) -> None:
    """Poll ``url`` until the server answers anything (a 401 will do)."""
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"runserver exited with {server.returncode}:\n{log.read_text()}")
        try:
            urllib.request.urlopen(url, timeout=2).close()
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.3)
    sys.exit(f"runserver did not answer {url} within {START_TIMEOUT}s:\n{log.read_text()}")


def run_checks(base_url: str, key: str) -> list:
    from httpx2 import Client
    from scim2_client.engines.httpx2 import SyncSCIMClient
    from scim2_tester import check_server

    headers = {"Authorization": f"Bearer {key}"}
    with Client(base_url=base_url, headers=headers, timeout=30) as http:
        return check_server(SyncSCIMClient(http))


def shorten(value: object, limit: int = 600) -> str:
    if hasattr(value, "status_code") and hasattr(value, "text"):  # a raw HTTP response
        value = f"HTTP {value.status_code} {value.text}"
    text = " ".join(str(value).split())
    return text if len(text) <= limit else text[:limit] + "..."


def report(results: list) -> int:
    """Print the summary; return the number of failed checks."""
    per_check: dict[str, Counter[str]] = {}
    for result in results:
        name = f"{result.resource_type + ' ' if result.resource_type else ''}{result.title}"
        per_check.setdefault(name, Counter())[result.status.name] += 1
    print(f"\nscim2-tester: {len(results)} results from {len(per_check)} checks")
    for name, statuses in per_check.items():
        print(f"  {name:<45} " + ", ".join(f"{status} {n}" for status, n in sorted(statuses.items())))
    counts = Counter(result.status.name for result in results)
    print("\nPer status: " + ", ".join(f"{status} {n}" for status, n in sorted(counts.items())))
    if not any(result.resource_type for result in results):
        print("No resource (CRUD/PATCH) check ran: scim2-tester stops when discovery cannot describe the server.")
    failed = [result for result in results if result.status.name in FAILED]
    for result in failed:
        where = f"{result.resource_type} " if result.resource_type else ""
        print(f"\n[{result.status.name}] {where}{result.title}")
        print(f"  reason: {result.reason}")
        if result.data is not None:
            print(f"  data:   {shorten(result.data)}")
    skipped = counts["SKIPPED"]
    print(f"\n{len(results) - len(failed) - skipped} passed, {len(failed)} failed, {skipped} skipped")
    return len(failed)


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="scim-conformance-") as tmp:
        port = free_port()
        base_url = f"http://127.0.0.1:{port}/api/scim/2.0"
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "example.settings",
            "DATABASE_URL": f"sqlite:///{tmp}/db.sqlite3",
            "SCIM_BASE_URL": base_url,
            "PYTHONUNBUFFERED": "1",
        }
        manage(env, "migrate", "--noinput")
        manage(env, "seed_demo")
        key = manage(env, "createscimkey", "--tenant", "demo", "--name", "conformance").strip()

        log = Path(tmp) / "runserver.log"
        with log.open("wb") as log_file:
            server = subprocess.Popen(
                [*MANAGE, "runserver", f"127.0.0.1:{port}", "--noreload"],
                env=env,
                cwd=ROOT,
                stdout=log_file,
                stderr=subprocess.STDOUT,
            )
            try:
                wait_until_up(f"{base_url}/Users", server, log)
                print(f"Example product up at {base_url}; running scim2-tester...")
                results = run_checks(base_url, key)
            finally:
                server.terminate()
                try:
                    server.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    server.kill()
                    server.wait()
    return 1 if report(results) else 0


if __name__ == "__main__":
    sys.exit(main())
