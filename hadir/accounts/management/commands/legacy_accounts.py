"""``manage.py legacy_accounts --unit CODE``: accounts with the old derivable password for a
unit's employees who have none (only with ``HADIR_LEGACY_PASSWORDS=1``; each such account can
do nothing until it sets a new password). Not for those who have left; a NIP that already names
an account not linked to its employee record is skipped and named."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from hadir.accounts.services import legacy_accounts_create
from hadir.org.models import Employee, Unit


class Command(BaseCommand):
    help = "Create accounts with the old derivable password (HADIR_LEGACY_PASSWORDS=1 only)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--unit", required=True, help="code of the unit (and those below it)")

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.HADIR_LEGACY_PASSWORDS:
            raise CommandError(_("HADIR_LEGACY_PASSWORDS is off: the old password is not given."))
        unit = Unit.objects.filter(code=options["unit"]).first()
        if unit is None:
            raise CommandError(_("unit '%(code)s' not found") % {"code": options["unit"]})
        employees = list(
            Employee.objects.filter(unit__path__startswith=unit.path, user__isnull=True)
        )
        done = legacy_accounts_create(employees=employees, actor=None)
        self.stdout.write(
            ngettext("%(count)s account", "%(count)s accounts", done.created)
            % {"count": done.created}
        )
        if done.unlinked:
            self.stdout.write(
                ngettext(
                    "Skipped, an account of this NIP exists but is not linked to the employee"
                    " record (link it in the admin): %(nips)s",
                    "Skipped, accounts of these NIPs exist but are not linked to the employee"
                    " records (link them in the admin): %(nips)s",
                    len(done.unlinked),
                )
                % {"nips": ", ".join(done.unlinked)}
            )
