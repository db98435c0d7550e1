"""Benchmarks (``make bench-checkin``): production settings on loopback, with a fixed secret.

The secret is fixed because the benchmark database holds sessions signed with it, so a cached
database keeps working between runs. Never deploy with these settings.
"""

import os
import warnings

_BENCH_SECRET = "bench-only-not-secret-0f4c9b5e2a7d4e1c8b3a6f9d2e5c7a10"  # noqa: S105
os.environ["DJANGO_SECRET_KEY"] = _BENCH_SECRET

from hadir.config.settings.production import *  # noqa: E402, F403

SECRET_KEY = _BENCH_SECRET
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
# Plain HTTP on loopback: the secure-cookie flags stay on (the load generator ignores them).
SECURE_SSL_REDIRECT = False
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# No collectstatic in the benchmark: WhiteNoise would warn at every worker start.
warnings.filterwarnings("ignore", message="No directory at", module="whitenoise.base")

# The load generator drives 2,000 employees through every phase, each tapping dozens of times
# in ten minutes as no thumb does: the limiter still counts every tap (its cost is measured),
# it only never turns one away.
HADIR_CHECKIN_RATE = "1000000/m"
