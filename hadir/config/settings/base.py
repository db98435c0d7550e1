"""Settings shared by every environment. ``DATABASE_URL`` selects the database."""

from datetime import timedelta
from pathlib import Path

import dj_database_url
import django_stubs_ext
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from hadir.config.env import env, env_bool, env_set

# Lets admin classes be written ModelAdmin[Model] for the type checker.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parents[3]
VAR_DIR = Path(env("HADIR_VAR_DIR", str(BASE_DIR / "var")))

SECRET_KEY = env("DJANGO_SECRET_KEY", "dev-only-insecure-key-change-me")
DEBUG = env_bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = sorted(env_set("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost"))

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "axes",
    "ninja",
    "hadir.common",
    "hadir.accounts",
    "hadir.org",
    "hadir.schedules",
    "hadir.presence",
    "hadir.requests",
    "hadir.recap",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "hadir.common.middleware.NothingKeptByCaches",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "hadir.common.middleware.ApiAnswersInJson",
    # Inside the JSON answers (an API path with a NUL is a JSON "not found"), before any view
    # or query reads the path.
    "hadir.common.middleware.NoNulFromUrls",
    "hadir.common.middleware.PagesTakeGetAndPost",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "hadir.accounts.middleware.PasswordChangeRequiredMiddleware",
    "axes.middleware.AxesMiddleware",
]

# Scripts only from our own files: a name an operator typed can never run as code, even where a
# page slips. Inline style attributes stay (layout only); map tiles come from OpenStreetMap.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF, CSP.UNSAFE_INLINE],
    "img-src": [CSP.SELF, "data:", "https://tile.openstreetmap.org"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

ROOT_URLCONF = "hadir.config.urls"
WSGI_APPLICATION = "hadir.config.wsgi.application"
ASGI_APPLICATION = "hadir.config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "hadir" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "hadir.common.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=int(env("DATABASE_CONN_MAX_AGE", "60")),
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
SESSION_ENGINE = "hadir.accounts.sessions"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "hadir.accounts.backends.AccountBackend",  # Django's ModelBackend, one read by hand
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "hadir.accounts.passwords.NotLegacyPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Lock-out after repeated failures (django-axes): per account and address, so a stranger
# cannot lock a teacher out from another network.
AXES_FAILURE_LIMIT = int(env("HADIR_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(env("HADIR_LOGIN_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False
AXES_CLIENT_IP_CALLABLE = "hadir.common.addresses.lockout_address"
# Proxies whose X-Forwarded-For is believed (its last entry: the address the proxy saw).
# Production's default is the loopback, where the README's nginx or Caddy connects from.
HADIR_TRUSTED_PROXIES = env_set("HADIR_TRUSTED_PROXIES", "")
# Where the site is reached, for the links in e-mails (which have no page to be relative to).
HADIR_SITE_URL = env("HADIR_SITE_URL", "http://127.0.0.1:8000")
# How long after a reset link is mailed to an account another one may be (the page answers
# anyone: without a spacing a script could fill an inbox).
HADIR_RESET_MAIL_EVERY = timedelta(minutes=int(env("HADIR_RESET_MAIL_EVERY_MINUTES", "15")))
# The check-in attempts an account may make (django-ratelimit's "count/period"): far above a
# worried thumb's, so that a script cannot fill the refusals kept as evidence.
HADIR_CHECKIN_RATE = env("HADIR_CHECKIN_RATE", "30/10m")

# The seed's derivable password (ASN + last 3 NIP digits + ddmmyy of birth) is off by default:
# anyone who knows a NIP can compute it. When on, accounts get it but must change it first.
HADIR_LEGACY_PASSWORDS = env_bool("HADIR_LEGACY_PASSWORDS", default=False)
HADIR_ACTIVATION_CODE_DAYS = int(env("HADIR_ACTIVATION_CODE_DAYS", "30"))
# Device binding: an account checks in only from phones registered to it (the first one
# registers itself; an operator or admin registers a replacement).
HADIR_DEVICE_BINDING = env_bool("HADIR_DEVICE_BINDING", default=False)
# Key of the punches' hash chain. Keep it stable (changing it makes verify_punches report every
# chain) and secret (with it, someone who can write the database could forge a chain).
HADIR_PUNCH_CHAIN_KEY = env("HADIR_PUNCH_CHAIN_KEY", f"punch-chain:{SECRET_KEY}")
# The refresh a national edit owes (a policy value, a national holiday: every employee's stored
# days) runs in a thread of the web process once the edit commits, as long exports do, so the
# editor's page does not wait minutes for it; a lost thread's work is finished by refresh_days.
HADIR_REFRESH_IN_BACKGROUND = env_bool("HADIR_REFRESH_IN_BACKGROUND", default=True)
# The session read and the check-in's chain read are prepared once per PostgreSQL connection
# (hadir.common.hot). Off behind a pooler in transaction mode, which hands a connection's
# prepared statements to other clients: each request then pays the planning again.
HADIR_PREPARED_STATEMENTS = env_bool("HADIR_PREPARED_STATEMENTS", default=True)

LANGUAGE_CODE = "id"
LANGUAGES = [("id", _("Bahasa Indonesia")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "hadir" / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Jakarta"
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [
    ("vendor/pico", BASE_DIR / "node_modules" / "@picocss" / "pico" / "css"),
    ("vendor/leaflet", BASE_DIR / "node_modules" / "leaflet" / "dist"),
    BASE_DIR / "hadir" / "static",
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
MEDIA_ROOT = VAR_DIR / "private"

# Django 6.1 mailers. The console backend prints mail in development; set
# DJANGO_EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend and the SMTP variables in
# production.
_EMAIL_BACKEND = env("DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
_SMTP_OPTIONS = {
    "host": env("DJANGO_EMAIL_HOST", "localhost"),
    "port": int(env("DJANGO_EMAIL_PORT", "25")),
    "username": env("DJANGO_EMAIL_HOST_USER", ""),
    "password": env("DJANGO_EMAIL_HOST_PASSWORD", ""),
    "use_tls": env_bool("DJANGO_EMAIL_USE_TLS", default=False),
}
MAILERS = {
    "default": {
        "BACKEND": _EMAIL_BACKEND,
        "OPTIONS": _SMTP_OPTIONS if _EMAIL_BACKEND.endswith("smtp.EmailBackend") else {},
    }
}
DEFAULT_FROM_EMAIL = env("DJANGO_DEFAULT_FROM_EMAIL", "Hadir <noreply@hadir.local>")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", "WARNING")},
}
