"""Fixtures for the recap: a stopped clock, a fresh calendar cache, private media, and March
2024 as six people of Kankemenag Sleman lived it (see ``march`` for each one's month)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.utils import timezone

from hadir.org.models import Employee, Unit
from tests.clock import Clock
from tests.factories import UnitFactory, pattern
from tests.recap.support import (
    FIVE_DAY_WORKDAYS,
    SIX_DAY_FRIDAY_OFF_WORKDAYS,
    SIX_DAY_SUNDAY_OFF_WORKDAYS,
    TODAY,
    Sleman,
    attend,
    import_excuses,
    local,
    march,
    person,
)


@pytest.fixture(autouse=True)
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    frozen = Clock(local(TODAY, "10:00"))
    monkeypatch.setattr(timezone, "now", lambda: frozen.now)
    return frozen


@pytest.fixture
def sleman(db: None) -> Sleman:
    kankemenag = UnitFactory.create(
        code="KAB-SLEMAN",
        name="Kantor Kementerian Agama Kabupaten Sleman",
        kind=Unit.Kind.KANKEMENAG,
        default_pattern=pattern("KANTOR_5H"),
    )

    def unit(code: str, name: str, kind: str, pattern_code: str) -> Unit:
        return UnitFactory.create(
            code=code,
            name=name,
            kind=kind,
            parent=kankemenag,
            default_pattern=pattern(pattern_code),
        )

    return Sleman(
        kankemenag=kankemenag,
        kua=unit("KUA-MLATI", "KUA Mlati", Unit.Kind.KUA, "KANTOR_5H"),
        kua_depok=unit("KUA-DEPOK", "KUA Depok", Unit.Kind.KUA, "KANTOR_5H"),
        man=unit("MAN-2-SLEMAN", "MAN 2 Sleman", Unit.Kind.MADRASAH_NEGERI, "MADRASAH_5H"),
        mts=unit("MTS-AL-IKHLAS", "MTs Al-Ikhlas", Unit.Kind.MADRASAH_SWASTA, "MADRASAH_6H_MINGGU"),
    )


@pytest.fixture
def march_people(sleman: Sleman, tmp_path: Path) -> dict[str, Employee]:
    """March 2024 as six people lived it, by name.

    * Ani (KUA Mlati, KANTOR_5H, III/a): 07:25–16:35 on every working day, except 07:30:59 on
      the 4th, 07:45 on the 5th, out at 15:00 on the 6th, 09:10 on the 7th, out at 15:29 on
      Friday the 8th and 07:31 on the 13th; she also punched on Saturday the 9th and on Nyepi.
    * Eko (KUA Mlati, KANTOR_5H, II/c): on time on the 1st, 4th–8th, 27th and 28th; nothing from
      Wednesday 13 to Tuesday 26 March (ten working days, across two weekends).
    * Fitri (KUA Mlati, KANTOR_5H, III/c): ten days without a punch too, but in two runs of five
      (13–19 and 21–27 March) with the 20th present between them.
    * Budi (MAN 2 Sleman, MADRASAH_5H, IV/a): 06:55–16:05, except: on the 18th only the
      pulang (approved Sistem Error, pagi); on the 19th out at 14:00 (approved Sistem Error,
      sore); on the 20th only the pulang (no excuse); on the 21st out at 15:00.
    * Citra (MTs Al-Ikhlas, MADRASAH_6H_MINGGU, III/b): 06:55–15:05 on every working day but
      an approved cuti tahunan from Saturday 23 to Tuesday 26 March.
    * Dedi (MTs Al-Ikhlas, MADRASAH_6H_JUMAT, IV/b): 06:55–14:35 on every working day but an
      approved dinas luar from Wednesday 27 to Saturday 30 March; he also came in on Friday
      the 8th, his day off.
    """
    ani = person(sleman.kua, "Ani Rahmawati", "III/a")
    attend(
        ani,
        [*FIVE_DAY_WORKDAYS, march(9), march(11)],
        "07:25",
        "16:35",
        instead={
            march(4): ["07:30:59", "16:35"],
            march(5): ["07:45", "16:35"],
            march(6): ["07:25", "15:00"],
            march(7): ["09:10", "16:35"],
            march(8): ["07:25", "15:29"],
            march(9): ["08:00", "12:00"],
            march(13): ["07:31", "16:35"],
        },
    )

    eko = person(sleman.kua, "Eko Prasetyo", "II/c")
    attend(eko, [march(d) for d in (1, 4, 5, 6, 7, 8, 27, 28)], "07:25", "16:35")

    fitri = person(sleman.kua, "Fitri Handayani", "III/c")
    attend(fitri, [march(d) for d in (1, 4, 5, 6, 7, 8, 20, 28)], "07:25", "16:35")

    budi = person(sleman.man, "Budi Santoso", "IV/a")
    attend(
        budi,
        FIVE_DAY_WORKDAYS,
        "06:55",
        "16:05",
        instead={
            march(18): ["16:05"],
            march(19): ["06:55", "14:00"],
            march(20): ["16:05"],
            march(21): ["06:55", "15:00"],
        },
    )

    citra = person(sleman.mts, "Citra Lestari", "III/b")
    cuti = {march(d) for d in (23, 25, 26)}
    attend(citra, [d for d in SIX_DAY_SUNDAY_OFF_WORKDAYS if d not in cuti], "06:55", "15:05")

    dedi = person(sleman.mts, "Dedi Kurniawan", "IV/b", pattern=pattern("MADRASAH_6H_JUMAT"))
    dinas = {march(d) for d in (27, 28, 30)}
    attend(
        dedi,
        [*(d for d in SIX_DAY_FRIDAY_OFF_WORKDAYS if d not in dinas), march(8)],
        "06:55",
        "14:35",
    )

    import_excuses(
        tmp_path,
        f"{budi.nip},SISTEM_ERROR,2024-03-18,2024-03-18,PAGI",
        f"{budi.nip},SISTEM_ERROR,2024-03-19,2024-03-19,SORE",
        f"{citra.nip},CT,2024-03-23,2024-03-26,",
        f"{dedi.nip},DL,2024-03-27,2024-03-30,",
    )
    return {e.name.split()[0]: e for e in (ani, eko, fitri, budi, citra, dedi)}
