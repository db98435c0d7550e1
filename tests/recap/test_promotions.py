"""A promotion (kenaikan pangkat) is dated: the months before it keep their uang makan.

Ani (KUA Mlati, III/a) worked 18 days of March 2024 with both punches: 18 × Rp 37,000 =
666,000, PPh 21 5 % = 33,300, net 632,700. As IV/a the same days pay 18 × 41,000 = 738,000,
15 % = 110,700, net 627,300. The clock stands on Tuesday 2 April 2024, before March may be
closed.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from hadir.common.models import AuditEvent
from hadir.common.tables import TableRefused
from hadir.org.models import EarlierGolongan, Employee
from hadir.org.services import employees_import
from tests.factories import UserFactory
from tests.recap.support import committed, recap_json

AS_III_A: dict[str, Any] = {"days": 18, "rate": 37000, "gross": 666000, "tax": 33300, "net": 632700}
AS_IV_A: dict[str, Any] = {"days": 18, "rate": 41000, "gross": 738000, "tax": 110700, "net": 627300}


def promote(tmp_path: Path, employee: Employee, golongan: str, since: str = "") -> Any:
    """The operator imports the master list again with ``employee`` in ``golongan``
    (``since`` in the golongan_since column)."""
    path = tmp_path / f"pegawai-{len(list(tmp_path.iterdir()))}.csv"
    path.write_text(
        "nip,name,unit,pattern,golongan,start,golongan_since\n"
        f"{employee.nip},{employee.name},{employee.unit.code},,{golongan},"
        f"{employee.start:%Y-%m-%d},{since}\n",
        encoding="utf-8",
    )
    with committed():
        return employees_import(path=path, actor_label="test")


@pytest.fixture
def ani(march_people: dict[str, Employee]) -> Employee:
    ani = march_people["Ani"]
    assert recap_json(unit="KUA-MLATI")["Ani Rahmawati"]["meal_allowance"] == AS_III_A
    return ani


def meal(month: str = "2024-03") -> dict[str, Any]:
    """Ani's uang makan of ``month``, with the golongan it was priced at."""
    row = recap_json(month, unit="KUA-MLATI")["Ani Rahmawati"]
    return {**row["meal_allowance"], "golongan": row["golongan"]}


def test_a_promotion_entered_in_april_leaves_march_priced_at_the_former_golongan(
    ani: Employee, tmp_path: Path
) -> None:
    report = promote(tmp_path, ani, "IV/a")

    assert meal() == AS_III_A | {"golongan": "III/a"}
    assert meal("2024-04")["golongan"] == "IV/a"
    assert report.promoted == [(ani.nip, "2024-04-02")]
    assert list(EarlierGolongan.objects.filter(employee=ani).values_list("golongan", "until")) == [
        ("III/a", date(2024, 4, 1))
    ]


def test_a_promotion_dated_from_march_pays_march_at_the_new_golongan(
    ani: Employee, tmp_path: Path
) -> None:
    """The SK arrived late: its TMT is 1 March, so March is paid as IV/a (a rapel)."""
    promote(tmp_path, ani, "IV/a", "2024-03-01")

    assert meal() == AS_IV_A | {"golongan": "IV/a"}


def test_a_golongan_dated_on_the_first_day_of_attendance_corrects_every_month(
    ani: Employee, tmp_path: Path
) -> None:
    promote(tmp_path, ani, "IV/a", f"{ani.start:%Y-%m-%d}")

    assert meal() == AS_IV_A | {"golongan": "IV/a"}
    assert not EarlierGolongan.objects.filter(employee=ani).exists()


@pytest.mark.parametrize(
    ("golongan", "since"),
    [
        pytest.param("IV/a", "2024-04-03", id="still-to-come"),
        pytest.param("III/a", "2024-03-15", id="golongan-unchanged"),
    ],
)
def test_a_golongan_date_to_come_or_without_a_promotion_is_refused_on_its_line(
    ani: Employee, tmp_path: Path, golongan: str, since: str
) -> None:
    with pytest.raises(TableRefused) as refused:
        promote(tmp_path, ani, golongan, since)

    [problem] = refused.value.problems
    assert (problem.line, problem.column) == (2, "golongan_since")
    assert Employee.objects.get(pk=ani.pk).golongan == "III/a"


def test_a_promotion_cannot_start_before_the_present_golongan(
    ani: Employee, tmp_path: Path
) -> None:
    promote(tmp_path, ani, "III/b", "2024-03-15")

    with pytest.raises(TableRefused) as refused:
        promote(tmp_path, ani, "IV/a", "2024-03-10")
    assert refused.value.problems[0].column == "golongan_since"


def test_the_admin_dates_a_promotion_and_audits_it(ani: Employee) -> None:
    admin = Client()
    admin.force_login(UserFactory.create(is_superuser=True, is_staff=True))
    form = {
        "nip": ani.nip, "name": ani.name, "kind": ani.kind, "golongan": "IV/a",
        "position": "", "email": "", "unit": ani.unit_id, "pattern": "",
        "start": f"{ani.start:%Y-%m-%d}", "end": "", "user": "",
        "unit_since": "", "golongan_from": "",
    }  # fmt: skip

    with committed():
        response = admin.post(f"/admin/org/employee/{ani.pk}/change/", form)

    assert response.status_code == 302, response.content.decode()[:2000]
    assert meal() == AS_III_A | {"golongan": "III/a"}
    event = AuditEvent.objects.get(action="org.employee_promote")
    assert event.after == {
        "golongan": "IV/a",
        "golongan_since": "2024-04-02",
        "since": "2024-04-02",
    }
