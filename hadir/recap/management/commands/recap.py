"""``manage.py recap --month YYYY-MM [--unit CODE] --format json|csv|xlsx|pdf [--daily] [--output FILE]``."""

from __future__ import annotations

import sys
from datetime import MAXYEAR, MINYEAR, date
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from hadir.org.models import Employee, Unit
from hadir.recap.reports import FORMATS, Report, render_report, report_rows
from hadir.recap.selectors import month_members


class Command(BaseCommand):
    help = "The monthly recap (or, with --daily, the daily detail) of all employees or one unit."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--month", required=True, help="YYYY-MM")
        parser.add_argument("--unit", help="unit code (with its sub-units); all units when absent")
        parser.add_argument("--format", choices=FORMATS, default="json")
        parser.add_argument("--daily", action="store_true", help="one row per employee-day")
        parser.add_argument("--output", type=Path, help="file to write (stdout when absent)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            month = date.fromisoformat(f"{options['month']}-01")
        except ValueError:
            month = None
        # The calendar's first and last years, as on the pages: a month's bounds step past them.
        if month is None or not MINYEAR < month.year < MAXYEAR:
            raise CommandError(
                _("--month '%(month)s' must be YYYY-MM") % {"month": options["month"]}
            )
        employees = Employee.objects.all()
        unit = None
        if options["unit"]:
            unit = Unit.objects.filter(code=options["unit"]).first()
            if unit is None:
                raise CommandError(_("unit '%(code)s' not found") % {"code": options["unit"]})
            employees = month_members(unit, month)
        report = Report(
            rows=report_rows(employees=employees, month=month, daily=options["daily"], unit=unit),
            daily=options["daily"],
            unit=unit,
            month=month,
        )
        data = render_report(report, options["format"])
        if options["output"]:
            options["output"].write_bytes(data)
            self.stderr.write(
                _("%(file)s: %(count)s rows")
                % {"file": options["output"], "count": len(report.rows)}
            )
        else:
            sys.stdout.buffer.write(data)
            sys.stdout.flush()
