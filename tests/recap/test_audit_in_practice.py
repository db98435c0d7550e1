"""The auditor's side: a month's closing and its frozen figures, the exports of the unit
against its page and Bulan saya, the closings kept on record, and verify_punches.

The month is March 2024 as ``march_people`` lived it (tests/recap/conftest.py); it
can be closed from Saturday 6 April.
"""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from pypdf import PdfReader

from hadir.common.append_only import trigger_name
from hadir.org.models import Employee, Role
from hadir.presence.models import Punch
from hadir.recap import exports_jobs, views
from hadir.recap.exports_jobs import export_job_run
from hadir.recap.models import ExportJob
from hadir.recap.periods import period_close, period_reopen
from tests.clock import Clock
from tests.conftest import user_with_role
from tests.recap.support import (
    Sleman,
    import_excuses,
    leader_of,
    local,
    logged_in,
    march,
    person,
    recap_command,
    recap_json,
    with_account,
)
from tests.recap.test_moves import move

pytestmark = pytest.mark.usefixtures("march_people")

MARCH = date(2024, 3, 1)
SATURDAY_6_APRIL = date(2024, 4, 6)


def close_march(sleman: Sleman, clock: Clock, unit: Any = None) -> Any:
    """March closed by the unit's operator (KUA Mlati unless told) on 6 April, 08:00."""
    unit = unit or sleman.kua
    clock.set(local(SATURDAY_6_APRIL, "08:00"))
    return period_close(actor=user_with_role(Role.OPERATOR, unit), unit=unit, month=MARCH)


def csv_export(unit: str) -> bytes:
    return recap_command("--month", "2024-03", "--unit", unit, "--format", "csv")


# ---------------------------------------------------------------- the unit page against itself


def test_the_charts_of_a_month_put_a_moved_persons_lateness_on_the_unit_of_that_month(
    tmp_path: Path, sleman: Sleman, march_people: dict[str, Employee]
) -> None:
    # Ani lived March at KUA Mlati (late on the 5th, 7th and 13th) and moved to MAN 2 Sleman
    # from 1 April. README: "A month belongs to the unit the person was in on its last day";
    # the KUA's March page lists her with Unit KUA-MLATI, so its "late per unit" chart must
    # count her under KUA Mlati (as the frozen charts do), not under MAN 2 Sleman, a unit that
    # is not even below the KUA.
    move(tmp_path, march_people["Ani"], "MAN-2-SLEMAN", "2024-04-01")

    page = logged_in(leader_of(sleman.kua)).get(
        f"/rekap/unit/{sleman.kua.pk}/", {"bulan": "2024-03"}
    )

    assert "Ani Rahmawati" in [row["name"] for row in page.context["page"]]
    late_by_unit = page.context["charts"]["late_by_unit"]
    assert "MAN 2 Sleman" not in late_by_unit
    assert 'title="KUA Mlati: 3"' in late_by_unit


# ---------------------------------------------------------------- closed months and their exports


def test_a_month_signed_by_one_unit_is_not_paid_again_by_the_unit_a_later_dated_move_names(
    tmp_path: Path, sleman: Sleman, clock: Clock, march_people: dict[str, Employee]
) -> None:
    # KUA Mlati closed March with Ani's uang makan in it (Rp 632,700 net). Afterwards the
    # master list is re-imported with Ani at MAN 2 Sleman from 20 March (a dated mutasi), and
    # MAN 2 Sleman closes March too. The code's own rule (reports.Frozen: "one set of figures
    # per employee-month: the first closing that froze someone keeps them") and the
    # Kankemenag's own page (which lists her once) say her March is paid once; the two signed
    # unit letters must not both pay it.
    close_march(sleman, clock)
    move(tmp_path, march_people["Ani"], "MAN-2-SLEMAN", "2024-03-20")
    close_march(sleman, clock, sleman.man)

    paying = [
        unit for unit in ("KUA-MLATI", "MAN-2-SLEMAN") if "Ani Rahmawati" in recap_json(unit=unit)
    ]
    assert list(recap_json(unit="KAB-SLEMAN")).count("Ani Rahmawati") == 1
    assert paying == ["KUA-MLATI"]


def test_a_background_export_finished_before_the_closing_is_not_handed_out_as_the_closed_month(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    sleman: Sleman,
    clock: Clock,
    march_people: dict[str, Employee],
) -> None:
    # README "Tutup periode": once closed, the recap is frozen and its exports give the figures
    # signed. The Pimpinan's background export ran on 5 April; Eko's cuti for 13-26 March was
    # approved after it, and the month was closed on 6 April with that cuti. Downloading
    # "rekap-KUA-MLATI-2024-03.csv" on 8 April must not hand out the pre-closing figures
    # (Eko with 10 TK days and a dismissal proposed) as the closed month.
    class Queued:
        def __init__(self, **kwargs: Any) -> None:
            pass

        def start(self) -> None:
            pass

    monkeypatch.setattr(views, "EXPORT_INLINE_LIMIT", 0)
    monkeypatch.setattr(exports_jobs, "threading", SimpleNamespace(Thread=Queued))
    head = logged_in(leader_of(sleman.kua))
    clock.set(local(date(2024, 4, 5), "09:00"))
    head.post(f"/rekap/unit/{sleman.kua.pk}/ekspor/?bulan=2024-03", {"format": "csv"})
    job = export_job_run(ExportJob.objects.get().pk)
    eko = march_people["Eko"]
    import_excuses(tmp_path, f"{eko.nip},CT,2024-03-13,2024-03-26,")
    closing = close_march(sleman, clock)
    assert next(r for r in closing.snapshot if r["nip"] == eko.nip)["absent_days"] == 0
    clock.set(local(date(2024, 4, 8), "09:00"))

    file = head.get(f"/rekap/ekspor/{job.pk}/", {"unduh": "1"})

    streamed = getattr(file, "streaming_content", None)
    handed = b"".join(streamed) if streamed is not None else b""
    assert handed in (b"", csv_export("KUA-MLATI"))  # the frozen figures, or no stale file


def test_my_month_in_a_closed_month_does_not_explain_a_frozen_tk_day_as_an_approved_cuti(
    tmp_path: Path, sleman: Sleman, clock: Clock, march_people: dict[str, Employee]
) -> None:
    # Bulan saya of a closed month shows the frozen day (DOMAIN §8: each employee reads their
    # own days). Eko's 13 March was frozen as TK; an admin then approved a cuti for it. The
    # day's cell must not show the badge "TK" and, as its explanation, "cuti tahunan (CT) ...
    # tanpa TL/PSW": the status and the reason given for it must be the same day's.
    eko = march_people["Eko"]
    close_march(sleman, clock)
    import_excuses(tmp_path, f"{eko.nip},CT,2024-03-13,2024-03-26,")  # a command: an admin's

    page = logged_in(with_account(eko)).get("/rekap/saya/", {"bulan": "2024-03"})

    cell = next(c for week in page.context["weeks"] for c in week if c["date"] == march(13))
    explained_as_cuti = any("(CT" in reason for reason in cell["reasons"])
    assert (cell["row"]["status"] == "CT") == explained_as_cuti  # today it is TK + "cuti"


def test_an_admin_can_still_read_the_figures_of_a_closing_that_was_reopened(
    sleman: Sleman, clock: Clock
) -> None:
    # models.PeriodClose: "A reopened closing is kept, stamped, with the figures it froze:
    # what was signed stays on record." An auditor asking what was signed before the reopen
    # needs a way to read it; no page, export or admin list shows any closing at all.
    closing = close_march(sleman, clock)
    admin = user_with_role(Role.ADMIN, None)
    admin.is_staff = admin.is_superuser = True
    admin.save()
    period_reopen(actor=admin, closing=closing)

    client = logged_in(admin)
    assert client.get("/admin/recap/dayrefresh/").status_code == 200  # the admin opens
    listing = client.get("/admin/recap/periodclose/")

    assert listing.status_code == 200
    assert "KUA Mlati" in listing.content.decode()


# ---------------------------------------------------------------- the files handed out


def test_the_signed_letter_writes_a_name_with_a_typographic_apostrophe_as_typed(
    sleman: Sleman,
) -> None:
    # Names like Ma’ruf, Syafi’i, Nu’man are common among Kemenag staff and arrive from SIMPEG
    # or Word with the typographic apostrophe (U+2019). The PDF letter for the unit (DOMAIN §8
    # exports; the head signs it) must not print "Ahmad Ma?ruf".
    person(sleman.kua, "Ahmad Ma’ruf", "III/b")

    data = recap_command("--month", "2024-03", "--unit", "KUA-MLATI", "--format", "pdf")

    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    assert "Ma?ruf" not in text
    assert "Ma’ruf" in text or "Ma'ruf" in text


def test_the_csv_opened_with_the_indonesian_list_separator_holds_no_formula(
    sleman: Sleman,
) -> None:
    # Excel with Indonesian regional settings (decimal ",", list separator ";") splits a CSV
    # at ";". A name saved as "Budi;=cmd|' /C calc'!A0;" (accepted by the employees import)
    # then opens as a cell that is a DDE formula: the OWASP CSV injection the export already
    # guards against for a name that starts with "=".
    person(sleman.kua, "Budi;=cmd|' /C calc'!A0;")

    text = csv_export("KUA-MLATI").decode("utf-8-sig")

    cells = [cell for row in csv.reader(io.StringIO(text), delimiter=";") for cell in row]
    assert not [cell for cell in cells if cell[:1] in {"=", "+", "-", "@", "\t", "\r"}]


# ---------------------------------------------------------------- the punch chain


@pytest.fixture
def chain_tamperable() -> None:
    """As tests/presence/test_chain.py: the table's owner turns PostgreSQL's append-only
    trigger off to tamper (SQLite has none; the test's transaction restores it)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            table = "presence_punch"
            cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER {trigger_name(table)}")


@pytest.mark.usefixtures("chain_tamperable")
def test_verify_punches_for_a_nip_typed_as_printed_does_not_vouch_for_a_broken_chain(
    march_people: dict[str, Employee],
) -> None:
    # An auditor checks one employee's chain with the NIP as the letter prints it
    # ("19700102 199502 1 001"); everywhere else the system reads a NIP typed so. Eko's chain
    # is broken: the answer must not be "OK: 0 presensi, rantai utuh" (a NIP it does not
    # know is no intact chain either).
    eko = march_people["Eko"]
    tampered = Punch.objects.filter(employee=eko).order_by("id").first()
    assert tampered is not None
    Punch.objects.filter(pk=tampered.pk).update(at=tampered.at - timedelta(minutes=30))
    printed = f"{eko.nip[:8]} {eko.nip[8:14]} {eko.nip[14]} {eko.nip[15:]}"

    with pytest.raises(CommandError):
        call_command("verify_punches", "--nip", printed, stdout=io.StringIO(), stderr=io.StringIO())
