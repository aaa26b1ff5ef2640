#!/usr/bin/env python
"""Django's command-line utility for the example host project.

The repository root is put on ``sys.path`` so ``scim_provisioning`` imports
from the working tree without being installed.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    """Run a management command with ``example.settings`` unless told otherwise."""
    if str(REPO_ROOT) not in sys.path:
        sys.path.insert(1, str(REPO_ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "example.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
