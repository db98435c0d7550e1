"""The hash chain over each employee's punches: tampering with stored rows shows.

Each punch's hash covers its own fields and the previous punch's hash (in insertion order), so
changing, deleting or inserting a row behind the application breaks every later link. The hash
is keyed (HMAC-SHA256 with ``HADIR_PUNCH_CHAIN_KEY``), so someone with write access to the
database alone cannot recompute a consistent chain after editing rows.

Deleting an employee's newest punches leaves a shorter chain that still holds. A checkpoint
(``verify_punches --checkpoint``, nightly) records every chain's head, keyed, with a digest
chained to the previous checkpoint's: a head that is gone afterwards shows, and the digest,
copied to a log outside the database, shows a checkpoint table put back from an old copy.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Set
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from django.utils.translation import gettext as _

from hadir.presence.models import Punch

GENESIS = ""


def degrees(value: Decimal | float | str) -> Decimal:
    """A coordinate as stored: six decimals, and never ``-0.000000``, which the database keeps
    as ``0.000000`` (a point on the equator would otherwise fail its own hash)."""
    quantized = Decimal(value).quantize(Decimal("0.000001"))
    return abs(quantized) if quantized == 0 else quantized


def _text(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, Decimal):
        return f"{degrees(value):.6f}"
    if isinstance(value, float):
        return f"{value:.2f}"
    return str(value)


def _instant(at: datetime | None) -> str:
    return "-" if at is None else at.astimezone(UTC).isoformat(timespec="microseconds")


def punch_digest(punch: Punch, prev_hash: str, *, legacy: bool = False) -> str:
    """The hash a punch must carry after ``prev_hash``.

    It covers who recorded the punch and when (an import's operator, its time), so that
    neither can be rewritten to blame another operator or hide a late import. Punches sealed
    before it did (``legacy``) are verified without them.
    """
    fields = [
        prev_hash,
        str(punch.employee_id),
        punch.at.astimezone(UTC).isoformat(timespec="microseconds"),
        punch.source,
        _text(punch.latitude),
        _text(punch.longitude),
        _text(punch.accuracy_m),
        _text(punch.location_id),
        punch.device_id,
        punch.idempotency_key,
        "1" if punch.counts else "0",
        punch.flags,
        _text(punch.machine_id),
    ]
    if not legacy:
        fields = ["v2", *fields, _text(punch.recorded_by_id), _instant(punch.recorded_at)]
    return hmac.new(_key(), "|".join(fields).encode(), hashlib.sha256).hexdigest()


def _key() -> bytes:
    from django.conf import settings

    return settings.HADIR_PUNCH_CHAIN_KEY.encode()


def punch_seal(punch: Punch, prev_hash: str) -> None:
    """Set ``prev_hash`` and ``hash`` on an unsaved punch."""
    if punch.latitude is not None:
        punch.latitude = degrees(punch.latitude)
    if punch.longitude is not None:
        punch.longitude = degrees(punch.longitude)
    if punch.accuracy_m is not None:
        punch.accuracy_m = round(float(punch.accuracy_m), 2)
    punch.prev_hash = prev_hash
    punch.hash = punch_digest(punch, prev_hash)


def _holds_its_hash(punch: Punch) -> bool:
    """Whether the punch's contents give its hash, as sealed now or, for a punch sealed before
    the digest covered who recorded it and when, as sealed then (the two cannot stand for each
    other: the current one is marked ``v2``)."""
    return punch.hash in (
        punch_digest(punch, punch.prev_hash),
        punch_digest(punch, punch.prev_hash, legacy=True),
    )


def head_mac(employee_id: int, punch_id: int, punch_hash: str, length: int | None) -> str:
    """The key's signature on one chain head and its length, so that neither can be moved back
    by hand (a head recorded before lengths were kept is signed without one)."""
    text = f"head|{employee_id}|{punch_id}|{punch_hash}"
    if length is not None:
        text += f"|{length}"
    return hmac.new(_key(), text.encode(), hashlib.sha256).hexdigest()


def checkpoint_digest(previous: str, heads: Iterable[tuple[int, int, str]]) -> str:
    """The digest of a checkpoint: every head ``(employee, punch, hash)`` in employee order,
    after the previous checkpoint's digest."""
    digest = hmac.new(_key(), f"checkpoint|{previous}".encode(), hashlib.sha256)
    for employee_id, punch_id, punch_hash in heads:
        digest.update(f"|{employee_id}:{punch_id}:{punch_hash}".encode())
    return digest.hexdigest()


@dataclass(frozen=True)
class Break:
    """Where an employee's chain stops holding (no employee: where the checkpoints do)."""

    employee_id: int | None
    punch_id: int | None
    reason: str


def gone_reason() -> str:
    """Why a chain shorter than its checkpointed head breaks."""
    return _("a punch the last checkpoint recorded is gone")


@dataclass
class Tail:
    """The last punch a check read of one employee's chain, and how many it read."""

    punch_id: int
    hash: str
    read: int


def chain_breaks(
    punches: Iterable[Punch],
    heads: dict[int, tuple[int, str]] | None = None,
    *,
    from_heads: Set[int] = frozenset(),
    tails: dict[int, Tail] | None = None,
) -> list[Break]:
    """Every broken link among ``punches`` (ordered by employee, then id); with the last
    checkpoint's ``heads`` (employee: punch id and hash), also every head no longer found in
    its employee's chain, the trace of punches deleted from its end.

    The chains of the employees in ``from_heads`` start at their head, the checkpoint vouching
    for the links before it; the head's own contents are still checked against its hash.
    ``tails``, if given, receives each chain's last punch read, for a checkpoint to sign."""
    breaks: list[Break] = []
    current_employee: int | None = None
    expected_prev = GENESIS
    missing = dict(heads or {})
    tail = Tail(0, GENESIS, 0)
    for punch in punches:
        if punch.employee_id != current_employee:
            current_employee, expected_prev = punch.employee_id, GENESIS
            head = missing.get(punch.employee_id, (None, ""))[0]
            if punch.employee_id in from_heads and head == punch.pk:
                expected_prev = punch.prev_hash
            tail = Tail(punch.pk, punch.hash, 0)
            if tails is not None:
                tails[punch.employee_id] = tail
        tail.punch_id, tail.hash, tail.read = punch.pk, punch.hash, tail.read + 1
        if missing.get(punch.employee_id) == (punch.pk, punch.hash):
            del missing[punch.employee_id]
        if punch.prev_hash != expected_prev:
            breaks.append(
                Break(punch.employee_id, punch.pk, _("prev_hash does not match the previous punch"))
            )
        elif not _holds_its_hash(punch):
            breaks.append(Break(punch.employee_id, punch.pk, _("contents do not match the hash")))
        expected_prev = punch.hash
    breaks += [
        Break(employee_id, punch_id, gone_reason())
        for employee_id, (punch_id, _hash) in sorted(missing.items())
    ]
    return breaks
