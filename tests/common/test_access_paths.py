"""Access at the edges of every path: an admin and their own record, a download that reaches
no person or no file, and methods a page does not take."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client

from hadir.accounts.models import User
from hadir.common.models import AuditEvent
from hadir.org.models import Employee, Role
from hadir.recap.models import ExportJob, SanctionDecision
from hadir.recap.sanctions import sanction_decide
from tests.conftest import Org, user_with_role


def _client(user: User) -> Client:
    client = Client(raise_request_exception=False)  # a server error answers 500, as in production
    client.force_login(user)
    return client


# ---------------------------------------------------------------- sanctions: nobody their own


@pytest.fixture
def admin_employee(org: Org) -> tuple[User, Employee]:
    """An Admin (ministry role, over no unit) who is also a Pegawai of KUA A."""
    admin = user_with_role(Role.ADMIN, None)
    employee = org.employees(org.kua_a)[0]
    employee.user = admin
    employee.save(update_fields=["user"])
    return admin, employee


def test_an_admin_cannot_revoke_a_sanction_decided_on_themself(
    org: Org, admin_employee: tuple[User, Employee]
) -> None:
    admin, own = admin_employee
    operator = user_with_role(Role.OPERATOR, org.kua_a)
    decision = sanction_decide(
        actor=operator,
        employee=own,
        sanction="TEGURAN_TERTULIS",
        first_month=date(2024, 5, 1),
        decree="B-1/KUA-A/2024",
        decided_on=date(2024, 4, 2),
    )

    response = _client(admin).post(f"/rekap/pegawai/{own.pk}/sanksi/{decision.pk}/cabut/")

    decision.refresh_from_db()
    assert (response.status_code, decision.revoked_at) == (404, None)


def test_an_admin_cannot_record_a_sanction_on_themself(
    org: Org, admin_employee: tuple[User, Employee]
) -> None:
    admin, own = admin_employee
    client = _client(admin)

    response = client.post(
        f"/rekap/pegawai/{own.pk}/sanksi/",
        {
            "sanction": "TEGURAN_TERTULIS",
            "first_month": "2024-05",
            "decree": "B-2/KUA-A/2024",
            "decided_on": "2024-04-02",
        },
    )

    recorded = SanctionDecision.objects.filter(employee=own).exists()
    assert (response.status_code, recorded) == (404, False)
    # Nor is the form offered on their own month page, as it is not to an operator.
    assert client.get("/rekap/saya/").context["sanction_form"] is None


# ---------------------------------------------------------------- export downloads


def _done_job(user: User, org: Org, stored_name: str) -> ExportJob:
    return ExportJob.objects.create(
        user=user,
        unit=org.kua_a,
        month=date(2024, 3, 1),
        format="csv",
        state=ExportJob.State.DONE,
        progress=100,
        stored_name=stored_name,
    )


def test_a_finished_export_whose_file_is_gone_is_not_found_and_not_audited_as_downloaded(
    org: Org, operator_kua_a: User
) -> None:
    """The letter view checks the file exists (404); the export download opens it blindly."""
    job = _done_job(operator_kua_a, org, "exports/removed-since.csv")

    response = _client(operator_kua_a).get(f"/rekap/ekspor/{job.pk}/", {"unduh": "1"})

    assert response.status_code == 404
    assert not AuditEvent.objects.filter(action="recap.export_download").exists()


def _downloadable_job(user: User, org: Org) -> ExportJob:
    name = default_storage.save("exports/rekap.csv", ContentFile(b"nip,name\n"))
    return _done_job(user, org, name)


def test_a_head_request_for_an_export_records_no_download(org: Org, operator_kua_a: User) -> None:
    """No file leaves the server on HEAD, so the trail must not say it was downloaded."""
    job = _downloadable_job(operator_kua_a, org)

    _client(operator_kua_a).head(f"/rekap/ekspor/{job.pk}/", {"unduh": "1"})

    assert not AuditEvent.objects.filter(action="recap.export_download").exists()


def test_a_browser_prefetch_of_an_export_records_no_download(
    org: Org, operator_kua_a: User
) -> None:
    """The notifications page tells a prefetch from a person (Sec-Purpose); the export
    download records one as a person's download."""
    job = _downloadable_job(operator_kua_a, org)

    ahead = _client(operator_kua_a).get(
        f"/rekap/ekspor/{job.pk}/", {"unduh": "1"}, headers={"Sec-Purpose": "prefetch"}
    )

    assert (ahead.status_code, ahead.content) == (204, b"")  # no file kept for the click
    assert not AuditEvent.objects.filter(action="recap.export_download").exists()
    _client(operator_kua_a).get(f"/rekap/ekspor/{job.pk}/", {"unduh": "1"})
    assert AuditEvent.objects.filter(action="recap.export_download").count() == 1


# ---------------------------------------------------------------- methods


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("delete", "/org/unit/{kua_a}/"),
        ("put", "/org/unit/{kua_a}/lokasi/"),
        ("delete", "/rekap/unit/{kua_a}/"),
        ("put", "/jadwal/unit/{kua_a}/libur/"),
        ("delete", "/presensi/mesin/"),
    ],
)
def test_a_page_refuses_put_and_delete_instead_of_answering_as_for_get(
    org: Org, operator_kua_a: User, method: str, path: str
) -> None:
    response = getattr(_client(operator_kua_a), method)(path.format(kua_a=org.kua_a.pk))

    assert response.status_code == 405
