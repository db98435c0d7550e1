"""``manage.py import_excuses FILE.csv [--operator USERNAME]``: historical approved requests."""

from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _

from hadir.accounts.models import User
from hadir.common.commands import ImportCommand
from hadir.requests.imports import excuses_import


class Command(ImportCommand):
    help = "Import approved requests (nip,code,start,end,session) for migration; all or nothing."
    service = staticmethod(excuses_import)

    def add_options(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--operator", help="user name (NIP) of the operator recorded as approving"
        )

    def service_kwargs(self, options: dict[str, Any]) -> dict[str, Any]:
        if not options["operator"]:
            return {}
        operator = User.objects.filter(username=options["operator"]).first()
        if operator is None:
            raise CommandError(_("no user '%(username)s'") % {"username": options["operator"]})
        return {"actor": operator}
