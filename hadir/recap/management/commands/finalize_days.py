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

from hadir.org.models import Employee
from hadir.recap.services import days_refresh_many


class Command(BaseCommand):
    help = "Evaluate and store all employee-days of a date (default yesterday) or a range."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", help="YYYY-MM-DD (default: yesterday)")
        parser.add_argument("--from", dest="start", help="first date of a range")
        parser.add_argument("--to", dest="end", help="last date of a range")

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
            raise CommandError(f"tanggal tidak valid / invalid date: {error}") from None
        if end < start:
            raise CommandError("--to sebelum --from / --to is before --from")
        if end >= timezone.localdate():
            raise CommandError("hanya hari yang sudah lewat / only days that are over")
        employees = list(
            Employee.objects.filter(start__lte=end)
            .filter(Q(end__isnull=True) | Q(end__gte=start))
            .select_related("unit__default_pattern", "pattern")
            .order_by("pk")
        )
        written = days_refresh_many(employees=employees, start=start, end=end)
        self.stdout.write(
            f"{written} hari pegawai dievaluasi / employee-days evaluated ({start} – {end})"
        )
