"""Evaluating one employee-day, row by row of DOMAIN.md §4."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta

import pytest

from hadir.rules.day import Absence, Waiver, evaluate_day
from hadir.rules.patterns import DEFAULT_PATTERNS, RAMADAN_HOURS, SpecialPeriod
from hadir.rules.policy import DEFAULT_POLICY

from .support import MONDAY, WIB, WIT, WITA, at, day_result, schedule, texts, weekday

FRIDAY = weekday(4)
SATURDAY = weekday(5)
SUNDAY = weekday(6)
NYEPI = date(2024, 3, 11)


# --- TL: datang against the start (KANTOR_5H Monday, 07:30–16:00, pivot 11:45) ---


@pytest.mark.parametrize(
    ("datang", "minutes", "cls"),
    [
        ("06:00", 0, 0),
        ("07:29", 0, 0),
        ("07:30", 0, 0),
        ("07:30:59", 0, 0),  # truncated to 07:30: on time
        ("07:31", 1, 1),
        ("08:00", 30, 1),
        ("08:00:59", 30, 1),
        ("08:01", 31, 2),
        ("08:30", 60, 2),
        ("08:31", 61, 3),
        ("09:00", 90, 3),
        ("09:01", 91, 4),
        ("11:15", 225, 4),
        ("11:16", 225, 4),  # 226 minutes late, capped at half a day
        ("11:44:59", 225, 4),
    ],
)
def test_lateness_is_measured_in_whole_minutes_and_classed(
    datang: str, minutes: int, cls: int
) -> None:
    result = day_result(datang, "16:00")
    assert result.status == "H"
    assert (result.tl_minutes, result.tl_class) == (minutes, cls)
    assert (result.psw_minutes, result.psw_class) == (0, 0)
    assert result.meal


@pytest.mark.parametrize(
    ("pulang", "minutes", "cls"),
    [
        ("20:59", 0, 0),
        ("16:30", 0, 0),
        ("16:00", 0, 0),
        ("16:00:59", 0, 0),
        ("15:59:59", 1, 1),  # truncated to 15:59: one minute early
        ("15:30", 30, 1),
        ("15:29", 31, 2),
        ("15:00", 60, 2),
        ("14:59", 61, 3),
        ("14:30", 90, 3),
        ("14:29", 91, 4),
        ("12:15", 225, 4),
        ("11:45", 225, 4),  # 255 minutes early, capped
    ],
)
def test_early_leave_is_measured_in_whole_minutes_and_classed(
    pulang: str, minutes: int, cls: int
) -> None:
    result = day_result("07:30", pulang)
    assert (result.psw_minutes, result.psw_class) == (minutes, cls)
    assert (result.tl_minutes, result.tl_class) == (0, 0)


def test_missing_checkin_counts_as_tl4_of_225_minutes() -> None:
    result = day_result("16:00")
    assert result.status == "H"
    assert result.datang is None
    assert (result.tl_minutes, result.tl_class) == (225, 4)
    assert not result.meal


def test_missing_checkout_counts_as_psw4() -> None:
    result = day_result("07:30")
    assert result.pulang is None
    assert (result.psw_minutes, result.psw_class) == (225, 4)
    assert not result.meal


def test_a_punch_at_the_pivot_is_a_checkout() -> None:
    result = day_result("11:45")
    assert result.datang is None
    assert result.pulang == at(MONDAY, "11:45")
    assert (result.tl_minutes, result.psw_minutes) == (225, 225)


def test_a_punch_a_minute_before_the_pivot_is_a_checkin() -> None:
    result = day_result("11:44")
    assert result.datang == at(MONDAY, "11:44")
    assert result.pulang is None


def test_seconds_do_not_move_a_punch_across_the_pivot() -> None:
    assert day_result("11:44:59").datang is not None
    assert day_result("11:45:00").pulang is not None


def test_friday_pivot_is_noon_for_the_office() -> None:
    assert day_result("11:59", day=FRIDAY).datang is not None
    assert day_result("12:00", day=FRIDAY).pulang is not None


def test_datang_is_the_earliest_checkin_and_pulang_the_latest_checkout() -> None:
    result = day_result("07:40", "07:20", "10:00", "12:00", "17:30", "16:05")
    assert result.datang == at(MONDAY, "07:20")
    assert result.pulang == at(MONDAY, "17:30")


def test_duplicate_punches_count_once() -> None:
    result = day_result("07:25", "07:25", "07:25")
    assert result.datang == at(MONDAY, "07:25")
    assert (result.tl_minutes, result.psw_minutes, result.psw_class) == (0, 225, 4)


def test_datang_and_pulang_keep_their_seconds_in_local_time() -> None:
    result = day_result("07:30:59", "16:00:10")
    assert result.datang == at(MONDAY, "07:30:59")
    assert result.datang is not None
    assert result.datang.tzinfo is WIB


# --- the presensi window 06:00 ≤ t < 21:00 ---


@pytest.mark.parametrize(
    ("punch", "counts"),
    [
        ("05:59", False),
        ("05:59:59", False),
        ("06:00", True),
        ("06:00:00", True),
        ("20:59", True),
        ("20:59:59", True),
        ("21:00", False),
        ("23:30", False),
    ],
)
def test_only_punches_inside_the_window_count(punch: str, counts: bool) -> None:
    result = day_result(punch)
    assert result.status == ("H" if counts else "TK")
    assert (len(result.ignored) == 0) is counts


def test_a_punch_before_the_window_leaves_the_checkin_missing() -> None:
    result = day_result("05:59", "16:00")
    assert result.datang is None
    assert result.tl_minutes == 225
    assert [p.time() for p in result.ignored] == [time(5, 59)]


def test_a_punch_at_the_end_of_the_window_leaves_the_checkout_missing() -> None:
    result = day_result("07:30", "21:00")
    assert result.pulang is None
    assert result.psw_minutes == 225


def test_a_window_from_the_policy_is_honoured() -> None:
    policy = replace(DEFAULT_POLICY, window_start=time(7))
    assert day_result("06:30", "16:00", policy=policy).datang is None


# --- status TK and H ---


def test_no_punch_and_no_excuse_is_tk() -> None:
    result = day_result()
    assert result.status == "TK"
    assert (result.tl_minutes, result.psw_minutes, result.tl_class, result.psw_class) == (
        0,
        0,
        0,
        0,
    )
    assert not result.meal


def test_only_ignored_punches_is_still_tk() -> None:
    result = day_result("05:00", "22:00")
    assert result.status == "TK"
    assert len(result.ignored) == 2


def test_a_single_punch_is_not_tk() -> None:
    assert day_result("13:00").status == "H"


# --- every pattern on every weekday ---


@pytest.mark.parametrize("code", list(DEFAULT_PATTERNS))
@pytest.mark.parametrize("day", range(7))
def test_punching_at_start_and_end_is_a_clean_day_on_working_days_and_libur_otherwise(
    code: str, day: int
) -> None:
    hours = DEFAULT_PATTERNS[code].days[day]
    on = weekday(day)
    if hours is None:
        result = day_result("07:00", "16:00", day=on, code=code)
        assert result.status == "LIBUR"
        assert not result.working
    else:
        result = day_result(f"{hours.start:%H:%M}", f"{hours.end:%H:%M}", day=on, code=code)
        assert result.status == "H"
        assert result.working
        assert (result.tl_minutes, result.psw_minutes) == (0, 0)
        assert result.meal


@pytest.mark.parametrize(
    ("code", "day", "punches", "tl", "psw"),
    [
        ("KANTOR_5H", 4, ("07:31", "16:00"), 1, 30),  # Friday ends 16:30
        ("MADRASAH_5H", 4, ("07:00", "15:30"), 0, 30),  # Friday ends 16:00
        ("MADRASAH_5H", 0, ("07:31", "15:30"), 31, 0),
        ("MADRASAH_6H_MINGGU", 4, ("07:00", "11:00"), 0, 30),  # Friday ends 11:30
        ("MADRASAH_6H_MINGGU", 5, ("07:10", "14:30"), 10, 30),  # Saturday 07:00–15:00
        ("MADRASAH_6H_JUMAT", 5, ("07:00", "14:00"), 0, 30),  # Saturday 07:00–14:30
        ("MADRASAH_6H_JUMAT", 6, ("07:05", "12:30"), 5, 0),  # Sunday 07:00–12:30
        ("MADRASAH_6H_JUMAT", 6, ("09:45",), 225, 165),  # Sunday pivot 09:45 → a checkout
    ],
)
def test_weekday_specific_hours_are_used(
    code: str, day: int, punches: tuple[str, ...], tl: int, psw: int
) -> None:
    result = day_result(*punches, day=weekday(day), code=code)
    assert (result.tl_minutes, result.psw_minutes) == (tl, psw)


# --- non-working days ---


def test_punches_on_a_weekend_count_for_nothing_but_are_kept() -> None:
    result = day_result("07:30", "16:00", day=SATURDAY)
    assert result.status == "LIBUR"
    assert (result.datang, result.pulang, result.meal) == (None, None, False)
    assert result.ignored == (at(SATURDAY, "07:30"), at(SATURDAY, "16:00"))


def test_a_holiday_is_libur_even_with_punches() -> None:
    result = day_result("07:30", "16:00", day=NYEPI, holidays={NYEPI})
    assert result.status == "LIBUR"
    assert texts(result)[0] == "Senin, 11 Maret 2024: hari libur"


def test_an_absence_on_a_non_working_day_changes_nothing() -> None:
    leave = Absence("CT", SATURDAY, SUNDAY)
    assert day_result(day=SATURDAY, absences=[leave]).status == "LIBUR"
    assert (
        day_result(day=NYEPI, holidays={NYEPI}, absences=[Absence("CS", NYEPI, NYEPI)]).status
        == "LIBUR"
    )


# --- full-day absences ---


@pytest.mark.parametrize("code", ["DL", "CT", "CB", "CS", "CM", "CAP", "CLTN", "TB"])
def test_an_approved_absence_gives_its_code_and_no_minutes(code: str) -> None:
    result = day_result(absences=[Absence(code, MONDAY, MONDAY)])  # type: ignore[arg-type]
    assert result.status == code
    assert (result.tl_minutes, result.psw_minutes, result.tl_class, result.psw_class) == (
        0,
        0,
        0,
        0,
    )
    assert not result.meal


def test_an_absence_across_a_weekend_covers_only_the_working_days() -> None:
    leave = Absence("CT", FRIDAY, MONDAY + timedelta(days=7), ref="CT-001")
    statuses = [
        day_result(day=FRIDAY + timedelta(days=n), absences=[leave]).status for n in range(4)
    ]
    assert statuses == ["CT", "LIBUR", "LIBUR", "CT"]


def test_an_absence_outside_the_date_is_ignored() -> None:
    leave = Absence("CT", FRIDAY, FRIDAY)
    assert day_result(absences=[leave]).status == "TK"


def test_an_absence_wins_over_punches_and_waivers() -> None:
    result = day_result(
        "07:30",
        "16:00",
        absences=[Absence("DL", MONDAY, MONDAY)],
        waivers=[Waiver("IZIN", MONDAY, "PAGI")],
    )
    assert result.status == "DL"
    assert result.datang is None
    assert len(result.ignored) == 2


def test_overlapping_absences_resolve_the_same_way_in_any_order() -> None:
    dl = Absence("DL", MONDAY, MONDAY)
    ct = Absence("CT", MONDAY - timedelta(days=3), MONDAY)
    assert day_result(absences=[ct, dl]).status == "DL"
    assert day_result(absences=[dl, ct]).status == "DL"


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: Absence("XX", MONDAY, MONDAY), "ketidakhadiran 'XX'"),  # type: ignore[arg-type]
        (lambda: Absence("CT", MONDAY, FRIDAY - timedelta(days=7)), "sebelum tanggal mulai"),
        (lambda: Waiver("LEMBUR", MONDAY, "PAGI"), "pengaduan 'LEMBUR'"),  # type: ignore[arg-type]
        (lambda: Waiver("IZIN", MONDAY, "MALAM"), "sesi 'MALAM'"),  # type: ignore[arg-type]
    ],
)
def test_malformed_excuses_are_refused(build: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        build()  # type: ignore[operator]


# --- session waivers ---


@pytest.mark.parametrize("kind", ["TUGAS_LUAR", "SISTEM_ERROR", "IZIN"])
def test_a_morning_waiver_removes_lateness(kind: str) -> None:
    result = day_result("09:01", "16:00", waivers=[Waiver(kind, MONDAY, "PAGI")])  # type: ignore[arg-type]
    assert (result.tl_minutes, result.tl_class) == (0, 0)
    assert result.tl_waived
    assert not result.psw_waived
    assert result.meal


def test_a_morning_waiver_covers_a_missing_checkin() -> None:
    result = day_result("16:00", waivers=[Waiver("SISTEM_ERROR", MONDAY, "PAGI")])
    assert (result.status, result.tl_minutes, result.meal) == ("H", 0, True)


def test_an_afternoon_waiver_covers_a_missing_checkout() -> None:
    result = day_result("07:30", waivers=[Waiver("TUGAS_LUAR", MONDAY, "SORE")])
    assert (result.psw_minutes, result.psw_class, result.meal) == (0, 0, True)


def test_a_morning_waiver_alone_makes_the_day_h_with_psw4() -> None:
    result = day_result(waivers=[Waiver("IZIN", MONDAY, "PAGI")])
    assert result.status == "H"
    assert (result.tl_minutes, result.psw_minutes, result.psw_class) == (0, 225, 4)
    assert not result.meal


def test_a_both_sessions_waiver_without_punches_is_a_full_day_with_meal() -> None:
    result = day_result(waivers=[Waiver("TUGAS_LUAR", MONDAY, "PAGI_SORE")])
    assert (result.status, result.tl_minutes, result.psw_minutes, result.meal) == ("H", 0, 0, True)


def test_two_single_session_waivers_cover_both_sides() -> None:
    result = day_result(
        waivers=[Waiver("IZIN", MONDAY, "SORE"), Waiver("SISTEM_ERROR", MONDAY, "PAGI")]
    )
    assert (result.tl_minutes, result.psw_minutes, result.meal) == (0, 0, True)


def test_a_waiver_for_another_date_does_nothing() -> None:
    result = day_result(waivers=[Waiver("IZIN", FRIDAY, "PAGI_SORE")])
    assert result.status == "TK"
    assert result.waivers == ()


# --- time zones ---


def test_punches_are_read_in_the_units_time_zone_whatever_their_own() -> None:
    utc = [datetime(2024, 3, 3, 23, 35, tzinfo=UTC), datetime(2024, 3, 4, 8, 0, tzinfo=UTC)]
    wita = evaluate_day(schedule(), utc, tz=WITA)  # 07:35 and 16:00 WITA
    assert (wita.tl_minutes, wita.psw_minutes) == (5, 0)
    assert wita.datang == datetime(2024, 3, 4, 7, 35, tzinfo=WITA)


def test_a_wib_phone_punch_in_a_wita_unit_is_an_hour_later() -> None:
    result = evaluate_day(schedule(), [at(MONDAY, "06:30", WIB), at(MONDAY, "15:00", WIB)], tz=WITA)
    assert (result.tl_minutes, result.psw_minutes) == (0, 0)  # 07:30 and 16:00 WITA


def test_wit_is_two_hours_ahead_of_wib() -> None:
    result = evaluate_day(schedule(), [at(MONDAY, "05:45", WIB), at(MONDAY, "14:00", WIB)], tz=WIT)
    assert (result.tl_minutes, result.psw_minutes) == (15, 0)  # 07:45 and 16:00 WIT


def test_a_punch_on_another_local_date_is_ignored_and_explained() -> None:
    late_night_utc = datetime(2024, 3, 4, 21, 30, tzinfo=UTC)  # 06:30 on 5 March in WIT
    result = evaluate_day(schedule(), [late_night_utc], tz=WIT)
    assert result.status == "TK"
    assert "Presensi 2024-03-05 06:30 bukan pada tanggal ini (waktu setempat): diabaikan" in texts(
        result
    )


def test_the_window_is_checked_in_local_time() -> None:
    # 05:30 WIB is 06:30 WITA: inside the window for a WITA unit.
    result = evaluate_day(schedule(), [at(MONDAY, "05:30", WIB)], tz=WITA)
    assert result.datang is not None


def test_naive_punches_are_refused() -> None:
    naive = datetime(2024, 3, 4, 7, 30)
    with pytest.raises(ValueError, match="tanpa zona waktu"):
        evaluate_day(schedule(), [naive], tz=WIB)
    with pytest.raises(ValueError, match="tanpa zona waktu"):
        evaluate_day(schedule(SATURDAY), [naive], tz=WIB)


# --- explanations ---


def test_a_late_day_explains_itself_in_both_languages() -> None:
    result = day_result("09:01", "16:00")
    assert "Datang 09:01, jadwal 07:30: terlambat 91 menit (TL4)" in texts(result, "id")
    assert "Arrived 09:01, scheduled 07:30: 91 minutes late (TL4)" in texts(result, "en")


def test_every_kind_of_day_explains_itself() -> None:
    assert texts(day_result("07:30:59", "16:00")) == [
        "Jadwal 07:30–16:00; presensi sebelum 11:45 dihitung datang, sesudahnya pulang",
        "Datang 07:30, jadwal 07:30: tepat waktu",
        "Pulang 16:00, jadwal 16:00: tidak pulang sebelum waktunya",
        "Mendapat uang makan",
    ]
    assert texts(day_result("05:59", "11:30", "12:00"), "en") == [
        "Scheduled 07:30–16:00; punches before 11:45 count as check-in, after as check-out",
        "Punch at 05:59 outside the attendance window 06:00–21:00: ignored",
        "Arrived 11:30, scheduled 07:30: 240 minutes late, counted as 225 (TL4)",
        "Left 12:00, scheduled 16:00: 240 minutes early, counted as 225 (PSW4)",
        "Earns the meal allowance",
    ]
    assert texts(day_result("15:00"))[1:] == [
        "Tidak ada presensi datang: dihitung terlambat 225 menit (TL4)",
        "Pulang 15:00, jadwal 16:00: pulang 60 menit sebelum waktunya (PSW2)",
        "Tanpa uang makan: presensi datang dan pulang harus ada atau dikecualikan",
    ]
    assert (
        texts(day_result("07:45"), "en")[2] == "No check-out: counted as 225 minutes early (PSW4)"
    )
    assert texts(day_result())[1:] == [
        "Tidak ada presensi datang, presensi pulang, maupun keterangan sah: TK",
        "Tanpa uang makan: status TK",
    ]


def test_waivers_and_absences_explain_themselves() -> None:
    waived = day_result("09:01", waivers=[Waiver("IZIN", MONDAY, "PAGI_SORE", ref="B-12/2024")])
    assert texts(waived)[1:3] == [
        "Sesi pagi dikecualikan: izin (alibi), no. B-12/2024; datang 09:01, TL tidak dihitung",
        "Sesi sore dikecualikan: izin (alibi), no. B-12/2024; pulang —, PSW tidak dihitung",
    ]
    leave = day_result("07:30", absences=[Absence("CS", MONDAY, MONDAY)])
    assert texts(leave, "en")[1:] == [
        "Approved absence: sick leave (CS); no lateness or early leave",
        "1 punch(es) on an approved absence day not counted",
        "No meal allowance: status CS",
    ]
    assert texts(day_result(absences=[Absence("DL", MONDAY, MONDAY, ref="ST-9")]))[1] == (
        "Ketidakhadiran sah: dinas luar (DL, no. ST-9); tanpa TL/PSW"
    )


def test_a_special_period_explains_itself() -> None:
    ramadan = SpecialPeriod(
        "R", "Ramadan 1447 H", date(2026, 2, 18), date(2026, 3, 19), RAMADAN_HOURS
    )
    day = date(2026, 2, 23)
    sched = schedule(day, periods=[ramadan])
    result = evaluate_day(sched, [at(day, "08:10"), at(day, "15:00")], tz=WIB)
    assert (result.tl_minutes, result.psw_minutes) == (10, 0)
    assert texts(result)[:3] == [
        "Jadwal khusus Ramadan 1447 H (Rabu, 18 Februari 2026 s.d. Kamis, 19 Maret 2026)",
        "Jadwal 08:00–15:00; presensi sebelum 11:30 dihitung datang, sesudahnya pulang",
        "Datang 08:10, jadwal 08:00: terlambat 10 menit (TL1)",
    ]


def test_non_working_days_explain_themselves() -> None:
    assert texts(day_result("08:00", day=SUNDAY)) == [
        "Minggu, 10 Maret 2024: bukan hari kerja pola Kantor 5 hari kerja",
        "1 presensi pada hari libur disimpan, tidak dihitung",
    ]
    assert texts(day_result(day=SATURDAY), "en") == [
        "Saturday, 9 March 2024: not a working day of pattern Kantor 5 hari kerja"
    ]
