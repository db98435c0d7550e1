"""The kepegawaian officer's exports as an auditor reads them (DOMAIN.md §5, §8): a background
export gives what the unit's download gives, the signed letter names its place, and the daily
sheet's dates are Excel's own. Found by a review helper, each failing on the code before.
"""

from __future__ import annotations

import io
import json
from datetime import date, datetime
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from openpyxl import load_workbook
from pypdf import PdfReader

from hadir.accounts.models import User
from hadir.org.models import Employee, Role, Unit
from hadir.recap.exports_jobs import export_job_run
from hadir.recap.models import ExportJob
from hadir.recap.periods import period_close
from hadir.recap.reports import letter_place
from tests.clock import Clock
from tests.conftest import user_with_role
from tests.factories import UnitFactory
from tests.recap.support import (
    Sleman,
    leader_of,
    local,
    logged_in,
    march,
    person,
    recap_command,
)
from tests.recap.test_moves import move, siti  # noqa: F401  (fixture and helper)

MARCH = date(2024, 3, 1)
SATURDAY_6_APRIL = date(2024, 4, 6)
MONDAY_8_APRIL = date(2024, 4, 8)


def inline_export(user: User, unit: Unit, fmt: str = "json") -> bytes:
    """The file the unit page's Download button gives for March 2024 (a small unit)."""
    response = logged_in(user).post(f"/rekap/unit/{unit.pk}/ekspor/?bulan=2024-03", {"format": fmt})
    assert response.status_code == 200
    return bytes(response.content)


def background_export(user: User, unit: Unit, fmt: str = "json") -> bytes:
    """The file the background job (a unit of more than 1,000 employees) stores for March 2024."""
    job = ExportJob.objects.create(user=user, unit=unit, month=MARCH, format=fmt)
    done = export_job_run(job.pk)
    with default_storage.open(done.stored_name, "rb") as stored:
        return bytes(stored.read())


def names(data: bytes) -> list[str]:
    return [row["name"] for row in json.loads(data)]


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


@pytest.mark.usefixtures("march_people")
def test_a_background_export_of_a_closed_month_keeps_every_signed_row_after_the_unit_is_given_another_code(
    sleman: Sleman, clock: Clock
) -> None:
    """KUA Mlati closes March with Ani, Eko and Fitri, then its code is corrected in SIMPEG.
    The background job (every unit over 1,000 employees) gives the three signed rows, as the
    download does: it used to keep only rows whose frozen unit code the owner read now."""
    clock.set(local(SATURDAY_6_APRIL, "08:00"))
    closing = period_close(
        actor=user_with_role(Role.OPERATOR, sleman.kua), unit=sleman.kua, month=MARCH
    )
    sleman.kua.code = "KUA-MLATI-2025"
    sleman.kua.save()
    head = leader_of(sleman.kua)

    signed = sorted(row["name"] for row in closing.snapshot)
    assert sorted(names(inline_export(head, sleman.kua))) == signed
    assert sorted(names(background_export(head, sleman.kua))) == signed


def test_a_background_export_does_not_pay_again_a_month_another_unit_signed(
    sleman: Sleman,
    siti: Employee,  # noqa: F811
    tmp_path: Path,
    clock: Clock,
) -> None:
    """KUA Mlati signs Siti's whole March on 8 April; a move to the MTs dated 18 March is
    entered afterwards. Her month is paid by the KUA's signed figures: neither the MTs's
    download nor its background job exports her uang makan a second time."""
    clock.set(local(MONDAY_8_APRIL, "08:00"))
    closing = period_close(
        actor=user_with_role(Role.OPERATOR, sleman.kua), unit=sleman.kua, month=MARCH
    )
    assert siti.nip in {row["nip"] for row in closing.snapshot}
    move(tmp_path, siti, "MTS-AL-IKHLAS", "2024-03-18")
    head = leader_of(sleman.mts)

    assert names(inline_export(head, sleman.mts)) == []
    assert names(background_export(head, sleman.mts)) == []


def test_the_signed_letter_names_a_two_word_regency_as_its_place(db: None) -> None:
    """The recap of KUA Wates is signed in "Kulon Progo", not "Progo" (the name's last word)."""
    office = UnitFactory.create(
        code="KAB-KULON-PROGO",
        name="Kantor Kementerian Agama Kabupaten Kulon Progo",
        kind=Unit.Kind.KANKEMENAG,
    )
    kua = UnitFactory.create(code="KUA-WATES", name="KUA Wates", kind=Unit.Kind.KUA, parent=office)
    person(kua, "Ani Rahmawati")

    text = pdf_text(recap_command("--month", "2024-03", "--unit", "KUA-WATES", "--format", "pdf"))

    assert "Kulon Progo, 31 Maret 2024" in text


@pytest.mark.usefixtures("march_people")
def test_the_excel_daily_detail_writes_each_date_as_a_real_date() -> None:
    """Tanggal is a date, not the text "2024-03-01": Excel sorts, filters by month and
    computes with it, whatever the reader's locale."""
    data = recap_command("--month", "2024-03", "--unit", "KUA-MLATI", "--format", "xlsx", "--daily")
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet is not None
    assert sheet["D2"].value == "Tanggal"

    first = sheet["D3"].value

    assert isinstance(first, datetime), repr(first)
    assert first.date() == march(1)


@pytest.mark.parametrize(
    ("office", "place"),
    [
        ("Kantor Kementerian Agama Kabupaten Gunung Kidul", "Gunung Kidul"),
        ("Kantor Kementerian Agama Kota Kotamobagu", "Kotamobagu"),
        ("Kankemenag Sleman", "Sleman"),
        ("Kanwil Kemenag DIY", "DIY"),
        ("Kantor Wilayah Kementerian Agama Provinsi Jawa Tengah", "Jawa Tengah"),
    ],
)
def test_the_letters_place_is_the_region_its_office_names(
    db: None, office: str, place: str
) -> None:
    unit = UnitFactory.create(code="KANTOR", name=office, kind=Unit.Kind.KANKEMENAG)
    assert letter_place(unit) == place
