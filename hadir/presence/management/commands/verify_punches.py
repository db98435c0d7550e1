"""``manage.py verify_punches``: recompute every employee's hash chain and report breaks.

Exit status 1 when any punch was changed, removed or inserted behind the application.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from hadir.presence.chain import chain_breaks
from hadir.presence.models import Punch


class Command(BaseCommand):
    help = "Verify the hash chain of stored punches (tampering detection)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--nip", help="check one employee only")

    def handle(self, *args: Any, **options: Any) -> None:
        punches = Punch.objects.order_by("employee_id", "id")
        if options["nip"]:
            punches = punches.filter(employee__nip=options["nip"])
        breaks = chain_breaks(punches.iterator(chunk_size=5000))
        count = punches.count()
        for item in breaks:
            self.stderr.write(f"employee {item.employee_id}, punch {item.punch_id}: {item.reason}")
        if breaks:
            raise CommandError(
                _("%(broken)s broken links among %(count)s punches")
                % {"broken": len(breaks), "count": count}
            )
        self.stdout.write(_("OK: %(count)s punches, chain intact") % {"count": count})
