"""Tests: fast hashing, in-memory mail, static files without a manifest."""

from hadir.config.settings.base import *  # noqa: F403
from hadir.config.settings.base import VAR_DIR

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = VAR_DIR / "test-private"
HADIR_REFRESH_IN_BACKGROUND = False  # a test's transaction never commits: refresh inline

WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
