"""``manage.py refresh_days``: run the day refreshes that calendar and policy edits still owe.

An edit runs its refresh right after it commits; one whose process died, or whose refresh
failed, stays owed (:class:`~hadir.recap.models.DayRefresh`). Run this from cron every few
minutes, or by hand after a failure the log reported. A refresh another process is running
is left to it (and taken over once its claim is older than ``CLAIM_EXPIRES``).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from hadir.recap.models import DayRefresh
from hadir.recap.refreshes import refresh_pending


class Command(BaseCommand):
    help = "Run the refreshes of stored days still owed after calendar and policy edits."

    def handle(self, *args: Any, **options: Any) -> None:
        written = refresh_pending()
        self.stdout.write(_("%(count)s days refreshed") % {"count": written})
        running = DayRefresh.objects.exclude(claim="").order_by("claimed_at")
        for pk, since in running.values_list("pk", "claimed_at"):
            self.stdout.write(
                "  "
                + _("#%(id)s running since %(since)s")
                % {"id": pk, "since": f"{timezone.localtime(since):%Y-%m-%d %H:%M}"}
            )
        failed = list(
            DayRefresh.objects.filter(claim="").exclude(error="").values_list("pk", "error")
        )
        if failed:
            lines = "\n".join(f"  #{pk}: {error}" for pk, error in failed)
            raise CommandError(
                _("%(count)s still failing:") % {"count": len(failed)} + f"\n{lines}"
            )
