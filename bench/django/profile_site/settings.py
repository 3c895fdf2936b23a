# The original service's settings, for the benchmark's side-by-side throughput figure only (docs/bench.md):
# a production-style Django + Django REST framework project serving the one view the API's /profile replaced. No
# database is touched by that view; the settings are what `django-admin startproject` writes, with DEBUG off.
import os

BASE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# Not a secret: this project only ever runs inside the benchmark, on the machine that measures it.
SECRET_KEY = "bench-only-not-a-secret"
DEBUG = False
ALLOWED_HOSTS = ["localhost", "127.0.0.1"]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "rest_framework",
    "profile_site",
]

# startproject's middleware, minus messages and the admin (no templates here).
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "profile_site.urls"
WSGI_APPLICATION = "profile_site.wsgi.application"

# The view reads no table and an anonymous request loads no session, so this file is never opened; Django wants one.
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": "/tmp/bench.sqlite3",
    }
}

USE_TZ = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# DRF's defaults (session and basic authentication, AllowAny, JSON and browsable API renderers) are kept: that is
# what the original ran. Only the JSON renderer is asked for (no Accept header), as with the API.
REST_FRAMEWORK = {}

# Errors to stderr (gunicorn's log); no per-request log, as gunicorn writes no access log unless told to.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}

SLOT = os.environ.get("SLOT", "blue")
APP_VERSION = os.environ.get("APP_VERSION", "django")
