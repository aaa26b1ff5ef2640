#!/usr/bin/env python3
"""One command from a fresh clone to a running SCIM demo: ``python3 example_project/quickstart.py``.

Uses the standard library only, so it runs before anything is installed. It
creates ``<repo>/.venv`` if missing, installs the repository into it (editable,
with the ``example`` dependency group), migrates the SQLite database, seeds the
demo organization, creates a provisioning key, prints what an IdP needs once,
and then becomes ``manage.py runserver``. Running it again reuses everything
and prints a new key.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent
REPO_ROOT = PROJECT_DIR.parent
VENV_DIR = REPO_ROOT / ".venv"
MANAGE = PROJECT_DIR / "manage.py"

ADDRESS = "127.0.0.1:8000"
BASE_URL = f"http://{ADDRESS}/api/scim/2.0"
ADMIN_URL = f"http://{ADDRESS}/admin/"
PAGE_URL = f"http://{ADDRESS}/orgs/demo/administration/users/provisioning/"
ADMIN_EMAIL = "admin@demo.example"
ADMIN_PASSWORD = "demo-admin-password"  # seed_demo's default
MIN_PYTHON = (3, 10)


def venv_python() -> Path:
    """The interpreter inside ``.venv``, where each platform puts it."""
    if os.name == "nt":
        return VENV_DIR / "Scripts" / "python.exe"
    return VENV_DIR / "bin" / "python"


def step(message: str) -> None:
    print(f"==> {message}", flush=True)


def fail(message: str, code: int = 1) -> None:
    print(f"quickstart: {message}", file=sys.stderr)
    sys.exit(code)


def run(*args: str | os.PathLike[str], capture: bool = False) -> str:
    """Run a command in the repository root; stop with its exit code if it fails."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "example.settings"}
    result = subprocess.run(
        [str(arg) for arg in args],
        cwd=REPO_ROOT,  # pip reads --group from ./pyproject.toml
        env=env,
        stdout=subprocess.PIPE if capture else None,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        fail(f"command failed ({result.returncode}): {' '.join(str(a) for a in args)}", result.returncode)
    return result.stdout or ""


def ensure_venv() -> Path:
    """Create ``.venv`` with pip unless a working one is already there."""
    python = venv_python()
    if python.exists():
        return python
    step(f"Creating a virtual environment in {VENV_DIR}")
    try:
        venv.EnvBuilder(with_pip=True, clear=VENV_DIR.exists()).create(VENV_DIR)
    except Exception as exc:  # CalledProcessError from ensurepip, OSError
        # Without ensurepip (Debian's python3 without python3-venv) a half-made
        # .venv would be taken for a good one on the next run.
        shutil.rmtree(VENV_DIR, ignore_errors=True)
        fail(
            f"could not create {VENV_DIR} ({exc}). On Debian or Ubuntu, install the "
            "venv module first: sudo apt install python3-venv"
        )
    return python


def main() -> None:
    if sys.version_info < MIN_PYTHON:
        fail(f"Python {'.'.join(map(str, MIN_PYTHON))} or newer is required, this is {sys.version.split()[0]}.")
    python = ensure_venv()

    step("Installing django-scim-provisioning and the example's dependencies")
    # `--group` needs pip 25.1 or newer; the venv's bundled pip may be older.
    run(python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--upgrade", "pip")
    run(python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-e", REPO_ROOT, "--group", "example")

    step("Migrating the SQLite database")
    run(python, MANAGE, "migrate", "--noinput", "--verbosity", "0")

    step("Seeding the demo organization")
    run(python, MANAGE, "seed_demo")

    step("Creating a provisioning key for the demo organization")
    key = run(python, MANAGE, "createscimkey", "--tenant", "demo", "--name", "Quick start", capture=True).strip()
    if not key:
        fail("createscimkey printed no key.")

    rule = "=" * 78
    print(
        f"""
{rule}
SCIM base URL     {BASE_URL}
Provisioning key  {key}
                  (shown once; paste both into your identity provider)

Provisioning page {PAGE_URL}
                  (Administration -> Users -> Provisioning: keys, seats, activity)
Django admin      {ADMIN_URL}
                  both as {ADMIN_EMAIL} / {ADMIN_PASSWORD} (set when first created)

Try it:
  curl -H "Authorization: Bearer {key}" \\
       "{BASE_URL}/Users?filter=userName%20eq%20%22jane@example.com%22"

The walk-through is in example_project/README.rst. Stop the server with Ctrl+C.
{rule}
""",
        flush=True,
    )

    command = [str(python), str(MANAGE), "runserver", ADDRESS]
    os.environ["DJANGO_SETTINGS_MODULE"] = "example.settings"
    os.chdir(REPO_ROOT)
    if os.name == "nt":
        # os.exec* on Windows starts a new process and returns at once,
        # which would hand the console back while the server runs.
        sys.exit(subprocess.call(command))
    os.execv(command[0], command)


if __name__ == "__main__":
    main()
