"""``manage.py load_demo``: the Sleman demo organisation, once; prints the demo logins."""

from typing import Any

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from hadir.org.demo import DEMO_PASSWORD, demo_load, demo_loaded, demo_logins


class Command(BaseCommand):
    help = "Load the demo organisation (Kankemenag Sleman) unless it is already there."

    def handle(self, *args: Any, **options: Any) -> None:
        if demo_loaded():
            self.stdout.write(_("The demo data is already loaded."))
            logins = demo_logins()
        else:
            logins = demo_load()
        self.stdout.write(
            self.style.SUCCESS(
                _("Demo logins (password: %(password)s):") % {"password": DEMO_PASSWORD}
            )
        )
        for login in logins:
            self.stdout.write(f"  {login.role:20} {login.username:20} {login.name} — {login.unit}")
        self.stdout.write(_("Open %(address)s") % {"address": "http://127.0.0.1:8000/"})
