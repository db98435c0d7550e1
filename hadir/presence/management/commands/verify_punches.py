"""``manage.py verify_punches``: recompute every employee's hash chain and report breaks.

Exit status 1 when any punch was changed, removed or inserted behind the application, or when a
punch the last checkpoint recorded as a chain's end is gone. ``--checkpoint`` (nightly, from
cron) then records the heads the check read, with each chain's length; copy the digest it
prints to a log outside the database.

``--since-checkpoint`` checks only what the last checkpoint does not vouch for: each chain from
its signed head on, and that the chain up to the head still holds as many punches as the
checkpoint counted, which a row inserted or deleted below the head changes (a national
database grows by some 150 million punches a year, and the whole check reads them all: about
5 minutes per 10 million on two cores). Run the whole check too, weekly: only it sees a punch
changed, behind the triggers, before the last checkpoint.
"""

from collections.abc import Iterator
from itertools import batched, pairwise
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.db.models import Count, F, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from hadir.common import hot
from hadir.org.models import Employee
from hadir.presence.chain import (
    Break,
    Tail,
    chain_breaks,
    checkpoint_digest,
    gone_reason,
    head_mac,
)
from hadir.presence.models import ChainCheckpoint, ChainHead, Punch
from hadir.presence.services import ChainHeadsGone, chain_checkpoint_take
from hadir.rules.nip import compact_nip


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
        nip = compact_nip(options["nip"]) if options["nip"] else None  # typed as printed
        if nip and not Employee.objects.filter(nip=nip).exists():
            raise CommandError(_("no employee has NIP %(nip)s") % {"nip": options["nip"]})
        punches = Punch.objects.order_by("employee_id", "id")
        heads = ChainHead.objects.order_by("employee_id")
        if nip:
            punches = punches.filter(employee__nip=nip)
            heads = heads.filter(employee__nip=nip)
        recorded = list(heads.values_list("employee_id", "punch_id", "hash", "mac", "length"))
        breaks = _altered_heads(recorded)
        if not nip:
            breaks += _altered_checkpoints(recorded)
        recent = options["since_checkpoint"]
        # From a head on only where the checkpoint counted the chain up to it.
        trusted = {e: n for e, _p, _h, _mac, n in recorded if n is not None} if recent else {}
        if recent:
            breaks += _miscounted(heads.exclude(length=None))
        tails: dict[int, Tail] = {}
        breaks += chain_breaks(
            _since_heads(punches, nip) if recent else punches.iterator(chunk_size=5000),
            {e: (p, h) for e, p, h, _mac, _n in recorded},
            from_heads=set(trusted),
            tails=tails,
        )
        count = sum(tail.read for tail in tails.values())
        self._report(breaks)
        if breaks:
            raise CommandError(
                _("%(broken)s broken links among %(count)s punches")
                % {"broken": len(breaks), "count": count}
            )
        if trusted:
            self.stdout.write(
                _("OK: %(count)s punches from the last checkpoint on, chain intact")
                % {"count": count}
            )
        else:
            self.stdout.write(_("OK: %(count)s punches, chain intact") % {"count": count})
        if options["checkpoint"]:
            # A chain read from its head on: the head was counted already.
            lengths = {e: trusted.get(e, 1) - 1 + t.read for e, t in tails.items()}
            self._checkpoint(
                [(e, t.punch_id, t.hash, lengths[e]) for e, t in sorted(tails.items())]
            )

    def _checkpoint(self, heads: list[tuple[int, int, str, int]]) -> None:
        try:
            checkpoint = chain_checkpoint_take(heads, actor_label="command:verify_punches")
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
        named = sorted({b.employee_id for b in breaks if b.employee_id is not None})
        nips = {
            pk: nip
            for part in batched(named, 1000)  # a wrong key breaks every chain at once
            for pk, nip in Employee.objects.filter(pk__in=part).values_list("pk", "nip")
        }
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
    """``punches`` from each counted head on, then every punch of employees with none, each
    employee's together and in id order. On PostgreSQL each tail is one probe of the
    (employee, id) index, however long the chains below the heads; nothing reads the table
    whole."""
    head, punch, people = (m._meta.db_table for m in (ChainHead, Punch, Employee))
    columns = hot.columns(Punch, hot.every_field(Punch), "p")
    where = ["h.length IS NOT NULL"]
    if nip:
        where.append(f"h.employee_id IN (SELECT id FROM {people} WHERE nip = %s)")  # noqa: S608
    if connection.vendor == "postgresql":
        sql = (
            f"SELECT {columns} FROM {head} h CROSS JOIN LATERAL (SELECT * FROM {punch} t"  # noqa: S608
            " WHERE t.employee_id = h.employee_id AND t.id >= h.punch_id ORDER BY t.id) p"
            f" WHERE {' AND '.join(where)} ORDER BY h.employee_id"
        )
    else:
        sql = (
            f"SELECT {columns} FROM {head} h JOIN {punch} p"  # noqa: S608
            " ON p.employee_id = h.employee_id AND p.id >= h.punch_id"
            f" WHERE {' AND '.join(where)} ORDER BY p.employee_id, p.id"
        )
    yield from hot.streamed(Punch, sql, [nip] if nip else [])
    # The rest by employee, a thousand at a time: excluding the counted from the punches would
    # read the whole table to find the few chains with no head.
    counted = ChainHead.objects.exclude(length=None).values("employee_id")
    headless = Employee.objects.exclude(pk__in=counted).filter(**({"nip": nip} if nip else {}))
    for part in batched(headless.order_by("pk").values_list("pk", flat=True), 1000):
        yield from punches.filter(employee_id__in=part).iterator(chunk_size=5000)


def _miscounted(heads: QuerySet[ChainHead]) -> list[Break]:
    """Heads whose chain up to them no longer holds the punches the checkpoint counted: a row
    inserted below the head (its id is the writer's to choose) or deleted there. One count per
    head on the (employee, id) index, not a read of the punches."""
    below = (
        Punch.objects.filter(employee_id=OuterRef("employee_id"), id__lte=OuterRef("punch_id"))
        .order_by()
        .values("employee_id")
        .annotate(found=Count("id"))
        .values("found")
    )
    counted = heads.annotate(found=Coalesce(Subquery(below), 0)).exclude(found=F("length"))
    return [
        Break(
            employee_id,
            punch_id,
            _(
                "the chain up to this head holds %(found)s punches; the checkpoint counted %(length)s"
            )
            % {"found": found, "length": length},
        )
        for employee_id, punch_id, found, length in counted.values_list(
            "employee_id", "punch_id", "found", "length"
        )
    ]


def _altered_heads(recorded: list[tuple[int, int, str, str, int | None]]) -> list[Break]:
    """Heads whose signature no longer matches: moved back by hand to fit a shortened chain."""
    return [
        Break(employee_id, punch_id, _("the checkpoint's record of this chain's end was altered"))
        for employee_id, punch_id, punch_hash, mac, length in recorded
        if mac != head_mac(employee_id, punch_id, punch_hash, length)
    ]


def _altered_checkpoints(recorded: list[tuple[int, int, str, str, int | None]]) -> list[Break]:
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
        heads = [(e, p, h) for e, p, h, _mac, _n in recorded]
        if last.heads != len(heads) or last.digest != checkpoint_digest(last.previous, heads):
            altered = _("the chain heads no longer match checkpoint %(id)s") % {"id": last.pk}
            breaks.append(Break(None, None, altered))
    return breaks
