"""Production: behind gunicorn (or any WSGI/ASGI server) and a TLS proxy, on PostgreSQL."""

from hadir.config.env import env_bool, env_set
from hadir.config.settings.base import *  # noqa: F403
from hadir.config.settings.base import SECRET_KEY

if SECRET_KEY.startswith("dev-only"):
    raise RuntimeError("Set DJANGO_SECRET_KEY in production.")

DEBUG = False
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
HADIR_TRUSTED_PROXIES = env_set("HADIR_TRUSTED_PROXIES", "127.0.0.1,::1")
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = 60 * 60 * 24 * 30
# The bare domain typed on a phone: its login form over http would lose the Secure CSRF
# cookie (or send the password in clear). Off only where the proxy redirects itself.
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
SECURE_REDIRECT_EXEMPT = [r"^api/health$"]  # a probe on the server itself, over plain http
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
