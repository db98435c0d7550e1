"""``manage.py load_demo``: the Sleman demo organisation, once; prints the demo logins."""

from typing import Any

from django.core.management.base import BaseCommand

from hadir.org.demo import DEMO_PASSWORD, demo_load, demo_loaded, demo_logins


class Command(BaseCommand):
    help = "Load the demo organisation (Kankemenag Sleman) unless it is already there."

    def handle(self, *args: Any, **options: Any) -> None:
        if demo_loaded():
            self.stdout.write("Data demo sudah ada / demo data already loaded.")
            logins = demo_logins()
        else:
            logins = demo_load()
        self.stdout.write(
            self.style.SUCCESS(f"Login demo (kata sandi / password: {DEMO_PASSWORD}):")
        )
        for login in logins:
            self.stdout.write(f"  {login.role:20} {login.username:20} {login.name} — {login.unit}")
        self.stdout.write("Buka / open http://127.0.0.1:8000/")
