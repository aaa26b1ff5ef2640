#!/usr/bin/env python3
"""Run the whole test suite on a fresh machine: ``python3 runtests.py [tox arguments]``.

Needs only Python 3.10+. Installs tox into ``.venv-tox`` on first use, then
runs tox: every Python x Django environment whose interpreter this machine
has (others are skipped), the browser tests, the migrations check and the
packaging check. The browser tests drive Debian's Chromium: when
``/usr/bin/chromium`` is missing and this runs as root with apt-get, it is
installed first; otherwise the browser environment fails and says why.
Set ``DATABASE_URL`` (e.g. ``postgres://postgres@127.0.0.1:5432/scim``) to
run against PostgreSQL instead of SQLite.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv-tox"
CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))


def ensure_chromium() -> None:
    """Install Debian's chromium for the browser tests if it is missing and we may."""
    if CHROMIUM.exists():
        return
    if not (shutil.which("apt-get") and hasattr(os, "geteuid") and os.geteuid() == 0):
        print(
            f"{CHROMIUM} is missing: install Chromium (Debian: apt-get install chromium) "
            "or the browser tests will fail.",
            flush=True,
        )
        return
    print("Installing Debian's chromium for the browser tests ...", flush=True)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run(["apt-get", "install", "-y", "-qq", "chromium"], check=True, env=env, stdout=subprocess.DEVNULL)


def main() -> int:
    bindir = VENV / ("Scripts" if os.name == "nt" else "bin")
    tox = bindir / "tox"
    if not tox.exists():
        print(f"Installing tox into {VENV} ...", flush=True)
        venv.create(VENV, with_pip=True)
        subprocess.run([bindir / "python", "-m", "pip", "install", "-q", "-U", "pip", "tox>=4.22"], check=True)
    ensure_chromium()
    # Two environments at a time, each one's output shown as it runs.
    args = sys.argv[1:] or ["run-parallel", "--parallel", "2", "--parallel-live", "--parallel-no-spinner"]
    return subprocess.run([tox, *args], cwd=ROOT).returncode


if __name__ == "__main__":
    sys.exit(main())
