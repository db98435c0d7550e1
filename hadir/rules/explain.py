"""Reasons: how every result explains itself, in Indonesian and in English.

An employee who loses money or gets a warning must be able to see why, in words, and an auditor
must be able to check the arithmetic. Results therefore carry :class:`Reason` values — a code and
its parameters as text — and the wording lives in one message table here, so the Django side can
show them in either language without knowing any rule.

Parameters are stored language-neutral (ISO dates, ``HH:MM``, plain decimals); a format spec in
the template localises them: ``{x:pct}`` a percentage, ``{x:rp}`` rupiah, ``{x:date}`` a date,
``{x:term}`` a code's name (status, excuse, sanction, level), ``{x:days}`` the word "day(s)"
agreeing with the number ``x``, ``{x:ref}`` an optional letter number.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from string import Formatter
from typing import Literal

Lang = Literal["id", "en"]

MESSAGES: dict[str, dict[Lang, str]] = {
    # --- one day ---
    "DAY_OFF": {
        "id": "{date:date}: bukan hari kerja pola {pattern}",
        "en": "{date:date}: not a working day of pattern {pattern}",
    },
    "HOLIDAY": {
        "id": "{date:date}: hari libur",
        "en": "{date:date}: holiday",
    },
    "SPECIAL_PERIOD": {
        "id": "Jadwal khusus {name} ({start:date} s.d. {end:date})",
        "en": "Special schedule {name} ({start:date} to {end:date})",
    },
    "SCHEDULE": {
        "id": "Jadwal {start}–{end}; presensi sebelum {pivot} dihitung datang, sesudahnya pulang",
        "en": "Scheduled {start}–{end}; punches before {pivot} count as check-in, after as check-out",
    },
    "LIBUR_PUNCHES": {
        "id": "{count} presensi pada hari libur disimpan, tidak dihitung",
        "en": "{count} punch(es) on a non-working day kept, not counted",
    },
    "LIBUR_ABSENCE": {
        "id": "{code:term} ({code}) pada hari libur tidak mengubah apa pun",
        "en": "{code:term} ({code}) on a non-working day changes nothing",
    },
    "PUNCH_OUTSIDE_WINDOW": {
        "id": "Presensi {time} di luar rentang presensi {start}–{end}: diabaikan",
        "en": "Punch at {time} outside the attendance window {start}–{end}: ignored",
    },
    "PUNCH_OTHER_DATE": {
        "id": "Presensi {when} bukan pada tanggal ini (waktu setempat): diabaikan",
        "en": "Punch at {when} is not on this date (local time): ignored",
    },
    "ABSENCE": {
        "id": "Ketidakhadiran sah: {code:term} ({code}{ref:ref}); tanpa TL/PSW",
        "en": "Approved absence: {code:term} ({code}{ref:ref}); no lateness or early leave",
    },
    "ABSENCE_PUNCHES": {
        "id": "{count} presensi pada hari ketidakhadiran sah tidak dihitung",
        "en": "{count} punch(es) on an approved absence day not counted",
    },
    "TK": {
        "id": "Tidak ada presensi datang, presensi pulang, maupun keterangan sah: TK",
        "en": "No check-in, no check-out and no valid excuse: TK (absent without leave)",
    },
    "NOT_YET": {
        "id": "Belum ada presensi hari ini",
        "en": "No punch yet today",
    },
    "OUTSIDE_PERIOD": {
        "id": "Hari ini di luar masa presensi Anda: tidak dihitung",
        "en": "Today is outside your attendance period: it does not count",
    },
    "ON_TIME": {
        "id": "Datang {time}, jadwal {start}: tepat waktu",
        "en": "Arrived {time}, scheduled {start}: on time",
    },
    "LATE": {
        "id": "Datang {time}, jadwal {start}: terlambat {minutes} menit (TL{cls})",
        "en": "Arrived {time}, scheduled {start}: {minutes} minutes late (TL{cls})",
    },
    "LATE_CAPPED": {
        "id": "Datang {time}, jadwal {start}: terlambat {raw} menit, dihitung {minutes} menit (TL{cls})",
        "en": "Arrived {time}, scheduled {start}: {raw} minutes late, counted as {minutes} (TL{cls})",
    },
    "NO_CHECKIN": {
        "id": "Tidak ada presensi datang: dihitung terlambat {minutes} menit (TL{cls})",
        "en": "No check-in: counted as {minutes} minutes late (TL{cls})",
    },
    "ON_TIME_LEAVE": {
        "id": "Pulang {time}, jadwal {end}: tidak pulang sebelum waktunya",
        "en": "Left {time}, scheduled {end}: not early",
    },
    "EARLY": {
        "id": "Pulang {time}, jadwal {end}: pulang {minutes} menit sebelum waktunya (PSW{cls})",
        "en": "Left {time}, scheduled {end}: {minutes} minutes early (PSW{cls})",
    },
    "EARLY_CAPPED": {
        "id": "Pulang {time}, jadwal {end}: {raw} menit sebelum waktunya, dihitung {minutes} menit (PSW{cls})",
        "en": "Left {time}, scheduled {end}: {raw} minutes early, counted as {minutes} (PSW{cls})",
    },
    "NO_CHECKOUT": {
        "id": "Tidak ada presensi pulang: dihitung pulang sebelum waktunya {minutes} menit (PSW{cls})",
        "en": "No check-out: counted as {minutes} minutes early (PSW{cls})",
    },
    "WAIVED_PAGI": {
        "id": "Sesi pagi dikecualikan: {kind:term}{ref:ref}; datang {time}, TL tidak dihitung",
        "en": "Morning session excused: {kind:term}{ref:ref}; arrived {time}, lateness not counted",
    },
    "WAIVED_SORE": {
        "id": "Sesi sore dikecualikan: {kind:term}{ref:ref}; pulang {time}, PSW tidak dihitung",
        "en": "Afternoon session excused: {kind:term}{ref:ref}; left {time}, early leave not counted",
    },
    "MEAL_YES": {
        "id": "Mendapat uang makan",
        "en": "Earns the meal allowance",
    },
    "MEAL_NO_STATUS": {
        "id": "Tanpa uang makan: status {status}",
        "en": "No meal allowance: status {status}",
    },
    "MEAL_NO_PUNCH": {
        "id": "Tanpa uang makan: presensi datang dan pulang harus ada atau dikecualikan",
        "en": "No meal allowance: both check-in and check-out must be punched or excused",
    },
    # --- one month ---
    "M_LINE": {
        "id": "{code:term} ({code}): {count} × {each:pct} = {total:pct}",
        "en": "{code:term} ({code}): {count} × {each:pct} = {total:pct}",
    },
    "M_SANCTION": {
        "id": "Hukuman disiplin sedang {sanction} berlaku: +{pct:pct}",
        "en": "Moderate sanction {sanction} in force: +{pct:pct}",
    },
    "M_CAPPED": {
        "id": "Jumlah potongan {total:pct} dibatasi {cap:pct}",
        "en": "Total deduction {total:pct} capped at {cap:pct}",
    },
    "M_DEDUCTION": {
        "id": "Potongan TUKIN bulan ini: {pct:pct}",
        "en": "TUKIN deduction this month: {pct:pct}",
    },
    "M_MEAL": {
        "id": "Uang makan golongan {group}: {days} hari × {rate:rp} = {gross:rp}",
        "en": "Meal allowance, group {group}: {days} {days:days} × {rate:rp} = {gross:rp}",
    },
    "M_MEAL_TAX": {
        "id": "PPh 21 {pct:pct} = {tax:rp}; diterima {net:rp}",
        "en": "Income tax (PPh 21) {pct:pct} = {tax:rp}; net {net:rp}",
    },
    # --- one year ---
    "Y_DAYS": {
        "id": "Hari tidak masuk kerja: {tk} hari TK + ⌊{minutes} menit TL/PSW ÷ {day}⌋ = {days} hari",
        "en": "Days not at work: {tk} TK {tk:days} + ⌊{minutes} minutes late/early ÷ {day}⌋ = {days}",
    },
    "Y_STREAK": {
        "id": "TK berturut-turut terpanjang: {days} hari kerja",
        "en": "Longest run of TK: {days} working {days:days}",
    },
    "Y_SANCTION": {
        "id": "Usulan hukuman disiplin: {sanction:term} ({sanction}, tingkat {level:term})",
        "en": "Proposed sanction: {sanction:term} ({sanction}, {level:term})",
    },
    "Y_SANCTION_MONTHS": {
        "id": "Berlaku {months} bulan",
        "en": "For {months} months",
    },
    "Y_SANCTION_CUT": {
        "id": "Potongan TUKIN tambahan {pct:pct} per bulan selama {months} bulan",
        "en": "Additional TUKIN deduction of {pct:pct} a month for {months} months",
    },
    "Y_SANCTION_STREAK": {
        "id": "{days} hari kerja TK berturut-turut (batas {limit}): {sanction:term} ({sanction})",
        "en": "{days} consecutive working days of TK (limit {limit}): {sanction:term} ({sanction})",
    },
    "Y_NO_SANCTION": {
        "id": "Belum ada hukuman disiplin",
        "en": "No sanction",
    },
    "NEXT": {
        "id": "{days} {days:days} lagi → {sanction:term}",
        "en": "{days} more {days:days} → {sanction:term}",
    },
    "NEXT_FOR": {
        "id": "{days} {days:days} lagi → {sanction:term} selama {months} bulan",
        "en": "{days} more {days:days} → {sanction:term} for {months} months",
    },
    "NEXT_STREAK": {
        "id": "{days} hari kerja TK berturut-turut lagi → {sanction:term}",
        "en": "{days} more consecutive working {days:days} of TK → {sanction:term}",
    },
    # --- a value refused (hadir.rules.nip, hadir.rules.golongan) ---
    "NIP_EMPTY": {"id": "NIP kosong", "en": "NIP is empty"},
    "NIP_AS_A_NUMBER": {
        "id": "NIP '{nip}' diubah Excel menjadi angka sehingga digit terakhirnya hilang:"
        " format kolom sebagai Teks lalu ketik ulang NIP",
        "en": "NIP '{nip}' was turned into a number by Excel, which loses its last digits:"
        " format the column as Text and type the NIPs again",
    },
    "NIP_NOT_DIGITS": {
        "id": "NIP '{nip}' hanya boleh berisi angka",
        "en": "NIP '{nip}' may hold digits only",
    },
    "NIP_LENGTH": {
        "id": "NIP harus {length} digit, bukan {count}",
        "en": "a NIP has {length} digits, not {count}",
    },
    "NIP_BIRTH_MONTH": {
        "id": "bulan lahir {month} tidak valid (harus 01–12)",
        "en": "birth month {month} is not valid (01–12)",
    },
    "NIP_BIRTH_DATE": {
        "id": "tanggal lahir {digits} bukan tanggal yang ada",
        "en": "birth date {digits} is no date that exists",
    },
    "NIP_GENDER_DIGIT": {
        "id": "digit ke-15 (jenis kelamin) harus 1 atau 2, bukan {digit}",
        "en": "the 15th digit (gender) must be 1 or 2, not {digit}",
    },
    "NIP_APPOINTMENT_YEAR": {
        "id": "tahun pengangkatan {year} tidak mungkin untuk kelahiran {born}",
        "en": "appointment year {year} is impossible for a birth in {born}",
    },
    "NIP_APPOINTMENT_MONTH": {
        "id": "bulan pengangkatan {month} tidak valid (harus 01–12)",
        "en": "appointment month {month} is not valid (01–12)",
    },
    "GOLONGAN_UNKNOWN": {
        "id": "golongan '{golongan}' tidak dikenal; contoh: III/a atau IX",
        "en": "unknown golongan '{golongan}'; e.g. III/a or IX",
    },
    # --- a policy figure refused (hadir.rules.policy): each names its key first ---
    "POLICY_UNKNOWN_KEY": {
        "id": "{key}: kunci kebijakan tidak dikenal",
        "en": "{key}: unknown policy key",
    },
    "POLICY_NOT_INTEGER": {
        "id": "{key}: '{text}' bukan bilangan bulat (contoh: 450)",
        "en": "{key}: '{text}' is not a whole number (e.g. 450)",
    },
    "POLICY_NOT_DECIMAL": {
        "id": "{key}: '{text}' bukan angka desimal (contoh: 1.25)",
        "en": "{key}: '{text}' is not a decimal number (e.g. 1.25)",
    },
    "POLICY_NOT_TIME": {
        "id": "{key}: '{text}' bukan jam HH:MM (contoh: 06:00)",
        "en": "{key}: '{text}' is not a time HH:MM (e.g. 06:00)",
    },
    "POLICY_NOT_A_CHOICE": {
        "id": "{key}: '{text}' harus salah satu dari {choices}",
        "en": "{key}: '{text}' must be one of {choices}",
    },
    "POLICY_NOT_AFTER": {
        "id": "{key}: harus setelah {other}",
        "en": "{key}: must come after {other}",
    },
    "POLICY_NOT_POSITIVE": {
        "id": "{key}: harus lebih dari 0",
        "en": "{key}: must be more than 0",
    },
    "POLICY_NEGATIVE": {
        "id": "{key}: tidak boleh negatif",
        "en": "{key}: may not be negative",
    },
    "POLICY_BELOW": {
        "id": "{key}: tidak boleh kurang dari {other}",
        "en": "{key}: may not be less than {other}",
    },
    "POLICY_NUMBER_COUNT": {
        "id": "{key}: harus {count} angka",
        "en": "{key}: must be {count} numbers",
    },
    "POLICY_PCT_COUNT": {
        "id": "{key}: harus {count} persentase",
        "en": "{key}: must be {count} percentages",
    },
    "POLICY_BOUNDS_ORDER": {
        "id": "{key}: harus naik dan lebih dari 0",
        "en": "{key}: must increase and be more than 0",
    },
    "POLICY_PCT_RANGE": {
        "id": "{key}: persentase harus antara 0 dan 100",
        "en": "{key}: a percentage lies between 0 and 100",
    },
    "POLICY_WHOLE_RUPIAH": {
        "id": "{key}: harus rupiah bulat, tanpa sen",
        "en": "{key}: must be whole rupiah, without cents",
    },
    "POLICY_KEYS": {
        "id": "{key}: harus tepat berisi {expected}",
        "en": "{key}: must hold exactly {expected}",
    },
    "POLICY_LADDER": {
        "id": "{key}: tangga sanksi harus berisi {expected}",
        "en": "{key}: the sanction ladder must hold {expected}",
    },
    "POLICY_LADDER_ORDER": {
        "id": "{key}: harus lebih besar dari anak tangga sebelumnya",
        "en": "{key}: must be greater than the rung before it",
    },
    "POLICY_DAYS_AT_MOST": {
        "id": "{key}: paling banyak {days} hari",
        "en": "{key}: at most {days} {days:days}",
    },
    "POLICY_MINUTES_AT_MOST": {
        "id": "{key}: paling banyak {minutes} menit",
        "en": "{key}: at most {minutes} minutes",
    },
    "POLICY_YEARS_BETWEEN": {
        "id": "{key}: antara {low} dan {high} tahun",
        "en": "{key}: between {low} and {high} years",
    },
    # --- working hours refused (hadir.rules.patterns) ---
    "HOURS_WHOLE_MINUTES": {
        "id": "jam kerja harus menit bulat (tanpa detik)",
        "en": "working hours are whole minutes (no seconds)",
    },
    "HOURS_ORDER": {
        "id": "jam mulai {start} harus sebelum jam selesai {end}",
        "en": "the start {start} must come before the end {end}",
    },
    "BREAK_HALF": {
        "id": "istirahat harus punya jam mulai dan jam selesai, atau tidak sama sekali",
        "en": "a break has both a start and an end, or neither",
    },
    "BREAK_OUTSIDE": {
        "id": "istirahat {break_start}–{break_end} harus di dalam jam kerja {start}–{end}",
        "en": "the break {break_start}–{break_end} must lie within the working hours {start}–{end}",
    },
    "PATTERN_WEEK": {
        "id": "pola {pattern}: harus {days} hari (Senin … Minggu), bukan {count}",
        "en": "pattern {pattern}: must have {days} days (Monday … Sunday), not {count}",
    },
    "PERIOD_WEEK": {
        "id": "periode {period}, pola {pattern}: harus {days} hari (Senin … Minggu), bukan {count}",
        "en": "period {period}, pattern {pattern}: must have {days} days (Monday … Sunday),"
        " not {count}",
    },
    "PERIOD_ENDS_FIRST": {
        "id": "periode {period}: tanggal selesai sebelum tanggal mulai",
        "en": "period {period}: the end date comes before the start date",
    },
}
"""Every message, by reason code and language; parameters in braces (see the module docstring)."""

TERMS: dict[str, dict[Lang, str]] = {
    "H": {"id": "hadir", "en": "present"},
    "TK": {"id": "tidak masuk tanpa keterangan", "en": "absent without leave"},
    "LIBUR": {"id": "libur", "en": "day off"},
    "DL": {"id": "dinas luar", "en": "official travel"},
    "CT": {"id": "cuti tahunan", "en": "annual leave"},
    "CB": {"id": "cuti besar", "en": "long service leave"},
    "CS": {"id": "cuti sakit", "en": "sick leave"},
    "CM": {"id": "cuti melahirkan", "en": "maternity leave"},
    "CAP": {"id": "cuti karena alasan penting", "en": "compassionate leave"},
    "CLTN": {"id": "cuti di luar tanggungan negara", "en": "unpaid leave"},
    "TB": {"id": "tugas belajar", "en": "study assignment"},
    "TUGAS_LUAR": {"id": "tugas luar", "en": "duty outside the office"},
    "SISTEM_ERROR": {"id": "sistem error", "en": "system error"},
    "IZIN": {"id": "izin (alibi)", "en": "permission letter"},
    "TL1": {"id": "terlambat kelas 1", "en": "late, class 1"},
    "TL2": {"id": "terlambat kelas 2", "en": "late, class 2"},
    "TL3": {"id": "terlambat kelas 3", "en": "late, class 3"},
    "TL4": {"id": "terlambat kelas 4", "en": "late, class 4"},
    "PSW1": {"id": "pulang sebelum waktunya kelas 1", "en": "early leave, class 1"},
    "PSW2": {"id": "pulang sebelum waktunya kelas 2", "en": "early leave, class 2"},
    "PSW3": {"id": "pulang sebelum waktunya kelas 3", "en": "early leave, class 3"},
    "PSW4": {"id": "pulang sebelum waktunya kelas 4", "en": "early leave, class 4"},
    "TEGURAN_LISAN": {"id": "teguran lisan", "en": "oral reprimand"},
    "TEGURAN_TERTULIS": {"id": "teguran tertulis", "en": "written reprimand"},
    "PERNYATAAN_TIDAK_PUAS": {
        "id": "pernyataan tidak puas secara tertulis",
        "en": "written statement of dissatisfaction",
    },
    "TUKIN_25_6": {"id": "pemotongan TUKIN", "en": "TUKIN cut"},
    "TUKIN_25_9": {"id": "pemotongan TUKIN", "en": "TUKIN cut"},
    "TUKIN_25_12": {"id": "pemotongan TUKIN", "en": "TUKIN cut"},
    "PENURUNAN_JABATAN": {
        "id": "penurunan jabatan setingkat lebih rendah",
        "en": "demotion by one level",
    },
    "PEMBEBASAN_JABATAN": {
        "id": "pembebasan dari jabatan menjadi jabatan pelaksana",
        "en": "removal from office to a staff position",
    },
    "PEMBERHENTIAN": {
        "id": "pemberhentian dengan hormat tidak atas permintaan sendiri",
        "en": "honourable dismissal not at own request",
    },
    "ringan": {"id": "ringan", "en": "light"},
    "sedang": {"id": "sedang", "en": "moderate"},
    "berat": {"id": "berat", "en": "severe"},
}
"""Names of the codes a message may mention with ``{x:term}``."""

_MONTHS: dict[Lang, tuple[str, ...]] = {
    "id": (
        "Januari", "Februari", "Maret", "April", "Mei", "Juni",
        "Juli", "Agustus", "September", "Oktober", "November", "Desember",
    ),
    "en": (
        "January", "February", "March", "April", "May", "June",
        "July", "August", "September", "October", "November", "December",
    ),
}  # fmt: skip
_WEEKDAYS: dict[Lang, tuple[str, ...]] = {
    "id": ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu"),
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
}


def _grouped(digits: str, sep: str) -> str:
    head = len(digits) % 3 or 3
    parts = [digits[:head]] + [digits[i : i + 3] for i in range(head, len(digits), 3)]
    return sep.join(parts)


def format_decimal(value: str, lang: Lang) -> str:
    """A plain decimal string with the language's separators ("1234.5" → "1.234,5" in id)."""
    thousands, point = (".", ",") if lang == "id" else (",", ".")
    sign = "-" if value.startswith("-") else ""
    whole, _, fraction = value.lstrip("-").partition(".")
    text = sign + _grouped(whole, thousands)
    return f"{text}{point}{fraction}" if fraction else text


class _Localiser(Formatter):
    def __init__(self, lang: Lang) -> None:
        self.lang = lang

    def format_field(self, value: object, format_spec: str) -> str:
        text = str(value)
        lang = self.lang
        if format_spec == "pct":
            return format_decimal(text, lang) + "%"
        if format_spec == "rp":
            return "Rp" + format_decimal(text, lang)
        if format_spec == "term":
            return TERMS[text][lang] if text in TERMS else text
        if format_spec == "ref":
            return f", no. {text}" if text else ""
        if format_spec == "days":
            if lang == "id":
                return "hari"
            return "day" if text == "1" else "days"
        if format_spec == "date":
            day = date.fromisoformat(text)
            return f"{_WEEKDAYS[lang][day.weekday()]}, {day.day} {_MONTHS[lang][day.month - 1]} {day.year}"
        return text


_LOCALISERS: dict[Lang, _Localiser] = {"id": _Localiser("id"), "en": _Localiser("en")}


@dataclass(frozen=True, slots=True)
class Reason:
    """One step of an explanation: a code of :data:`MESSAGES` and its parameters as text."""

    code: str
    params: tuple[tuple[str, str], ...] = ()

    @classmethod
    def of(cls, code: str, /, **params: object) -> Reason:
        """Build a reason, turning each parameter into its language-neutral text."""
        return cls(
            code,
            tuple([(k, v if type(v) is str else _neutral(v)) for k, v in params.items()]),
        )

    def text(self, lang: Lang = "id") -> str:
        """The reason in Indonesian (``"id"``) or English (``"en"``)."""
        return _LOCALISERS[lang].vformat(MESSAGES[self.code][lang], (), dict(self.params))


class Invalid(ValueError):
    """A value a rule cannot take (a NIP, a golongan, a policy figure, working hours), with the
    reason in either language: ``str()`` is the Indonesian text, ``reason.text(lang)`` the one
    a page asks for."""

    def __init__(self, code: str, /, **params: object) -> None:
        self.reason = Reason.of(code, **params)
        super().__init__(self.reason.text("id"))


def _neutral(value: object) -> str:
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def render(reasons: tuple[Reason, ...], lang: Lang = "id") -> list[str]:
    """All reasons as lines of text, in order."""
    return [reason.text(lang) for reason in reasons]
