"""Recording punches: the phone check-in with its refusals, and registering machines (their
logs are imported by :mod:`hadir.presence.imports`).

Only server time counts for a check-in (the phone's clock is never read). Every refusal is kept
with the data that caused it, because it is the employee's evidence for a ``SISTEM_ERROR``
complaint. Punches are appended under the employee's lock (:mod:`hadir.common.locks`) so the
hash chain and the idempotency check see a consistent tail even with parallel requests.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from itertools import batched
from typing import Any, Literal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_noop

from hadir.common import hot
from hadir.common.audit import audit_record
from hadir.common.locks import lock_employees, lock_statements
from hadir.org.models import Employee
from hadir.org.placements import employee_stints
from hadir.presence.chain import GENESIS, checkpoint_digest, degrees, head_mac, punch_seal
from hadir.presence.models import ChainCheckpoint, ChainHead, Device, Machine, Punch, Refusal
from hadir.presence.selectors import (
    allowed_areas,
    day_standing,
    metres_outside,
    said_text,
)
from hadir.recap.evaluation import DayInputs, evaluate_dates, inputs_from, inputs_statements
from hadir.rules.day import DayResult
from hadir.rules.geo import Placement, Point, distance_m, place, speed_kmh
from hadir.rules.policy import Policy
from hadir.schedules import cache

Kind = Literal["DATANG", "PULANG", "LIBUR"]
logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class CheckIn:
    """What the phone sends. No time: the server's clock decides."""

    latitude: float
    longitude: float
    accuracy_m: float
    device_id: str = ""
    mock_location: bool = False
    idempotency_key: str = ""


@dataclass(frozen=True)
class Outcome:
    """The answer shown on the phone: the punch or the refusal, and the day's standing."""

    at: datetime
    local_at: datetime
    punch: Punch | None = None
    refusal: Refusal | None = None
    kind: Kind | None = None
    day: DayResult | None = None
    replayed: bool = False
    detail: dict[str, Any] = field(default_factory=dict)

    @property
    def accepted(self) -> bool:
        return self.punch is not None


class _Refused(Exception):
    """A refusal: its reason code, its data, and its words as a source text with parameters,
    kept so that they are said again in the language of whoever reads them later (a retry
    from an English page, the admin's list)."""

    def __init__(
        self, reason: str, message: str, params: dict[str, Any] | None = None, **detail: Any
    ) -> None:
        super().__init__(message)
        self.reason, self.detail = reason, detail
        self.said = {"message": message, "params": params or {}}


def punch_check_in(
    *, employee: Employee, check_in: CheckIn, now: datetime | None = None
) -> Outcome:
    """Check ``employee`` in (or out) from a phone; refuse with a kept reason when not allowed.

    ``now`` exists for tests; callers in production leave it to the server clock.
    """
    now = now or timezone.now()
    tz = ZoneInfo(employee.unit.timezone)
    local = now.astimezone(tz)
    try:
        location_id = _admissible(employee, check_in, local)
    except _Refused as refused:
        # A retried tap gets its first answer even when it would be refused now: _refuse looks
        # for it under the lock. (A retry that is still admissible is answered under the lock
        # below, whose read says whether the key was used: no replay query for a new tap.)
        if not cache.observe(cache.generation()):
            return _refuse(employee, check_in, now, local, refused)
        # The policy or locations were edited (maybe in another process) since this process
        # cached them; a refusal is kept as evidence: judge the check-in by what is saved.
        try:
            location_id = _admissible(employee, check_in, local)
        except _Refused as still:
            return _refuse(employee, check_in, now, local, still)
    day = local.date()
    try:
        with transaction.atomic():
            tail = _chain_locked(employee, check_in.idempotency_key[:64], day)
            if tail.key_used:
                replay = _replayed(employee, check_in.idempotency_key, tz)
                if replay is not None:
                    return replay
            if cache.observe(tail.generation):
                # The calendar, policy or locations were edited (maybe in another process)
                # since this process cached them: judge the check-in again by what is saved.
                location_id = _admissible(employee, check_in, local)
            # Under the lock: two new phones tapping at once must not both register, and two
            # taps at once must each be measured from the other's position.
            _check_device(employee, check_in.device_id)
            _check_travel(tail.previous, check_in, now, cache.policy(day))
            punch = Punch(
                employee=employee,
                at=now,
                recorded_at=now,
                source=Punch.Source.APP,
                latitude=Decimal(str(check_in.latitude)),
                longitude=Decimal(str(check_in.longitude)),
                accuracy_m=check_in.accuracy_m,
                location_id=location_id,
                device_id=check_in.device_id[:100],
                idempotency_key=check_in.idempotency_key[:64],
            )
            punch_seal(punch, tail.hash)
            _remember_device(employee, check_in.device_id, tail.previous)
            # The day is evaluated for the answer, not stored: a check-in is inside the presensi
            # window, so its day is still being lived (recap.services.still_lived).
            (inserted,) = hot.batch([hot.insert_statement(punch)])
            hot.inserted(punch, inserted)
            result = _day_with(punch, tail.day_inputs, day)
    except _Refused as refused:
        return _refuse(employee, check_in, now, local, refused)
    except IntegrityError:
        replay = _replayed(employee, check_in.idempotency_key, tz)
        if replay is None:
            raise
        return replay
    return _accepted(employee, punch, tz, day=result)


@dataclass(frozen=True)
class _Tail:
    """What a check-in reads under the employee's lock."""

    hash: str
    key_used: bool
    previous: Punch | None
    """The latest app punch (travel is measured from it), its position and device only."""
    day_inputs: DayInputs
    """The punches and approved requests of the punch's day, to evaluate it with."""
    generation: object
    """The cache generation committed when the lock was taken (:mod:`hadir.schedules.cache`)."""


_PREVIOUS = ("id", "at", "latitude", "longitude", "device_id")
_TAIL_COLUMNS = (*((Punch, name) for name in _PREVIOUS), None, None, None)


def _chain_locked(employee: Employee, key: str, day: date) -> _Tail:
    """Lock the employee's chain until the transaction ends, then read, in the same round trip
    (:func:`hadir.common.hot.batch`): the last punch's hash, whether a punch or a refusal
    already answered ``key``, the latest app punch, the day's inputs and the cache generation.

    The lock is a statement of its own: a statement that waited for the lock still reads with
    the snapshot it started with, which misses the punch committed by the holder it waited
    for; the statements after it in the batch start once it has the lock.
    """
    punch, refusal = Punch._meta.db_table, Refusal._meta.db_table
    pk = employee.pk
    tail_statement = hot.Statement(
        f"SELECT {hot.columns(Punch, _PREVIOUS, 'last')},"  # noqa: S608
        f" (SELECT hash FROM {punch} WHERE employee_id = %s ORDER BY id DESC LIMIT 1),"
        # "<> ''" restates the unique index's condition, so that the prepared (generic) plan,
        # which cannot see the key's value, may use that index.
        f" EXISTS (SELECT 1 FROM {punch} WHERE employee_id = %s AND idempotency_key = %s"
        " AND idempotency_key <> '')"
        f" OR EXISTS (SELECT 1 FROM {refusal} WHERE employee_id = %s AND idempotency_key = %s),"
        f" {cache.GENERATION_SQL}"
        f" FROM (SELECT 1 AS one) AS here LEFT JOIN ("
        f"SELECT {hot.columns(Punch, _PREVIOUS)} FROM {punch}"
        # The last punch with a position, whatever its source: a machine's row imported with
        # its place counts for impossible travel like the phone's own punch.
        " WHERE employee_id = %s AND latitude IS NOT NULL ORDER BY at DESC LIMIT 1)"
        " AS last ON 1 = 1",
        [pk, pk, key, pk, key, pk],
        _TAIL_COLUMNS,
        prepared="hadir_punch_tail",
    )
    locks = lock_statements([pk])
    stints = employee_stints(employee, day, day)
    *_, tails, punch_rows, request_rows = hot.batch(
        [*locks, tail_statement, *inputs_statements(employee, day, day, stints)]
    )
    ((*previous, tail, used, generation),) = tails
    return _Tail(
        hash=tail or GENESIS,
        key_used=bool(key) and bool(used),
        previous=None
        if previous[0] is None
        else Punch.from_db(connection.alias, list(_PREVIOUS), previous),
        day_inputs=inputs_from(stints, punch_rows, request_rows),
        generation=generation,
    )


def _day_with(punch: Punch, inputs: DayInputs, day: date) -> DayResult | None:
    """The punch's day evaluated as it stands with the punch, for the answer; None, logged, on
    a bug, so that the punch is kept all the same (the answer reads the day again)."""
    try:
        inputs = inputs.with_punch(day, punch.at)  # every kept punch is read, as the day's are
        return evaluate_dates(punch.employee, [day], inputs=inputs).get(day)
    except Exception:
        logger.exception("employee %s: the day %s was not evaluated", punch.employee_id, day)
        return None


def _admissible(employee: Employee, check_in: CheckIn, local: datetime) -> int:
    """The location the punch counts at; raises :class:`_Refused` otherwise."""
    today = local.date()
    user = employee.user
    inactive = (
        "account_deactivated"
        if user is not None and not user.is_active
        else "before_start"
        if today < employee.start
        else "after_end"
        if employee.end and today > employee.end
        else ""
    )
    if inactive:
        raise _Refused(
            Refusal.Reason.INACTIVE,
            gettext_noop("This account is not active for attendance. Ask your Pengelola Presensi."),
            cause=inactive,
        )
    if check_in.mock_location:
        raise _Refused(
            Refusal.Reason.MOCK_LOCATION,
            gettext_noop("The phone reports a mock (fake) location. Turn it off and try again."),
        )
    _check_device(employee, check_in.device_id)
    policy = cache.policy(today)
    minute = local.hour * 60 + local.minute
    if not policy.window_start_min <= minute < policy.window_end_min:
        raise _Refused(
            Refusal.Reason.OUTSIDE_WINDOW,
            gettext_noop("Presensi is open from %(start)s to %(end)s; it is now %(now)s."),
            {
                "start": f"{policy.window_start:%H:%M}",
                "end": f"{policy.window_end:%H:%M}",
                "now": f"{local:%H:%M}",
            },
            window=[f"{policy.window_start:%H:%M}", f"{policy.window_end:%H:%M}"],
        )
    position = Point(check_in.latitude, check_in.longitude)
    placement = _placed(employee, position, fresh=False)
    if placement is None or not placement.inside:
        # A refusal is rare and kept as evidence: ask the database itself before it, so that
        # an approval or a location counts at once even when written past the signals that
        # move the cache generation (a location removed elsewhere is caught by the generation
        # read under the lock).
        placement = _placed(employee, position, fresh=True)
    if placement is None:
        raise _Refused(
            Refusal.Reason.NO_LOCATION,
            gettext_noop(
                "No check-in location is set for your unit. Contact your Pengelola Presensi."
            ),
        )
    assert placement.area is not None
    blurred = check_in.accuracy_m > placement.area.accuracy_tolerance_m
    # A poor fix whose error circle reaches the area may well be inside it: the cure is a
    # better fix (step outside), not a walk towards the office.
    if not placement.inside and not (
        blurred and placement.distance_outside_m <= check_in.accuracy_m
    ):
        raise _Refused(
            Refusal.Reason.OUTSIDE_AREA,
            gettext_noop("You are %(distance)s from %(place)s, outside every allowed location."),
            {"metres": placement.distance_outside_m, "place": placement.area.name},
            distance_m=metres_outside(placement.distance_outside_m),
            nearest=placement.area.name,
            location_id=placement.area.key,
        )
    if blurred:
        raise _Refused(
            Refusal.Reason.POOR_ACCURACY,
            gettext_noop(
                "GPS accuracy is %(accuracy)s m; %(place)s needs %(tolerance)s m or better. Move into the open and try again."
            ),
            {
                # Never shown as the tolerance itself: 50.4 m against 50 m reads "51 m".
                "accuracy": max(
                    round(check_in.accuracy_m), math.floor(placement.area.accuracy_tolerance_m) + 1
                ),
                "place": placement.area.name,
                "tolerance": round(placement.area.accuracy_tolerance_m),
            },
            location_id=placement.area.key,
            place=placement.area.name,
            tolerance_m=placement.area.accuracy_tolerance_m,
            distance_m=round(placement.distance_outside_m),
        )
    return placement.area.key


def _placed(employee: Employee, position: Point, *, fresh: bool) -> Placement | None:
    """Where ``position`` stands against the employee's locations; None if there are none."""
    areas = allowed_areas(employee, fresh=fresh)
    return place(position, areas) if areas else None


def _check_travel(previous: Punch | None, check_in: CheckIn, now: datetime, policy: Policy) -> None:
    """Refuse a position the employee cannot have reached since their ``previous`` punch with
    a position (the phone's, or a machine's imported with its place)."""
    if previous is None or previous.latitude is None or previous.longitude is None:
        return
    before = Point(float(previous.latitude), float(previous.longitude))
    position = Point(check_in.latitude, check_in.longitude)
    speed = speed_kmh(before, previous.at, position, now)
    metres = distance_m(before, position)
    if metres >= policy.travel_min_m and speed > policy.travel_max_kmh:
        raise _Refused(
            Refusal.Reason.IMPOSSIBLE_TRAVEL,
            gettext_noop(
                "This position is too far from your previous punch for the time between them."
                " If it is right, file a complaint (pengaduan) with this refusal as evidence."
            ),
            speed_kmh=round(speed) if math.isfinite(speed) else None,
            previous_punch_id=previous.pk,
            travelled_m=round(metres),
            seconds=round(abs((now - previous.at).total_seconds())),
        )


def _check_device(employee: Employee, device_id: str) -> None:
    """With binding on, only a phone registered for the account, and not deactivated, counts.

    An account with no phone on record registers the first one it uses, unless that phone is
    another employee's (one phone checking in a colleague, titip absen): an operator registers
    a phone that two employees truly share.
    """
    if not settings.HADIR_DEVICE_BINDING:
        return
    mine = list(
        Device.objects.filter(employee=employee).values_list("device_id", "active", "reset_at")
    )
    if device_id and (device_id, True) in {(phone, active) for phone, active, _at in mine}:
        return
    if device_id and device_id in {phone for phone, _active, _at in mine}:
        raise _Refused(
            Refusal.Reason.UNKNOWN_DEVICE,
            gettext_noop(
                "This phone was deactivated for your account. Ask your Pengelola Presensi."
            ),
            cause="deactivated",
        )
    # A deactivated phone a reset already dealt with no longer stops a new one registering.
    on_record = any(active or reset_at is None for _phone, active, reset_at in mine)
    if device_id and not on_record:
        theirs = Device.objects.filter(device_id=device_id, active=True).exclude(employee=employee)
        if not theirs.exists():
            return
        raise _Refused(
            Refusal.Reason.UNKNOWN_DEVICE,
            gettext_noop(
                "This phone is registered for another employee. Check in from your own phone; "
                "a phone two employees truly share is registered by the Admin."
            ),
            cause="other_employee",
        )
    raise _Refused(
        Refusal.Reason.UNKNOWN_DEVICE,
        gettext_noop(
            "This phone is not registered for your account. Ask your Pengelola Presensi to register it."
        ),
        cause="unregistered",
    )


def _remember_device(employee: Employee, device_id: str, previous: Punch | None) -> None:
    """Register the phone for the account (binding's first device, else a record of it).

    Without binding, a phone that made the previous punch was remembered with it. With binding,
    always: an operator's reset deletes the rows, and the next phone used must register again.
    """
    device_id = device_id[:100]
    seen = previous is not None and previous.device_id == device_id
    if not device_id or (seen and not settings.HADIR_DEVICE_BINDING):
        return
    Device.objects.get_or_create(employee=employee, device_id=device_id)


def _refuse(
    employee: Employee, check_in: CheckIn, now: datetime, local: datetime, refused: _Refused
) -> Outcome:
    """Keep the refusal, unless its key already has an answer: that one is replayed.

    Under the employee's lock, so that a twin tap still being accepted (the first of two taps
    a moment before 21:00, the second after) is found once it commits, not answered with a
    refusal of the same key beside its punch.
    """
    with transaction.atomic():
        if check_in.idempotency_key:
            lock_employees([employee.pk])
            tz = ZoneInfo(employee.unit.timezone)
            replay = _replayed(employee, check_in.idempotency_key, tz)
            if replay is not None:
                return replay
        refusal = Refusal.objects.create(
            employee=employee,
            at=now,
            reason=refused.reason,
            message=said_text(refused.said)[:300],
            latitude=degrees(str(check_in.latitude)),
            longitude=degrees(str(check_in.longitude)),
            accuracy_m=check_in.accuracy_m,
            device_id=check_in.device_id[:100],
            idempotency_key=check_in.idempotency_key[:64],
            detail={
                **refused.detail,
                "mock_location": check_in.mock_location,
                "said": refused.said,
            },
        )
    return Outcome(at=now, local_at=local, refusal=refusal, detail=refused.detail)


def _replayed(employee: Employee, key: str, tz: ZoneInfo) -> Outcome | None:
    """The punch or the refusal that answered ``key`` first, as a replayed outcome, if any."""
    if not key:
        return None
    key = key[:64]
    punch = Punch.objects.filter(employee=employee, idempotency_key=key).first()
    if punch is not None:
        outcome = _accepted(employee, punch, tz)
        return Outcome(
            at=outcome.at,
            local_at=outcome.local_at,
            punch=punch,
            kind=outcome.kind,
            day=outcome.day,
            replayed=True,
        )
    refusal = Refusal.objects.filter(employee=employee, idempotency_key=key).order_by("-at").first()
    if refusal is not None:
        return Outcome(
            at=refusal.at,
            local_at=refusal.at.astimezone(tz),
            refusal=refusal,
            replayed=True,
            detail=refusal.detail,
        )
    return None


def _accepted(
    employee: Employee, punch: Punch, tz: ZoneInfo, *, day: DayResult | None = None
) -> Outcome:
    """The answer for an accepted punch, with ``day`` as evaluated (else read as it stands)."""
    local = punch.at.astimezone(tz)
    if day is None:
        day = day_standing(employee, local.date())
    kind: Kind
    if not day.working:
        kind = "LIBUR"
    elif (
        day.schedule.pivot is not None
        and local.time().replace(second=0, microsecond=0) < day.schedule.pivot
    ):
        kind = "DATANG"
    else:
        kind = "PULANG"
    return Outcome(at=punch.at, local_at=local, punch=punch, kind=kind, day=day)


def devices_reset(*, actor: Any, employee: Employee) -> int:
    """Forget the phones registered for ``employee`` (lost, replaced, or deactivated): with
    device binding on, the next phone they check in from registers itself. A deactivated phone
    is kept, stamped, so that it stays refused. Returns how many were forgotten."""
    with transaction.atomic():
        phones = Device.objects.select_for_update().filter(employee=employee)
        devices = list(
            phones.filter(Q(active=True) | Q(reset_at=None)).values_list("device_id", "active")
        )
        phones.filter(active=True).delete()
        phones.filter(active=False, reset_at=None).update(reset_at=timezone.now())
        audit_record(
            actor=actor,
            action="presence.devices_reset",
            obj=employee,
            summary=f"{employee.nip}: {len(devices)}",
            before={"devices": [{"id": d, "active": a} for d, a in devices]},
        )
    return len(devices)


def machine_register(*, actor: Any, unit: Any, name: str, serial: str) -> Machine:
    """Register a fingerprint machine of ``unit`` (its logs are then imported with its PINs)."""
    with transaction.atomic():
        machine = Machine.objects.create(
            unit=unit, name=name.strip(), serial=Machine.serial_as_printed(serial)
        )
        audit_record(
            actor=actor,
            action="presence.machine_register",
            obj=machine,
            summary=f"{machine.serial} {machine.name} ({unit.code})",
            after={"unit": unit.pk, "name": machine.name, "serial": machine.serial},
        )
    return machine


class ChainHeadsGone(Exception):
    """Heads the last checkpoint recorded are no longer in their chains: no new checkpoint may
    vouch for the shortened chains."""

    def __init__(self, gone: list[tuple[int, int]]) -> None:
        super().__init__(f"{len(gone)} chain heads gone")
        self.gone = gone


def chain_checkpoint_take(
    heads: list[tuple[int, int, str, int]], *, actor_label: str = ""
) -> ChainCheckpoint:
    """Record ``heads`` (employee, punch id, hash, chain length: the last punch a check just
    read of each chain, in employee order), keyed, and a digest chained to the previous
    checkpoint (:mod:`hadir.presence.chain`). Only what the check read: a punch written since
    is checked next time, from these heads on.

    Under the checkpoint lock, the previous heads and these are checked again, since punches
    could have been deleted between the check and this. Raises :class:`ChainHeadsGone` if so.
    """
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # One checkpoint at a time, each after the one committed before it (a row lock
            # would let two runs both follow the same checkpoint). Readers are not blocked.
            with connection.cursor() as cursor:
                cursor.execute(f"LOCK TABLE {ChainCheckpoint._meta.db_table} IN EXCLUSIVE MODE")
        last = ChainCheckpoint.objects.order_by("-id").first()
        still_there = Punch.objects.filter(
            pk=OuterRef("punch_id"), employee_id=OuterRef("employee_id"), hash=OuterRef("hash")
        )
        gone = list(
            ChainHead.objects.exclude(Exists(still_there))
            .order_by("employee_id")
            .values_list("employee_id", "punch_id")
        )
        gone += _heads_gone(heads)
        if gone:
            raise ChainHeadsGone(sorted(set(gone)))
        ChainHead.objects.all().delete()
        ChainHead.objects.bulk_create(
            (
                ChainHead(employee_id=e, punch_id=p, hash=h, length=n, mac=head_mac(e, p, h, n))
                for e, p, h, n in heads
            ),
            batch_size=5000,
        )
        previous = last.digest if last else ""
        checkpoint = ChainCheckpoint.objects.create(
            taken_at=timezone.now(),
            heads=len(heads),
            previous=previous,
            digest=checkpoint_digest(previous, [(e, p, h) for e, p, h, _n in heads]),
        )
        audit_record(
            actor=None,
            actor_label=actor_label or "system",
            action="presence.chain_checkpoint",
            obj=checkpoint,
            summary=f"{checkpoint.heads} heads, {checkpoint.digest}",
        )
        return checkpoint


def _heads_gone(heads: list[tuple[int, int, str, int]]) -> list[tuple[int, int]]:
    """Those of ``heads`` no longer stored as the check read them."""
    found: set[tuple[int, str]] = set()
    for part in batched(heads, 5000):
        stored = Punch.objects.filter(pk__in=[p for _e, p, _h, _n in part])
        found.update(stored.values_list("pk", "hash"))
    return [(e, p) for e, p, h, _n in heads if (p, h) not in found]
