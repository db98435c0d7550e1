"""WSGI entry point: ``gunicorn hadir.config.wsgi``."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hadir.config.settings.production")
application = get_wsgi_application()
