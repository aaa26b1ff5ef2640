"""Signals sent after a SCIM write has been committed to the database.

Each is sent with ``sender`` = the adapter class and the keyword arguments
``user`` (the host user), ``tenant`` (None on a single-tenant site) and
``key`` (the ``ProvisioningKey`` that made the request). Receivers run after
the transaction commits, so a failing receiver never undoes provisioning.
"""

from __future__ import annotations

from django.dispatch import Signal

# A user was created (or an existing host user linked) through SCIM.
user_provisioned = Signal()
# A user's attributes were replaced through PUT or PATCH.
user_updated = Signal()
# ``active`` went from true to false: the host should end the user's sessions.
user_suspended = Signal()
# ``active`` went from false to true.
user_reactivated = Signal()
# The user was deleted through SCIM (``user`` is the instance as it was).
user_deprovisioned = Signal()
