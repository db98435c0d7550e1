"""The yearly discipline standing: PP 94/2021 as applied by the circular §5 (DOMAIN.md §5).

**Days not at work** in a calendar year = ``TK`` days + ⌊(TL + PSW minutes after waivers) ÷ the
policy's day minutes⌋. The ladder maps that count to a proposed sanction; separately, a run of
``streak_days`` consecutive *working* days of ``TK`` proposes dismissal whatever the total. The
result also names the next threshold, so the employee is warned before reaching it ("1 hari lagi
→ teguran tertulis", as DOMAIN.md §5 words it). The library proposes; a person decides.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from hadir.rules.day import DayFacts
from hadir.rules.explain import Reason
from hadir.rules.policy import DEFAULT_POLICY, Policy, Sanction

DISMISSAL = "PEMBERHENTIAN"
"""The sanction a long enough run of TK proposes (circular §5c, last item)."""


@dataclass(frozen=True, slots=True)
class Threshold:
    """The next sanction and how many more days reach it (``streak``: consecutive TK days)."""

    sanction_id: str
    days_left: int
    streak: bool = False
    months: int = 0
    """How long the sanction lasts (the ladder's; 0 for a reprimand or a dismissal): three
    rungs share the name "pemotongan TUKIN", and a warning must say which one comes."""

    @property
    def reason(self) -> Reason:
        """The warning, e.g. "1 hari lagi → teguran tertulis"."""
        if self.streak:
            return Reason.of("NEXT_STREAK", days=self.days_left, sanction=self.sanction_id)
        if self.months:
            return Reason.of(
                "NEXT_FOR", days=self.days_left, sanction=self.sanction_id, months=self.months
            )
        return Reason.of("NEXT", days=self.days_left, sanction=self.sanction_id)


@dataclass(frozen=True, slots=True)
class TkStreaks:
    """Runs of consecutive working days of TK: the longest, and the one still open at the end."""

    longest: int
    current: int


@dataclass(frozen=True, slots=True)
class TkRuns:
    """The TK runs of a stretch of consecutive dates (a month), joinable with the next stretch.

    A year's streaks are the months' runs joined in order, so a recap reads one row per month
    instead of every day. ``head`` is the run before the first break, ``tail`` the run open at
    the end; ``broken`` says whether anything (a working day not TK, a missing date) broke the
    run inside, and when nothing did, ``head`` and ``tail`` are the whole stretch.
    """

    first: date | None = None
    last: date | None = None
    head: int = 0
    longest: int = 0
    tail: int = 0
    broken: bool = False

    def then(self, later: TkRuns) -> TkRuns:
        """These runs followed by ``later``'s (which must start after this stretch ends)."""
        if self.last is None:
            return later
        if later.first is None:
            return self
        gap = (later.first - self.last).days
        if gap < 1:
            raise ValueError(f"rentang tumpang tindih pada {later.first.isoformat()}")
        if gap > 1:  # a missing date between the stretches breaks the run
            return TkRuns(self.first, later.last, self.head,
                          max(self.longest, later.longest), later.tail, True)  # fmt: skip
        # The run across the seam. ``if later.head``: a stretch carried in from the year
        # before (:meth:`carried`) has a tail longer than its longest, which alone counts for
        # nothing this year; for any other stretch tail <= longest, and the guard changes nothing.
        joined = self.tail + later.head if later.head else 0
        return TkRuns(
            first=self.first,
            last=later.last,
            head=self.head if self.broken else self.head + later.head,
            longest=max(self.longest, later.longest, joined),
            tail=later.tail if later.broken else self.tail + later.tail,
            broken=self.broken or later.broken,
        )

    @property
    def streaks(self) -> TkStreaks:
        return TkStreaks(self.longest, self.tail)

    def carried(self) -> TkRuns:
        """The run still open at the end of this stretch, alone: what a year hands the next.
        The rungs count TK days within a calendar year, but "10 consecutive working days of TK"
        holds "whatever the yearly total" (DOMAIN.md §5): a run from 20 December to 5 January
        is one run. The year before counts for nothing else, so nothing else is kept."""
        if self.last is None or not self.tail:
            return TkRuns()
        return TkRuns(self.last, self.last, 0, 0, self.tail, True)


@dataclass(frozen=True, slots=True)
class YearSummary:
    """An employee's standing for a calendar year (or the part of it evaluated so far)."""

    tk_days: int
    tl_psw_minutes: int
    days_absent: int
    streaks: TkStreaks
    sanction: Sanction | None
    by_streak: bool
    next_threshold: Threshold | None
    streak_threshold: Threshold | None
    policy: Policy

    @property
    def reasons(self) -> tuple[Reason, ...]:
        """The count of days, the longest run, the proposed sanction and the warnings."""
        policy = self.policy
        reasons = [
            Reason.of(
                "Y_DAYS",
                tk=self.tk_days,
                minutes=self.tl_psw_minutes,
                day=policy.day_minutes,
                days=self.days_absent,
            )
        ]
        if self.streaks.longest:
            reasons.append(Reason.of("Y_STREAK", days=self.streaks.longest))
        sanction = self.sanction
        if sanction is None:
            reasons.append(Reason.of("Y_NO_SANCTION"))
        elif self.by_streak:
            reasons.append(
                Reason.of(
                    "Y_SANCTION_STREAK",
                    days=self.streaks.longest,
                    limit=policy.streak_days,
                    sanction=sanction.id,
                )
            )
        else:
            reasons.append(Reason.of("Y_SANCTION", sanction=sanction.id, level=sanction.level))
            if sanction.level == "sedang":
                reasons.append(
                    Reason.of("Y_SANCTION_CUT", pct=policy.sedang_extra_pct, months=sanction.months)
                )
            elif sanction.months:
                reasons.append(Reason.of("Y_SANCTION_MONTHS", months=sanction.months))
        for threshold in (self.next_threshold, self.streak_threshold):
            if threshold is not None:
                reasons.append(threshold.reason)
        return tuple(reasons)


def sanction_for(days_absent: int, policy: Policy = DEFAULT_POLICY) -> Sanction | None:
    """The ladder rung for a yearly count of days not at work (``None`` below the first)."""
    found: Sanction | None = None
    for rung in policy.ladder:
        if days_absent >= rung.min_days:
            found = rung
    return found


def tk_streaks(days: Iterable[DayFacts]) -> TkStreaks:
    """Longest and current run of consecutive working days with status ``TK``.

    Non-working days (weekends, holidays) in between neither break nor extend a run; a working
    day with any other status breaks it. A date missing from ``days`` breaks it too: an
    unevaluated day is not evidence of absence, and dismissal must not rest on a guess.
    Two results for the same date raise ``ValueError``.
    """
    return tk_runs(days).streaks


def tk_runs(days: Iterable[DayFacts]) -> TkRuns:
    """The TK runs of ``days`` (see :func:`tk_streaks` for what breaks a run)."""
    ordered = sorted(days, key=lambda r: r.day)
    if not ordered:
        return TkRuns()
    run = longest = 0
    head: int | None = None
    previous = None
    for result in ordered:
        if previous is not None:
            gap = (result.day - previous).days
            if gap == 0:
                raise ValueError(f"dua hasil untuk tanggal {result.day.isoformat()}")
            if gap > 1:
                head = run if head is None else head
                run = 0
        previous = result.day
        if not result.working:
            continue
        if result.status == "TK":
            run += 1
            longest = max(longest, run)
        else:
            head = run if head is None else head
            run = 0
    return TkRuns(
        first=ordered[0].day,
        last=ordered[-1].day,
        head=run if head is None else head,
        longest=longest,
        tail=run,
        broken=head is not None,
    )


def year_summary(days: Iterable[DayFacts], policy: Policy = DEFAULT_POLICY) -> YearSummary:
    """The standing from a calendar year's day results (pass every evaluated day, in any order).

    Only ``H`` days carry TL/PSW minutes (``TK``, absences and ``LIBUR`` carry none), so the
    minutes are summed over all days.
    """
    results = list(days)
    return year_standing(
        tk_days=sum(1 for r in results if r.status == "TK"),
        minutes=sum(r.tl_minutes + r.psw_minutes for r in results),
        streaks=tk_streaks(results),
        policy=policy,
    )


def year_standing(
    *, tk_days: int, minutes: int, streaks: TkStreaks, policy: Policy = DEFAULT_POLICY
) -> YearSummary:
    """The standing from a year's totals: what :func:`year_summary` computes once it has counted.

    Recaps of many employees count TK days and minutes in the database and pass only those (and
    the TK runs of the few who have any), instead of every day of every employee.
    """
    days_absent = tk_days + minutes // policy.day_minutes
    top = policy.ladder[-1]
    by_streak = streaks.longest >= policy.streak_days
    sanction = policy.sanction(DISMISSAL) if by_streak else sanction_for(days_absent, policy)
    next_threshold = streak_threshold = None
    if sanction is None or sanction.id != top.id:
        position = 0 if sanction is None else policy.ladder.index(sanction) + 1
        rung = policy.ladder[position]
        next_threshold = Threshold(rung.id, rung.min_days - days_absent, months=rung.months)
        if streaks.current:
            streak_threshold = Threshold(
                DISMISSAL, policy.streak_days - streaks.current, streak=True
            )
    return YearSummary(
        tk_days=tk_days,
        tl_psw_minutes=minutes,
        days_absent=days_absent,
        streaks=streaks,
        sanction=sanction,
        by_streak=by_streak,
        next_threshold=next_threshold,
        streak_threshold=streak_threshold,
        policy=policy,
    )
