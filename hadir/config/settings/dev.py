"""Development: `make run`. Debug on, SQLite by default."""

from hadir.config.settings.base import *  # noqa: F403

DEBUG = True

WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
