"""``manage.py verify_punches``: recompute every employee's hash chain and report breaks.

Exit status 1 when any punch was changed, removed or inserted behind the application, or when a
punch the last checkpoint recorded as a chain's end is gone. ``--checkpoint`` (nightly, from
cron) then records the verified heads; copy the digest it prints to a log outside the database.

``--since-checkpoint`` checks only what the last checkpoint does not vouch for: each chain from
its signed head on (a national database grows by some 150 million punches a year, and the whole
check reads them all: about 5 minutes per 10 million on two cores). Run the whole check too,
weekly: only it sees a punch changed behind the triggers before the last checkpoint.
"""

from collections.abc import Iterator
from itertools import pairwise
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import QuerySet
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
        parser.add_argument(
            "--since-checkpoint",
            action="store_true",
            help="check each chain from the last checkpoint's head on, not from its start",
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
        recent = options["since_checkpoint"]
        read = [0]
        breaks += chain_breaks(
            _counted(
                _since_heads(punches, options["nip"])
                if recent
                else punches.iterator(chunk_size=5000),
                read,
            ),
            {e: (p, h) for e, p, h, _mac in recorded},
            from_heads=recent,
        )
        count = read[0]
        self._report(breaks)
        if breaks:
            raise CommandError(
                _("%(broken)s broken links among %(count)s punches")
                % {"broken": len(breaks), "count": count}
            )
        if recent:
            self.stdout.write(
                _("OK: %(count)s punches from the last checkpoint on, chain intact")
                % {"count": count}
            )
        else:
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


def _since_heads(punches: QuerySet[Punch], nip: str | None) -> Iterator[Punch]:
    """``punches`` from each employee's checkpointed head on, then every punch of employees
    with no head, each employee's together and in id order. The first part walks the
    (employee, id) index from each head: the tails of 100,000 chains, not 10 million rows."""
    employees = Employee._meta.db_table
    only = f" AND h.employee_id IN (SELECT id FROM {employees} WHERE nip = %s)" if nip else ""  # noqa: S608 (table names from the models)
    tails = Punch.objects.raw(
        f"SELECT p.* FROM {ChainHead._meta.db_table} h JOIN {Punch._meta.db_table} p"  # noqa: S608 (as above)
        f" ON p.employee_id = h.employee_id AND p.id >= h.punch_id WHERE 1 = 1{only}"
        " ORDER BY p.employee_id, p.id",
        [nip] if nip else [],
    )
    yield from tails.iterator()
    headless = Employee.objects.exclude(pk__in=ChainHead.objects.values("employee_id"))
    yield from punches.filter(employee__in=headless).iterator(chunk_size=5000)


def _counted(punches: Iterator[Punch], read: list[int]) -> Iterator[Punch]:
    """``punches``, counted into ``read[0]`` as they pass (one reading, not two)."""
    for punch in punches:
        read[0] += 1
        yield punch


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
