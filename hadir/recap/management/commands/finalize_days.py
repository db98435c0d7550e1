"""``manage.py finalize_days [--date YYYY-MM-DD | --from D --to D]``: the nightly evaluation.

Evaluates and stores every employee-day of the given dates (default: yesterday), so a day nobody
punched becomes ``TK`` once it is over. Run it from cron shortly after midnight.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from hadir.org.models import Employee
from hadir.recap.services import days_refresh_parallel


class Command(BaseCommand):
    help = "Evaluate and store all employee-days of a date (default yesterday) or a range."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", help="YYYY-MM-DD (default: yesterday)")
        parser.add_argument("--from", dest="start", help="first date of a range")
        parser.add_argument("--to", dest="end", help="last date of a range")
        parser.add_argument(
            "--workers",
            type=int,
            default=1,
            help="processes sharing the evaluation (PostgreSQL; one per core, e.g. 2)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["start"] or options["end"]:
                start = date.fromisoformat(options["start"] or options["end"])
                end = date.fromisoformat(options["end"] or options["start"])
            else:
                start = end = (
                    date.fromisoformat(options["date"])
                    if options["date"]
                    else timezone.localdate() - timedelta(days=1)
                )
        except ValueError as error:
            raise CommandError(_("invalid date: %(error)s") % {"error": error}) from None
        if end < start:
            raise CommandError(_("--to is before --from"))
        if end >= timezone.localdate():
            raise CommandError(_("only days that are over"))
        if options["workers"] < 1:
            raise CommandError(_("--workers must be at least 1"))
        ids = list(
            Employee.objects.filter(start__lte=end)
            .filter(Q(end__isnull=True) | Q(end__gte=start))
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        written = days_refresh_parallel(
            employee_ids=ids, start=start, end=end, workers=options["workers"]
        )
        self.stdout.write(
            _("%(count)s employee-days evaluated (%(start)s – %(end)s)")
            % {"count": written, "start": start, "end": end}
        )
