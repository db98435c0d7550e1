"""``manage.py verify_punches``: recompute every employee's hash chain and report breaks.

Exit status 1 when any punch was changed, removed or inserted behind the application, or when a
punch the last checkpoint recorded as a chain's end is gone. ``--checkpoint`` (nightly, from
cron) then records the verified heads; copy the digest it prints to a log outside the database.
"""

from itertools import pairwise
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from hadir.org.models import Employee
from hadir.presence.chain import Break, chain_breaks, checkpoint_digest, gone_reason, head_mac
from hadir.presence.models import ChainCheckpoint, ChainHead, Punch
from hadir.presence.services import ChainHeadsGone, chain_checkpoint_take


class Command(BaseCommand):
    help = "Verify the hash chain of stored punches (tampering detection)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--nip", help="check one employee only")
        parser.add_argument(
            "--checkpoint",
            action="store_true",
            help="after a clean check, record every chain's head (run nightly)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["checkpoint"] and options["nip"]:
            raise CommandError(_("a checkpoint covers every employee: leave out --nip"))
        punches = Punch.objects.order_by("employee_id", "id")
        heads = ChainHead.objects.order_by("employee_id")
        if options["nip"]:
            punches = punches.filter(employee__nip=options["nip"])
            heads = heads.filter(employee__nip=options["nip"])
        recorded = list(heads.values_list("employee_id", "punch_id", "hash", "mac"))
        breaks = _altered_heads(recorded)
        if not options["nip"]:
            breaks += _altered_checkpoints(recorded)
        breaks += chain_breaks(
            punches.iterator(chunk_size=5000), {e: (p, h) for e, p, h, _mac in recorded}
        )
        count = punches.count()
        self._report(breaks)
        if breaks:
            raise CommandError(
                _("%(broken)s broken links among %(count)s punches")
                % {"broken": len(breaks), "count": count}
            )
        self.stdout.write(_("OK: %(count)s punches, chain intact") % {"count": count})
        if options["checkpoint"]:
            try:
                checkpoint = chain_checkpoint_take(actor_label="command:verify_punches")
            except ChainHeadsGone as gone:
                self._report([Break(e, p, gone_reason()) for e, p in gone.gone])
                raise CommandError(
                    _("punches were deleted during the check: no checkpoint taken")
                ) from None
            self.stdout.write(
                _("checkpoint %(id)s: %(heads)s chain heads, digest %(digest)s")
                % {"id": checkpoint.pk, "heads": checkpoint.heads, "digest": checkpoint.digest}
            )

    def _report(self, breaks: list[Break]) -> None:
        """One line per break, naming the employee by NIP as an auditor knows them."""
        nips = dict(
            Employee.objects.filter(pk__in={b.employee_id for b in breaks}).values_list("pk", "nip")
        )
        for item in breaks:
            if item.employee_id is None:
                self.stderr.write(item.reason)
                continue
            self.stderr.write(
                _("NIP %(nip)s, punch %(punch)s: %(reason)s")
                % {
                    "nip": nips.get(item.employee_id, f"#{item.employee_id}"),
                    "punch": item.punch_id,
                    "reason": item.reason,
                }
            )


def _altered_heads(recorded: list[tuple[int, int, str, str]]) -> list[Break]:
    """Heads whose signature no longer matches: moved back by hand to fit a shortened chain."""
    return [
        Break(employee_id, punch_id, _("the checkpoint's record of this chain's end was altered"))
        for employee_id, punch_id, punch_hash, mac in recorded
        if mac != head_mac(employee_id, punch_id, punch_hash)
    ]


def _altered_checkpoints(recorded: list[tuple[int, int, str, str]]) -> list[Break]:
    """The checkpoints must follow one another and the last one's digest must cover the heads
    as stored: a head removed, or the tables put back from an older copy, shows here (an older
    copy shows against the digests kept outside the database)."""
    checkpoints = list(ChainCheckpoint.objects.order_by("id"))
    breaks = [
        Break(
            None,
            None,
            _("checkpoint %(later)s does not follow checkpoint %(earlier)s")
            % {"later": later.pk, "earlier": earlier.pk},
        )
        for earlier, later in pairwise(checkpoints)
        if later.previous != earlier.digest
    ]
    if checkpoints and checkpoints[0].previous:
        gone = _("checkpoints before %(first)s are gone") % {"first": checkpoints[0].pk}
        breaks.append(Break(None, None, gone))
    if checkpoints:
        last = checkpoints[-1]
        heads = [(e, p, h) for e, p, h, _mac in recorded]
        if last.heads != len(heads) or last.digest != checkpoint_digest(last.previous, heads):
            altered = _("the chain heads no longer match checkpoint %(id)s") % {"id": last.pk}
            breaks.append(Break(None, None, altered))
    return breaks
