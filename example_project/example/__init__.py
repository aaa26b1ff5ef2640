"""Project package of the example SaaS host that mounts ``scim_provisioning``."""
