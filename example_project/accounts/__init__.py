"""The example host's own accounts: users, organizations, memberships, subscriptions."""
