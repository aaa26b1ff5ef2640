"""Settings of the example host: a small SaaS wired to ``scim_provisioning``.

Only the settings below connect the host to the app; nothing in the app knows
about ``accounts``. Values that differ between a laptop and a deployment come
from the environment, with defaults that suit the demo.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent


def _env_bool(name: str, default: bool) -> bool:
    """Read a boolean such as ``DEBUG=0`` or ``DEBUG=false`` from the environment."""
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


SECRET_KEY = os.environ.get("SECRET_KEY", "django-insecure-example-project-only-never-deploy-this-key")
DEBUG = _env_bool("DEBUG", True)
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "scim_provisioning",
    "accounts",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "example.urls"
WSGI_APPLICATION = "example.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # The product's layout, and its override of scim_provisioning/base.html.
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.administered_organizations",
            ],
        },
    },
]

# DATABASE_URL (e.g. postgres://user:pass@localhost/scim_demo) for a real
# database; the demo runs on a SQLite file beside manage.py.
if os.environ.get("DATABASE_URL"):
    DATABASES = {"default": dj_database_url.config(conn_max_age=600, conn_health_checks=True)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": BASE_DIR / "db.sqlite3",
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

# --- scim_provisioning wiring -------------------------------------------------
# The tenant is the host's Organization. Like AUTH_USER_MODEL, choose it before
# the first migrate: accounts' 0001 migration runs before scim_provisioning's.
SCIM_PROVISIONING_TENANT_MODEL = "accounts.Organization"

SCIM_PROVISIONING = {
    # accounts.scim maps SCIM users onto User + Membership in one organization.
    "USER_ADAPTER": "accounts.scim.MemberAdapter",
    # Seats come from the organization's Subscription.
    "LICENSE_POLICY": "accounts.scim.SeatPolicy",
    # meta.location and the URL shown to admins are built from this, never
    # from the request's Host header.
    "BASE_URL": os.environ.get("SCIM_BASE_URL", "http://127.0.0.1:8000/api/scim/2.0"),
    # `manage.py createscimkey --tenant demo` finds the organization by slug.
    "TENANT_LOOKUP_FIELD": "slug",
    # Administration → Users → Provisioning is for the organization's admins.
    "PAGE_ACCESS": "accounts.scim.OrganizationAdminAccess",
}
