"""``manage.py unlock_account NIP``: lift an account's login lock-out before its cool-off (an
employee who called the office), recorded in the audit trail."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from hadir.accounts.services import lockout_lift


class Command(BaseCommand):
    help = "Lift the login lock-out of the account a NIP names (audited)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("nip", help="the account's NIP (as printed, spaces allowed)")

    def handle(self, *args: Any, **options: Any) -> None:
        lifted = lockout_lift(nip=options["nip"], actor=None, actor_label="command:unlock_account")
        if not lifted:
            raise CommandError(_("No lock-out of %(nip)s to lift.") % {"nip": options["nip"]})
        self.stdout.write(_("Lock-out of %(nip)s lifted.") % {"nip": options["nip"]})
