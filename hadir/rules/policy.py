"""Every figure of DOMAIN.md §3–5 as data: the :class:`Policy` the rules read.

Regulations change (the PMA on TUKIN deductions, the PMK on meal rates, a new circular), and a
region may apply different figures, so no rule holds a number: it asks the policy. The defaults
below are DOMAIN.md's and are the only percentage, rupiah and threshold literals of the library.

The Django side stores a policy as dated rows of ``key → text`` so an admin can edit one figure
with an ``effective_from`` date; :func:`policy_to_values` and :func:`policy_from_values` convert
between the two shapes. Value formats:

* integers (minutes, days, months): decimal digits, e.g. ``450``;
* percentages and rupiah: plain decimal strings, never exponent notation, e.g. ``1.25``,
  ``37000``;
* clock times: ``HH:MM`` (24 hours), e.g. ``06:00``;
* lists: comma-separated, e.g. ``30,60,90``;
* words (a golongan group, a sanction level): the word itself, e.g. ``III``, ``sedang``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, replace
from datetime import time
from decimal import Decimal
from itertools import pairwise
from types import MappingProxyType
from typing import Literal, get_args

from hadir.rules.explain import Invalid, Lang

Level = Literal["ringan", "sedang", "berat"]
LEVELS: tuple[Level, ...] = get_args(Level)

ABSENCE_CODES: tuple[str, ...] = ("DL", "CT", "CB", "CS", "CM", "CAP", "CLTN", "TB")
"""Full-day absences (ketidakhadiran) of DOMAIN.md §4 step 5, in display order."""

PNS_GROUPS: tuple[str, ...] = ("I", "II", "III", "IV")
PPPK_GRADES: tuple[str, ...] = (
    "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX",
    "X", "XI", "XII", "XIII", "XIV", "XV", "XVI", "XVII",
)  # fmt: skip

SANCTION_IDS: tuple[str, ...] = (
    "TEGURAN_LISAN",
    "TEGURAN_TERTULIS",
    "PERNYATAAN_TIDAK_PUAS",
    "TUKIN_25_6",
    "TUKIN_25_9",
    "TUKIN_25_12",
    "PENURUNAN_JABATAN",
    "PEMBEBASAN_JABATAN",
    "PEMBERHENTIAN",
)
"""The PP 94/2021 ladder of the circular §5, mildest first; the ids are stable API."""

CLASSES = 4
"""TL/PSW classes 1–4 (DOMAIN.md §4 step 4); the bounds between them are policy."""


class PolicyError(Invalid):
    """A policy figure that cannot be used; ``key`` names it as in :func:`policy_to_values`,
    and every message of :data:`~hadir.rules.explain.MESSAGES` it draws on starts with it."""

    def __init__(self, key: str, code: str, /, **params: object) -> None:
        super().__init__(code, key=key, **params)
        self.key = key


@dataclass(frozen=True, slots=True)
class Sanction:
    """One rung of the discipline ladder: reached from ``min_days`` days not at work a year.

    The rung ends where the next one starts. ``months`` is how long it lasts (0 when it has no
    duration, like a reprimand or a dismissal).
    """

    id: str
    level: Level
    min_days: int
    months: int


def _d(text: str) -> Decimal:
    return Decimal(text)


def _default_ladder() -> tuple[Sanction, ...]:
    return (
        Sanction("TEGURAN_LISAN", "ringan", 3, 0),
        Sanction("TEGURAN_TERTULIS", "ringan", 4, 0),
        Sanction("PERNYATAAN_TIDAK_PUAS", "ringan", 7, 0),
        Sanction("TUKIN_25_6", "sedang", 11, 6),
        Sanction("TUKIN_25_9", "sedang", 14, 9),
        Sanction("TUKIN_25_12", "sedang", 17, 12),
        Sanction("PENURUNAN_JABATAN", "berat", 21, 12),
        Sanction("PEMBEBASAN_JABATAN", "berat", 25, 12),
        Sanction("PEMBERHENTIAN", "berat", 28, 0),
    )


def _default_absence_pct() -> Mapping[str, Decimal]:
    values = dict.fromkeys(ABSENCE_CODES, _d("0"))
    values["CLTN"] = _d("100")
    return MappingProxyType(values)


def _default_meal_rate() -> Mapping[str, Decimal]:
    return MappingProxyType(
        {"I": _d("35000"), "II": _d("35000"), "III": _d("37000"), "IV": _d("41000")}
    )


def _default_meal_tax() -> Mapping[str, Decimal]:
    return MappingProxyType({"I": _d("0"), "II": _d("0"), "III": _d("5"), "IV": _d("15")})


def _default_pppk_group() -> Mapping[str, str]:
    groups = ("I",) * 4 + ("II",) * 4 + ("III",) * 4 + ("IV",) * 5
    return MappingProxyType(dict(zip(PPPK_GRADES, groups, strict=True)))


def _default_pct4(*values: str) -> Callable[[], tuple[Decimal, ...]]:
    return lambda: tuple(_d(v) for v in values)


@dataclass(frozen=True, slots=True)
class Policy:
    """The figures of DOMAIN.md §3–5. Build variants with ``dataclasses.replace`` or
    :func:`policy_from_values`; an inconsistent policy raises :class:`PolicyError` on creation.
    """

    window_start: time = time(6, 0)
    window_end: time = time(21, 0)
    day_minutes: int = 450
    missing_minutes: int = 225
    cap_minutes: int = 225
    class_bounds: tuple[int, ...] = (30, 60, 90)
    late_pct: tuple[Decimal, ...] = field(default_factory=_default_pct4("0.5", "1", "1.25", "1.5"))
    early_pct: tuple[Decimal, ...] = field(default_factory=_default_pct4("0.5", "1", "1.25", "1.5"))
    tk_day_pct: Decimal = field(default_factory=lambda: _d("3"))
    absence_pct: Mapping[str, Decimal] = field(default_factory=_default_absence_pct)
    deduction_cap_pct: Decimal = field(default_factory=lambda: _d("100"))
    meal_rate: Mapping[str, Decimal] = field(default_factory=_default_meal_rate)
    meal_tax_pct: Mapping[str, Decimal] = field(default_factory=_default_meal_tax)
    pppk_group: Mapping[str, str] = field(default_factory=_default_pppk_group)
    ladder: tuple[Sanction, ...] = field(default_factory=_default_ladder)
    streak_days: int = 10
    sedang_extra_pct: Decimal = field(default_factory=lambda: _d("25"))
    # Check-in plausibility (DOMAIN.md §6): a move of at least ``travel_min_m`` between two
    # punches faster than ``travel_max_kmh`` is impossible travel; shorter moves are GPS noise.
    travel_max_kmh: int = 150
    travel_min_m: int = 1000
    # Locations (DOMAIN.md §6): how wide a titik lokasi may be across (a circle's diameter, a
    # polygon's farthest two corners) and the poorest GPS accuracy one may accept. A campus is
    # a few hundred metres; a location wider than a town lets everyone check in from home.
    location_span_max_m: int = 2000
    accuracy_tolerance_max_m: int = 500
    # Requests (DOMAIN.md §7): the evidence letter's size limit.
    evidence_max_kb: int = 300
    # Cuti tahunan (PP 11/2017): days a year, how many unused days carry into the next year, and
    # the ceiling after two or more years without taking any.
    leave_days: int = 12
    leave_carry_days: int = 6
    leave_cap_after_two_years: int = 24
    # Period closing (DOMAIN.md §8): a month can be closed this many days after it ends, once
    # the window for requests about it has passed.
    close_after_days: int = 5
    # A request (or an imported excuse) reaches at most this many years past its start and past
    # today: the longest leave (CLTN, tugas belajar) fits; a mistyped year 9999 or 2200 does not.
    request_years_at_most: int = 5

    # Derived once so the per-day evaluation does integer comparisons only.
    window_start_min: int = field(init=False, repr=False, compare=False)
    window_end_min: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        for name in ("absence_pct", "meal_rate", "meal_tax_pct", "pppk_group"):
            object.__setattr__(self, name, MappingProxyType(dict(getattr(self, name))))
        _validate(self)
        object.__setattr__(
            self, "window_start_min", self.window_start.hour * 60 + self.window_start.minute
        )
        object.__setattr__(
            self, "window_end_min", self.window_end.hour * 60 + self.window_end.minute
        )

    def __hash__(self) -> int:
        return hash(tuple(sorted(policy_to_values(self).items())))

    def sanction(self, sanction_id: str) -> Sanction:
        """The ladder rung with this id (``KeyError`` for an unknown id)."""
        for rung in self.ladder:
            if rung.id == sanction_id:
                return rung
        raise KeyError(sanction_id)

    def class_of(self, minutes: int) -> int:
        """The TL/PSW class of a number of minutes: 0 for none, 1–4 (DOMAIN.md §4 step 4)."""
        if minutes <= 0:
            return 0
        for index, bound in enumerate(self.class_bounds):
            if minutes <= bound:
                return index + 1
        return CLASSES


def _validate(p: Policy) -> None:
    """Refuse figures the rules cannot honour, naming the key the admin has to fix."""
    if not p.window_start < p.window_end:
        raise PolicyError("window.end", "POLICY_NOT_AFTER", other="window.start")
    if p.day_minutes <= 0:
        raise PolicyError("day.minutes", "POLICY_NOT_POSITIVE")
    if p.cap_minutes <= 0:
        raise PolicyError("cap.minutes", "POLICY_NOT_POSITIVE")
    if p.missing_minutes < p.cap_minutes:
        # Otherwise a missing punch would cost less than a late one: punching would not pay.
        raise PolicyError("missing.minutes", "POLICY_BELOW", other="cap.minutes")
    bounds = p.class_bounds
    if len(bounds) != CLASSES - 1:
        raise PolicyError("class.bounds", "POLICY_NUMBER_COUNT", count=CLASSES - 1)
    if bounds[0] <= 0 or any(a >= b for a, b in pairwise(bounds)):
        raise PolicyError("class.bounds", "POLICY_BOUNDS_ORDER")
    for side, values in (("late", p.late_pct), ("early", p.early_pct)):
        if len(values) != CLASSES:
            raise PolicyError(f"tukin.{side}", "POLICY_PCT_COUNT", count=CLASSES)
        for index, value in enumerate(values, start=1):
            _check_pct(f"tukin.{side}.{index}", value)
    _check_pct("tukin.tk_day", p.tk_day_pct)
    _check_pct("tukin.cap", p.deduction_cap_pct)
    _check_pct("discipline.sedang_pct", p.sedang_extra_pct)
    _check_keys("tukin.absence", p.absence_pct, ABSENCE_CODES)
    for code, value in p.absence_pct.items():
        _check_pct(f"tukin.absence.{code}", value)
    _check_keys("meal.rate", p.meal_rate, PNS_GROUPS)
    _check_keys("meal.tax", p.meal_tax_pct, PNS_GROUPS)
    for group in PNS_GROUPS:
        if p.meal_rate[group] < 0:
            raise PolicyError(f"meal.rate.{group}", "POLICY_NEGATIVE")
        if p.meal_rate[group] != p.meal_rate[group].to_integral_value():
            # Rates are whole rupiah in every regulation; a rate with cents would be shown
            # rounded beside a gross computed from the cents.
            raise PolicyError(f"meal.rate.{group}", "POLICY_WHOLE_RUPIAH")
        _check_pct(f"meal.tax.{group}", p.meal_tax_pct[group])
    _check_keys("pppk.group", p.pppk_group, PPPK_GRADES)
    for grade, group in p.pppk_group.items():
        if group not in PNS_GROUPS:
            raise PolicyError(
                f"pppk.group.{grade}",
                "POLICY_NOT_A_CHOICE",
                text=group,
                choices=_listed(PNS_GROUPS),
            )
    if tuple(rung.id for rung in p.ladder) != SANCTION_IDS:
        raise PolicyError("discipline", "POLICY_LADDER", expected=_listed(SANCTION_IDS))
    previous = 0
    for rung in p.ladder:
        if rung.min_days <= previous:
            raise PolicyError(f"discipline.from.{rung.id}", "POLICY_LADDER_ORDER")
        previous = rung.min_days
        if rung.months < 0:
            raise PolicyError(f"discipline.months.{rung.id}", "POLICY_NEGATIVE")
        if rung.level not in LEVELS:
            raise PolicyError(
                f"discipline.level.{rung.id}",
                "POLICY_NOT_A_CHOICE",
                text=rung.level,
                choices=_listed(LEVELS),
            )
    positive = {
        "discipline.streak_days": p.streak_days,
        "presence.travel_max_kmh": p.travel_max_kmh,
        "presence.location_span_max_m": p.location_span_max_m,
        "presence.accuracy_tolerance_max_m": p.accuracy_tolerance_max_m,
        "requests.evidence_max_kb": p.evidence_max_kb,
    }
    for key, figure in positive.items():
        if figure <= 0:
            raise PolicyError(key, "POLICY_NOT_POSITIVE")
    _check_ceilings(p)
    if p.leave_cap_after_two_years < p.leave_days + p.leave_carry_days:
        raise PolicyError(
            "leave.cap_after_two_years", "POLICY_BELOW", other="leave.days + leave.carry_days"
        )


DAYS_AT_MOST = 366
"""Counts of days are a year's at most: a date typed into one (20240406) would put a deadline
tens of thousands of years away, past any calendar."""
MINUTES_AT_MOST = 24 * 60
REQUEST_YEARS_AT_MOST = 100


def _check_ceilings(p: Policy) -> None:
    """Refuse counts no calendar can hold, naming the key."""
    days = {
        "recap.close_after_days": p.close_after_days,
        "discipline.streak_days": p.streak_days,
        "leave.days": p.leave_days,
        "leave.carry_days": p.leave_carry_days,
        "leave.cap_after_two_years": p.leave_cap_after_two_years,
        **{f"discipline.from.{rung.id}": rung.min_days for rung in p.ladder},
    }
    for key, value in days.items():
        if value > DAYS_AT_MOST:
            raise PolicyError(key, "POLICY_DAYS_AT_MOST", days=DAYS_AT_MOST)
    minutes = {
        "day.minutes": p.day_minutes,
        "cap.minutes": p.cap_minutes,
        "missing.minutes": p.missing_minutes,
    }
    for key, value in minutes.items():
        if value > MINUTES_AT_MOST:
            raise PolicyError(key, "POLICY_MINUTES_AT_MOST", minutes=MINUTES_AT_MOST)
    # Zero years would refuse every request of more than one day and every cuti ahead.
    if not 1 <= p.request_years_at_most <= REQUEST_YEARS_AT_MOST:
        raise PolicyError(
            "requests.years_at_most", "POLICY_YEARS_BETWEEN", low=1, high=REQUEST_YEARS_AT_MOST
        )


def _check_pct(key: str, value: Decimal) -> None:
    if not 0 <= value <= 100:
        raise PolicyError(key, "POLICY_PCT_RANGE")


def _listed(names: tuple[str, ...]) -> str:
    return ", ".join(names)


def _check_keys(prefix: str, mapping: Mapping[str, object], expected: tuple[str, ...]) -> None:
    if set(mapping) != set(expected):
        raise PolicyError(prefix, "POLICY_KEYS", expected=_listed(expected))


DEFAULT_POLICY = Policy()
"""DOMAIN.md §3–5 as written (1 March 2024 circular, PMA 11/2019, PMK 2024–2026, PP 94/2021)."""


# --- the flat key/value form ---------------------------------------------------------------

_INT_RE = re.compile(r"[0-9]+")
_DEC_RE = re.compile(r"[0-9]+(\.[0-9]+)?")
_TIME_RE = re.compile(r"([01][0-9]|2[0-3]):([0-5][0-9])")


def _fmt_dec(value: Decimal) -> str:
    return format(value, "f")


def _fmt_time(value: time) -> str:
    return f"{value.hour:02d}:{value.minute:02d}"


def _parse_int(key: str, text: str) -> int:
    if not _INT_RE.fullmatch(text):
        raise PolicyError(key, "POLICY_NOT_INTEGER", text=text)
    return int(text)


def _parse_dec(key: str, text: str) -> Decimal:
    """Digits with an optional fraction: no sign, exponent, NaN or comma, so every value an admin
    can type reads back exactly as written."""
    if not _DEC_RE.fullmatch(text):
        raise PolicyError(key, "POLICY_NOT_DECIMAL", text=text)
    return Decimal(text)


def _parse_time(key: str, text: str) -> time:
    match = _TIME_RE.fullmatch(text)
    if match is None:
        raise PolicyError(key, "POLICY_NOT_TIME", text=text)
    return time(int(match[1]), int(match[2]))


def _parse_ints(key: str, text: str) -> tuple[int, ...]:
    return tuple(_parse_int(key, part.strip()) for part in text.split(","))


def _parse_word(choices: tuple[str, ...]) -> Callable[[str, str], str]:
    def parse(key: str, text: str) -> str:
        if text not in choices:
            raise PolicyError(key, "POLICY_NOT_A_CHOICE", text=text, choices=_listed(choices))
        return text

    return parse


@dataclass(frozen=True, slots=True)
class _Key:
    """How one flat key reads from and writes into a :class:`Policy`."""

    description: tuple[str, str]
    """Indonesian, English."""
    get: Callable[[Policy], str]
    set: Callable[[dict[str, object], str, str], None]


def _scalar(
    name: str, parse: Callable[[str, str], object], fmt: Callable[[object], str]
) -> tuple[Callable[[Policy], str], Callable[[dict[str, object], str, str], None]]:
    def get(p: Policy) -> str:
        return fmt(getattr(p, name))

    def put(changes: dict[str, object], key: str, text: str) -> None:
        changes[name] = parse(key, text)

    return get, put


def _item(
    name: str, index: int | str, parse: Callable[[str, str], object], fmt: Callable[[object], str]
) -> tuple[Callable[[Policy], str], Callable[[dict[str, object], str, str], None]]:
    """A key for one entry of a tuple (by position) or a mapping (by name) field."""

    def get(p: Policy) -> str:
        container = getattr(p, name)
        return fmt(container[index])

    def put(changes: dict[str, object], key: str, text: str) -> None:
        current = changes[name]
        value = parse(key, text)
        if isinstance(index, int):
            items = list(current)  # type: ignore[call-overload]
            items[index] = value
            changes[name] = tuple(items)
        else:
            updated = dict(current)  # type: ignore[call-overload]
            updated[index] = value
            changes[name] = updated

    return get, put


def _rung(
    sanction_id: str, attr: str, parse: Callable[[str, str], object], fmt: Callable[[object], str]
) -> tuple[Callable[[Policy], str], Callable[[dict[str, object], str, str], None]]:
    def get(p: Policy) -> str:
        return fmt(getattr(p.sanction(sanction_id), attr))

    def put(changes: dict[str, object], key: str, text: str) -> None:
        ladder: tuple[Sanction, ...] = changes["ladder"]  # type: ignore[assignment]
        value = parse(key, text)
        changes["ladder"] = tuple(
            _with(rung, attr, value) if rung.id == sanction_id else rung for rung in ladder
        )

    return get, put


def _with(rung: Sanction, attr: str, value: object) -> Sanction:
    return replace(rung, **{attr: value})  # type: ignore[arg-type]


def _build_keys() -> dict[str, _Key]:
    as_str: Callable[[object], str] = str
    as_dec: Callable[[object], str] = _fmt_dec  # type: ignore[assignment]
    as_time: Callable[[object], str] = _fmt_time  # type: ignore[assignment]

    def as_list(value: object) -> str:
        return ",".join(str(v) for v in value)  # type: ignore[attr-defined]

    keys: dict[str, _Key] = {}

    def add(
        key: str,
        description: tuple[str, str],
        accessors: tuple[Callable[[Policy], str], Callable[[dict[str, object], str, str], None]],
    ) -> None:
        keys[key] = _Key(description, *accessors)

    add(
        "window.start",
        (
            "Awal rentang presensi (HH:MM, waktu setempat)",
            "Start of the attendance window (HH:MM, local time)",
        ),
        _scalar("window_start", _parse_time, as_time),
    )
    add(
        "window.end",
        (
            "Akhir rentang presensi, tidak termasuk (HH:MM)",
            "End of the attendance window, exclusive (HH:MM)",
        ),
        _scalar("window_end", _parse_time, as_time),
    )
    add(
        "day.minutes",
        ("Menit satu hari kerja (7,5 jam)", "Minutes of one working day (7.5 hours)"),
        _scalar("day_minutes", _parse_int, as_str),
    )
    add(
        "missing.minutes",
        (
            "Menit TL/PSW bila presensi datang/pulang tidak ada",
            "TL/PSW minutes when the check-in or check-out is missing",
        ),
        _scalar("missing_minutes", _parse_int, as_str),
    )
    add(
        "cap.minutes",
        ("Batas menit TL dan PSW per sisi per hari", "Cap on TL and PSW minutes, per side per day"),
        _scalar("cap_minutes", _parse_int, as_str),
    )
    add(
        "class.bounds",
        (
            "Batas atas menit kelas 1, 2, 3 (dipisah koma); di atasnya kelas 4",
            "Upper minutes of classes 1, 2, 3 (comma-separated); above them class 4",
        ),
        _scalar("class_bounds", _parse_ints, as_list),
    )
    for index in range(CLASSES):
        add(
            f"tukin.late.{index + 1}",
            (
                f"Potongan TUKIN (%) per hari terlambat kelas TL{index + 1}",
                f"TUKIN deduction (%) per day late in class TL{index + 1}",
            ),
            _item("late_pct", index, _parse_dec, as_dec),
        )
    for index in range(CLASSES):
        add(
            f"tukin.early.{index + 1}",
            (
                f"Potongan TUKIN (%) per hari pulang sebelum waktunya kelas PSW{index + 1}",
                f"TUKIN deduction (%) per day of early leave in class PSW{index + 1}",
            ),
            _item("early_pct", index, _parse_dec, as_dec),
        )
    add(
        "tukin.tk_day",
        ("Potongan TUKIN (%) per hari TK", "TUKIN deduction (%) per day of TK"),
        _scalar("tk_day_pct", _parse_dec, as_dec),
    )
    for code in ABSENCE_CODES:
        add(
            f"tukin.absence.{code}",
            (
                f"Potongan TUKIN (%) per hari ketidakhadiran {code}",
                f"TUKIN deduction (%) per day of absence {code}",
            ),
            _item("absence_pct", code, _parse_dec, as_dec),
        )
    add(
        "tukin.cap",
        ("Batas potongan TUKIN sebulan (%)", "Cap on a month's TUKIN deduction (%)"),
        _scalar("deduction_cap_pct", _parse_dec, as_dec),
    )
    for group in PNS_GROUPS:
        add(
            f"meal.rate.{group}",
            (
                f"Uang makan per hari golongan {group} (Rp)",
                f"Meal allowance per day, golongan {group} (Rp)",
            ),
            _item("meal_rate", group, _parse_dec, as_dec),
        )
    for group in PNS_GROUPS:
        add(
            f"meal.tax.{group}",
            (
                f"PPh 21 uang makan golongan {group} (%)",
                f"PPh 21 on the meal allowance, golongan {group} (%)",
            ),
            _item("meal_tax_pct", group, _parse_dec, as_dec),
        )
    for grade in PPPK_GRADES:
        add(
            f"pppk.group.{grade}",
            (
                f"Golongan PNS yang setara PPPK {grade} untuk uang makan",
                f"PNS golongan equal to PPPK {grade} for the meal allowance",
            ),
            _item("pppk_group", grade, _parse_word(PNS_GROUPS), as_str),
        )
    for sanction_id in SANCTION_IDS:
        add(
            f"discipline.from.{sanction_id}",
            (
                f"Hari tidak masuk kerja setahun mulai sanksi {sanction_id}",
                f"Days not at work in a year from which {sanction_id} applies",
            ),
            _rung(sanction_id, "min_days", _parse_int, as_str),
        )
        add(
            f"discipline.months.{sanction_id}",
            (
                f"Lama sanksi {sanction_id} (bulan; 0 = tanpa jangka waktu)",
                f"Length of {sanction_id} (months; 0 = without a term)",
            ),
            _rung(sanction_id, "months", _parse_int, as_str),
        )
        add(
            f"discipline.level.{sanction_id}",
            (
                f"Tingkat hukuman disiplin {sanction_id} (ringan/sedang/berat)",
                f"Discipline level of {sanction_id} (ringan/sedang/berat)",
            ),
            _rung(sanction_id, "level", _parse_word(LEVELS), as_str),
        )
    add(
        "discipline.streak_days",
        (
            "Hari kerja TK berturut-turut yang berujung pemberhentian",
            "Consecutive working days of TK that lead to dismissal",
        ),
        _scalar("streak_days", _parse_int, as_str),
    )
    add(
        "discipline.sedang_pct",
        (
            "Potongan TUKIN (%) tambahan selama sanksi tingkat sedang",
            "Extra TUKIN deduction (%) while a sedang-level sanction lasts",
        ),
        _scalar("sedang_extra_pct", _parse_dec, as_dec),
    )
    add(
        "presence.travel_max_kmh",
        (
            "Kecepatan (km/jam) antar-presensi yang dianggap perjalanan mustahil",
            "Speed (km/h) between punches taken as impossible travel",
        ),
        _scalar("travel_max_kmh", _parse_int, as_str),
    )
    add(
        "presence.travel_min_m",
        (
            "Jarak (m) antar-presensi di bawahnya selisih posisi dianggap derau GPS",
            "Distance (m) between punches below which a change of position is GPS noise",
        ),
        _scalar("travel_min_m", _parse_int, as_str),
    )
    add(
        "presence.location_span_max_m",
        (
            "Lebar terbesar satu titik lokasi (m): garis tengah lingkaran, jarak terjauh sudut poligon",
            "Largest width of one location (m): a circle's diameter, a polygon's farthest corners",
        ),
        _scalar("location_span_max_m", _parse_int, as_str),
    )
    add(
        "presence.accuracy_tolerance_max_m",
        (
            "Toleransi akurasi GPS terbesar yang boleh diberikan satu titik lokasi (m)",
            "Largest GPS-accuracy tolerance one location may grant (m)",
        ),
        _scalar("accuracy_tolerance_max_m", _parse_int, as_str),
    )
    add(
        "requests.evidence_max_kb",
        ("Ukuran maksimum surat bukti PDF (KB)", "Largest PDF evidence letter (KB)"),
        _scalar("evidence_max_kb", _parse_int, as_str),
    )
    add(
        "leave.days",
        ("Hak cuti tahunan per tahun (hari kerja)", "Annual leave per year (working days)"),
        _scalar("leave_days", _parse_int, as_str),
    )
    add(
        "leave.carry_days",
        (
            "Sisa cuti tahunan yang dapat dibawa ke tahun berikutnya (hari kerja)",
            "Unused annual leave that carries over to the next year (working days)",
        ),
        _scalar("leave_carry_days", _parse_int, as_str),
    )
    add(
        "leave.cap_after_two_years",
        (
            "Batas cuti tahunan setelah dua tahun atau lebih tidak diambil (hari kerja)",
            "Cap on annual leave after two or more years not taken (working days)",
        ),
        _scalar("leave_cap_after_two_years", _parse_int, as_str),
    )
    add(
        "recap.close_after_days",
        (
            "Hari setelah akhir bulan sebelum periode dapat ditutup (batas laporan)",
            "Days after the month ends before it can be closed (the reporting deadline)",
        ),
        _scalar("close_after_days", _parse_int, as_str),
    )
    add(
        "requests.years_at_most",
        (
            "Rentang terpanjang satu laporan, dan sejauh apa ke depan (tahun)",
            "Longest span of one request, and how far ahead (years)",
        ),
        _scalar("request_years_at_most", _parse_int, as_str),
    )
    return keys


_KEYS = _build_keys()


def policy_to_values(policy: Policy) -> dict[str, str]:
    """The policy as flat ``key → text`` pairs, one per figure (see the module docstring)."""
    return {key: spec.get(policy) for key, spec in _KEYS.items()}


def policy_from_values(values: Mapping[str, str], base: Policy = DEFAULT_POLICY) -> Policy:
    """``base`` with the figures of ``values`` replaced; keys not given keep ``base``'s value.

    Raises :class:`PolicyError` naming the first key that is unknown, unparsable, or that makes
    the policy inconsistent (for example class bounds that do not increase).
    """
    changes: dict[str, object] = {f.name: getattr(base, f.name) for f in fields(Policy) if f.init}
    for key in sorted(values):
        spec = _KEYS.get(key)
        if spec is None:
            raise PolicyError(key, "POLICY_UNKNOWN_KEY")
        spec.set(changes, key, values[key].strip())
    return Policy(**changes)  # type: ignore[arg-type]


MONTHLY_KEY_PREFIXES = ("tukin.", "meal.", "discipline.", "pppk.")
MONTHLY_KEYS = ("day.minutes",)
"""The figures a month's recap applies once, as in force on the month's last day: TUKIN
percentages and cap, meal rates and tax, the discipline ladder and the length of a day that
turns minutes into days not at work, the PPPK meal groups. A change of one takes effect from
the first of a month, or a month would be priced half at a figure that was not yet (or no
longer) in force."""


def is_monthly_key(key: str) -> bool:
    return key.startswith(MONTHLY_KEY_PREFIXES) or key in MONTHLY_KEYS


def describe_policy_keys(lang: Lang = "id") -> dict[str, str]:
    """A short description of every key in Indonesian or English, for the admin's policy
    table."""
    return {key: spec.description[1 if lang == "en" else 0] for key, spec in _KEYS.items()}
