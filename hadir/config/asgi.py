"""ASGI entry point: ``uvicorn hadir.config.asgi:application``."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hadir.config.settings.production")
application = get_asgi_application()
