"""``manage.py refresh_days``: run the day refreshes that calendar and policy edits still owe.

An edit runs its refresh right after it commits; one whose process died, or whose refresh
failed, stays owed (:class:`~hadir.recap.models.DayRefresh`). Run this from cron every few
minutes, or by hand after a failure the log reported.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from hadir.recap.models import DayRefresh
from hadir.recap.refreshes import refresh_pending


class Command(BaseCommand):
    help = "Run the refreshes of stored days still owed after calendar and policy edits."

    def handle(self, *args: Any, **options: Any) -> None:
        written = refresh_pending(retry=True)
        failed = list(DayRefresh.objects.exclude(error="").values_list("pk", "error"))
        self.stdout.write(f"{written} hari dihitung ulang / days refreshed")
        if failed:
            lines = "\n".join(f"  #{pk}: {error}" for pk, error in failed)
            raise CommandError(f"{len(failed)} masih gagal / still failing:\n{lines}")
