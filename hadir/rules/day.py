"""Evaluating one employee-day: DOMAIN.md §4, the core rule.

Punches (instants), approved excuses and the date's schedule go in; a :class:`DayResult` with the
status, datang and pulang, TL and PSW minutes and classes, and the meal-allowance flag comes out.
The function is pure and cheap because the Django side re-evaluates a day every time a punch or
an approval touches it, and whole units at month end.

The steps, in order:

1. A non-working day is ``LIBUR`` whatever the punches or absences.
2. An approved full-day absence covering the date gives its code as status.
3. Punches are read in the unit's local time, truncated to the minute; those outside the
   presensi window (or, after conversion, on another local date) are ignored. Before the pivot a
   punch is a check-in candidate, at or after it a check-out candidate; datang is the earliest
   check-in candidate, pulang the latest check-out candidate.
4. TL = datang − start and PSW = end − pulang, at least 0 and at most the cap; a missing side
   costs the policy's missing minutes (class 4). A session waiver zeroes its side.
5. ``TK`` when nothing at all was punched or waived, otherwise ``H``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, tzinfo
from functools import cache
from typing import Literal, Protocol, get_args

from hadir.rules.explain import Reason
from hadir.rules.policy import ABSENCE_CODES, CLASSES, DEFAULT_POLICY, Policy
from hadir.rules.schedule import Schedule

Status = Literal["H", "TK", "LIBUR", "DL", "CT", "CB", "CS", "CM", "CAP", "CLTN", "TB"]
STATUSES: tuple[Status, ...] = get_args(Status)
AbsenceCode = Literal["DL", "CT", "CB", "CS", "CM", "CAP", "CLTN", "TB"]
WaiverKind = Literal["TUGAS_LUAR", "SISTEM_ERROR", "IZIN"]
WAIVER_KINDS: tuple[WaiverKind, ...] = get_args(WaiverKind)
Session = Literal["PAGI", "SORE", "PAGI_SORE"]
"""``PAGI`` waives TL (and a missing datang), ``SORE`` PSW (and a missing pulang), or both."""
SESSIONS: tuple[Session, ...] = get_args(Session)

_PAGI = frozenset({"PAGI", "PAGI_SORE"})
_SORE = frozenset({"SORE", "PAGI_SORE"})


def session_sides(session: str) -> tuple[bool, bool]:
    """Whether ``session`` waives the morning, and whether the afternoon."""
    return session in _PAGI, session in _SORE


def session_of(pagi: bool, sore: bool) -> Session:
    """The session that waives the morning, the afternoon or both (one at least)."""
    return "PAGI_SORE" if pagi and sore else ("PAGI" if pagi else "SORE")


@dataclass(frozen=True, slots=True)
class Absence:
    """An approved full-day absence (ketidakhadiran) from ``start`` to ``end`` inclusive."""

    code: AbsenceCode
    start: date
    end: date
    ref: str = ""

    def __post_init__(self) -> None:
        if self.code not in ABSENCE_CODES:
            raise ValueError(f"jenis ketidakhadiran '{self.code}' tidak dikenal")
        if self.end < self.start:
            raise ValueError("tanggal selesai ketidakhadiran sebelum tanggal mulai")


@dataclass(frozen=True, slots=True)
class Waiver:
    """An approved session waiver (pengaduan / alibi) for one date: tugas luar, sistem error or
    izin, for the morning (TL), the afternoon (PSW) or both.
    """

    kind: WaiverKind
    day: date
    session: Session
    ref: str = ""

    def __post_init__(self) -> None:
        if self.kind not in WAIVER_KINDS:
            raise ValueError(f"jenis pengaduan '{self.kind}' tidak dikenal")
        if self.session not in SESSIONS:
            raise ValueError(f"sesi '{self.session}' tidak dikenal (PAGI, SORE atau PAGI_SORE)")

    @property
    def pagi(self) -> bool:
        """Whether it excuses the morning: lateness and a missing check-in."""
        return self.session in _PAGI

    @property
    def sore(self) -> bool:
        """Whether it excuses the afternoon: early leave and a missing check-out."""
        return self.session in _SORE


class DayFacts(Protocol):
    """What month and year summaries read of a day: a :class:`DayResult`, or a stored row
    with the same fields (the Django side's materialised employee-day)."""

    @property
    def day(self) -> date: ...
    @property
    def status(self) -> str: ...
    @property
    def working(self) -> bool: ...
    @property
    def tl_minutes(self) -> int: ...
    @property
    def psw_minutes(self) -> int: ...
    @property
    def tl_class(self) -> int: ...
    @property
    def psw_class(self) -> int: ...
    @property
    def meal(self) -> bool: ...


@dataclass(frozen=True, slots=True)
class DayResult:
    """The evaluation of one employee-day.

    ``datang`` and ``pulang`` are the chosen punches in the unit's local time, seconds kept (the
    minutes were computed on the truncated times). ``tl_class``/``psw_class`` are 0 for none,
    1–4 otherwise. ``absence``, ``waivers`` and ``ignored`` keep what was applied or left out so
    the result can explain itself (:attr:`reasons`) without re-reading any input.
    """

    day: date
    status: Status
    schedule: Schedule
    datang: datetime | None
    pulang: datetime | None
    tl_minutes: int
    psw_minutes: int
    tl_class: int
    psw_class: int
    meal: bool
    absence: Absence | None
    waivers: tuple[Waiver, ...]
    ignored: tuple[datetime, ...]
    policy: Policy

    @property
    def working(self) -> bool:
        """Whether the date is a working day of the employee's schedule."""
        return self.schedule.working

    @property
    def tl_waived(self) -> bool:
        """Whether a morning waiver applied."""
        return any(w.pagi for w in self.waivers)

    @property
    def psw_waived(self) -> bool:
        """Whether an afternoon waiver applied."""
        return any(w.sore for w in self.waivers)

    def off_timetable(self, *, morning: bool) -> int:
        """Minutes the datang (``morning``) came after the start, or the pulang left before the
        end, uncapped and before any waiver: what a person reads off the clock. 0 without the
        punch or the timetable."""
        punch = self.datang if morning else self.pulang
        if punch is None or self.schedule.hours is None:
            return 0
        scheduled = self.schedule.start_min if morning else self.schedule.end_min
        return max(0, (punch.hour * 60 + punch.minute - scheduled) * (1 if morning else -1))

    @property
    def reasons(self) -> tuple[Reason, ...]:
        """Why the day came out this way, step by step (render with ``Reason.text``)."""
        return explain_day(self)

    @property
    def explanation_key(self) -> tuple[object, ...]:
        """Everything :func:`explain_day` reads, as one hashable value: results with equal keys
        have equal reasons, so a caller explaining a month of 100,000 employees builds each
        distinct explanation once. Whoever changes what ``explain_day`` reads changes this.

        The date is part of the key only where a reason names it (a holiday, a day off, a punch
        outside the window or on another date): an ordinary working day explains itself the
        same on every date with the same timetable and times."""
        s = self.schedule
        period = s.special_period
        dated = s.holiday or s.hours is None or bool(self.ignored)
        return (
            s.day if dated else None, s.pattern_code, s.hours is None, s.holiday, s.start_min, s.end_min, s.pivot_min,
            None if period is None else (period.name, period.start, period.end),
            self.status, self.absence, self.waivers, self.ignored, self.meal,
            None if self.datang is None else (self.datang.hour, self.datang.minute),
            None if self.pulang is None else (self.pulang.hour, self.pulang.minute),
            self.tl_minutes, self.psw_minutes, self.tl_class, self.psw_class,
            (self.policy.window_start, self.policy.window_end) if self.ignored else None,
        )  # fmt: skip


def _pick_absence(day: date, absences: Iterable[Absence]) -> Absence | None:
    """The absence that covers ``day``. Overlapping absences are a data error upstream; the
    choice is only made independent of input order (code order of ``ABSENCE_CODES``, then the
    earliest start, end and reference).
    """
    covering = [a for a in absences if a.start <= day <= a.end]
    if not covering:
        return None
    return min(covering, key=lambda a: (ABSENCE_CODES.index(a.code), a.start, a.end, a.ref))


def _local(punches: Iterable[datetime], tz: tzinfo) -> list[datetime]:
    local = []
    for punch in punches:
        if punch.tzinfo is None or punch.utcoffset() is None:
            raise ValueError(f"presensi {punch.isoformat()} tanpa zona waktu")
        local.append(punch.astimezone(tz))
    local.sort()
    return local


def evaluate_day(
    schedule: Schedule,
    punches: Iterable[datetime] = (),
    *,
    tz: tzinfo,
    absences: Iterable[Absence] = (),
    waivers: Iterable[Waiver] = (),
    policy: Policy = DEFAULT_POLICY,
) -> DayResult:
    """Evaluate one employee-day (DOMAIN.md §4; the steps are in the module docstring).

    ``punches`` are aware datetimes in any zone (naive ones raise ``ValueError``); ``tz`` is the
    unit's zone (``ZoneInfo("Asia/Jakarta")``, ``"Asia/Makassar"``, ``"Asia/Jayapura"``).
    ``absences`` and ``waivers`` are the employee's approved excuses; those that do not cover
    ``schedule.day`` are skipped, so a month's list can be passed for every day.
    """
    day = schedule.day
    if not schedule.working:
        return DayResult(
            day,
            "LIBUR",
            schedule,
            None,
            None,
            0,
            0,
            0,
            0,
            False,
            None,
            (),
            tuple(_local(punches, tz)),
            policy,
        )
    absence = _pick_absence(day, absences) if absences else None
    if absence is not None:
        return DayResult(
            day,
            absence.code,
            schedule,
            None,
            None,
            0,
            0,
            0,
            0,
            False,
            absence,
            (),
            tuple(_local(punches, tz)),
            policy,
        )

    window_start = policy.window_start_min
    window_end = policy.window_end_min
    pivot = schedule.pivot_min
    datang: datetime | None = None
    pulang: datetime | None = None
    datang_min = pulang_min = 0
    ignored: list[datetime] = []
    for punch in punches:
        if punch.tzinfo is None or punch.utcoffset() is None:
            raise ValueError(f"presensi {punch.isoformat()} tanpa zona waktu")
        local = punch.astimezone(tz)
        minute = local.hour * 60 + local.minute
        if minute < window_start or minute >= window_end or local.date() != day:
            ignored.append(local)
        elif minute < pivot:
            if datang is None or local < datang:
                datang, datang_min = local, minute
        elif pulang is None or local > pulang:
            pulang, pulang_min = local, minute

    applied = tuple(w for w in waivers if w.day == day) if waivers else ()
    pagi = sore = False
    for waiver in applied:
        pagi = pagi or waiver.session in _PAGI
        sore = sore or waiver.session in _SORE

    if datang is None and pulang is None and not applied:
        return DayResult(
            day,
            "TK",
            schedule,
            None,
            None,
            0,
            0,
            0,
            0,
            False,
            None,
            (),
            tuple(sorted(ignored)),
            policy,
        )

    cap = policy.cap_minutes
    if pagi:
        tl = tl_class = 0
    elif datang is None:
        tl, tl_class = policy.missing_minutes, CLASSES
    else:
        tl = datang_min - schedule.start_min
        tl = 0 if tl < 0 else cap if tl > cap else tl
        tl_class = policy.class_of(tl)
    if sore:
        psw = psw_class = 0
    elif pulang is None:
        psw, psw_class = policy.missing_minutes, CLASSES
    else:
        psw = schedule.end_min - pulang_min
        psw = 0 if psw < 0 else cap if psw > cap else psw
        psw_class = policy.class_of(psw)
    meal = (pagi or datang is not None) and (sore or pulang is not None)
    return DayResult(
        day,
        "H",
        schedule,
        datang,
        pulang,
        tl,
        psw,
        tl_class,
        psw_class,
        meal,
        None,
        tuple(sorted(applied, key=_waiver_key)),
        tuple(sorted(ignored)) if ignored else (),
        policy,
    )


def _waiver_key(w: Waiver) -> tuple[int, int, str]:
    return (WAIVER_KINDS.index(w.kind), SESSIONS.index(w.session), w.ref)


def _hm(moment: datetime) -> str:
    return _clock(moment.hour * 60 + moment.minute)


@cache
def _clock(minutes: int) -> str:
    """``HH:MM`` of a minute of the day (memoised: explanations are built by the million; there
    are 1,440 minutes in a day)."""
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


@cache
def _schedule_reason(start_min: int, end_min: int, pivot: time) -> Reason:
    """The schedule step, the same for every day of a timetable (a few dozen in all)."""
    return Reason.of(
        "SCHEDULE", start=_clock(start_min), end=_clock(end_min), pivot=f"{pivot:%H:%M}"
    )


def explain_day(result: DayResult) -> tuple[Reason, ...]:
    """The reasons of :attr:`DayResult.reasons`, derived from the result's own fields."""
    s = result.schedule
    policy = result.policy
    reasons: list[Reason] = []
    if s.holiday:
        reasons.append(Reason.of("HOLIDAY", date=result.day))
    if s.hours is None:
        reasons.append(
            Reason.of("DAY_OFF", date=result.day, pattern=s.pattern_name or s.pattern_code)
        )
    if s.special_period is not None:
        period = s.special_period
        reasons.append(
            Reason.of("SPECIAL_PERIOD", name=period.name, start=period.start, end=period.end)
        )
    if result.status == "LIBUR":
        if result.ignored:
            reasons.append(Reason.of("LIBUR_PUNCHES", count=len(result.ignored)))
        return tuple(reasons)
    reasons.append(_schedule_reason(s.start_min, s.end_min, s.pivot))
    if result.absence is not None:
        reasons.append(Reason.of("ABSENCE", code=result.absence.code, ref=result.absence.ref))
        if result.ignored:
            reasons.append(Reason.of("ABSENCE_PUNCHES", count=len(result.ignored)))
        reasons.append(Reason.of("MEAL_NO_STATUS", status=result.status))
        return tuple(reasons)
    for punch in result.ignored:
        if punch.date() != result.day:
            reasons.append(Reason.of("PUNCH_OTHER_DATE", when=f"{punch:%Y-%m-%d %H:%M}"))
        else:
            reasons.append(
                Reason.of(
                    "PUNCH_OUTSIDE_WINDOW",
                    time=_hm(punch),
                    start=f"{policy.window_start:%H:%M}",
                    end=f"{policy.window_end:%H:%M}",
                )
            )
    if result.status == "TK":
        reasons.append(Reason.of("TK"))
        reasons.append(Reason.of("MEAL_NO_STATUS", status="TK"))
        return tuple(reasons)
    reasons.append(_side_reason(result, morning=True))
    reasons.append(_side_reason(result, morning=False))
    reasons.append(Reason.of("MEAL_YES") if result.meal else Reason.of("MEAL_NO_PUNCH"))
    return tuple(reasons)


def _side_reason(result: DayResult, *, morning: bool) -> Reason:
    s = result.schedule
    punch = result.datang if morning else result.pulang
    scheduled = s.start_min if morning else s.end_min
    waiver = (
        next((w for w in result.waivers if (w.pagi if morning else w.sore)), None)
        if result.waivers
        else None
    )
    shown = "—" if punch is None else _hm(punch)
    if waiver is not None:
        code = "WAIVED_PAGI" if morning else "WAIVED_SORE"
        return Reason.of(code, kind=waiver.kind, ref=waiver.ref, time=shown)
    minutes = result.tl_minutes if morning else result.psw_minutes
    cls = result.tl_class if morning else result.psw_class
    if punch is None:
        return Reason.of("NO_CHECKIN" if morning else "NO_CHECKOUT", minutes=minutes, cls=cls)
    label = {"start" if morning else "end": _clock(scheduled)}
    raw = result.off_timetable(morning=morning)
    if minutes == 0:
        return Reason.of("ON_TIME" if morning else "ON_TIME_LEAVE", time=shown, **label)
    if raw > minutes:
        return Reason.of(
            "LATE_CAPPED" if morning else "EARLY_CAPPED",
            time=shown,
            raw=raw,
            minutes=minutes,
            cls=cls,
            **label,
        )
    return Reason.of("LATE" if morning else "EARLY", time=shown, minutes=minutes, cls=cls, **label)
