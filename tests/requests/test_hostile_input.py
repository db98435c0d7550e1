"""Input that once ended in a server error, a silently cut note, or minutes of a worker, found
by fuzzing the pages outside presensi: each is now refused with a reason, or answered."""

from __future__ import annotations

import contextlib
import threading
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.core.management import CommandError, call_command
from django.db import connection, connections
from django.test import Client

from hadir.accounts.models import User
from hadir.org.models import Employee
from hadir.recap.models import PeriodClose
from hadir.requests.models import Request, Status
from tests.conftest import Org
from tests.factories import valid_nip
from tests.requests.support import MONDAY, account, file_request, pdf_letter, upload

needs_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="a PostgreSQL refusal or lock"
)


def browser(user: User | None = None) -> Client:
    client = Client(raise_request_exception=False)
    if user is not None:
        client.force_login(user)
    return client


def said(response: Any) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


@pytest.mark.parametrize("note", ["tidak\x00sah", "Surat tidak sah. " * 40])
def test_a_rejection_note_with_a_nul_or_too_long_is_refused_and_nothing_decided(
    org: Org, siti: Employee, verifier: User, note: str
) -> None:
    """A NUL was a 500 on PostgreSQL; a long note was cut at 500 characters without a word."""
    item = file_request(siti, start=MONDAY)

    response = browser(verifier).post(
        f"/laporan/{item.reference}/putuskan/", {"decision": "reject", "note": note}
    )

    item.refresh_from_db()
    assert response.status_code == 302
    assert item.status == Status.SUBMITTED
    assert any(text.startswith("Catatan: ") for text in said(response))


def test_a_bulk_rejection_note_with_a_nul_is_refused_and_nothing_decided(
    org: Org, siti: Employee, verifier: User
) -> None:
    item = file_request(siti, start=MONDAY)

    response = browser(verifier).post(
        "/laporan/verifikasi/", {"chosen": [str(item.pk)], "decision": "reject", "note": "x\x00"}
    )

    item.refresh_from_db()
    assert response.status_code == 200  # the queue again, saying why
    assert "\x00" not in response.content.decode()
    assert item.status == Status.SUBMITTED


@needs_postgresql
@pytest.mark.parametrize("suffix", ["", "bukti/"])
def test_a_request_reference_with_a_nul_is_not_found(org: Org, siti: Employee, suffix: str) -> None:
    assert browser(account(siti)).get(f"/laporan/PGD%00/{suffix}").status_code == 404


@pytest.mark.parametrize("chosen", [str(2**63), "9" * 400, "9" * 5000])
def test_a_bulk_decision_naming_an_id_no_table_holds_decides_nothing(
    org: Org, siti: Employee, verifier: User, chosen: str
) -> None:
    file_request(siti, start=MONDAY)

    response = browser(verifier).post(
        "/laporan/verifikasi/", {"chosen": [chosen], "decision": "approve"}
    )

    assert response.status_code == 200  # the queue again, saying nothing was chosen
    assert not Request.objects.exclude(status=Status.SUBMITTED).exists()


@pytest.mark.parametrize(
    ("start", "end"), [("9999-12-31", "9999-12-31"), ("2024-03-05", "2124-12-31")]
)
def test_a_request_reaching_past_the_policys_years_is_refused(
    org: Org, siti: Employee, verifier: User, start: str, end: str
) -> None:
    """9999 made the verifiers' queue a 500 for everyone; a century took minutes to approve."""
    response = browser(account(siti)).post(
        "/laporan/baru/?kategori=KETIDAKHADIRAN",
        {"code": "DL", "start": start, "end": end, "reason": "x", "letter": upload(pdf_letter())},
    )

    assert response.status_code == 200
    assert "tahun" in str(response.context["form"].errors)
    assert not Request.objects.filter(employee=siti).exists()
    assert browser(verifier).get("/laporan/verifikasi/").status_code == 200


def test_an_excuse_dated_9999_is_refused_on_its_line(
    org: Org, siti: Employee, tmp_path: Path
) -> None:
    path = tmp_path / "keterangan.csv"
    path.write_text(f"nip,code,start,end,session\n{siti.nip},DL,9999-12-31,9999-12-31,\n")
    err = StringIO()

    with pytest.raises(CommandError):
        call_command("import_excuses", str(path), stdout=StringIO(), stderr=err)

    assert err.getvalue().startswith("keterangan.csv:2: end: Tanggal selesai lebih dari 5 tahun")


def test_a_locations_edit_link_with_5000_digits_is_not_found(
    org: Org, operator_kua_a: User
) -> None:
    response = browser(operator_kua_a).get(f"/org/unit/{org.kua_a.pk}/lokasi/?edit={'9' * 5000}")

    assert response.status_code == 404


def test_a_grant_decision_with_5000_digits_is_not_found(org: Org, operator_kua_a: User) -> None:
    response = browser(operator_kua_a).post(
        "/org/lokasi-tambahan/persetujuan/", {"grant": "9" * 5000, "decision": "approve"}
    )

    assert response.status_code == 404


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_double_clicked_month_close_closes_once_and_answers_both(
    org: Org, operator_kua_a: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both clicks passed the "already closed?" check before either wrote: a 500."""
    from hadir.recap import reports

    barrier = threading.Barrier(2, timeout=5)
    rows = reports.report_rows

    def snapshot(*args: Any, **kwargs: Any) -> Any:
        if not kwargs.get("daily"):
            # Both clicks inside the close, as a big unit's seconds allow; with the lock the
            # second waits for the first instead, and the barrier times out.
            with contextlib.suppress(threading.BrokenBarrierError):
                barrier.wait()
        return rows(*args, **kwargs)

    monkeypatch.setattr(reports, "report_rows", snapshot)
    codes: list[int] = []

    def click() -> None:
        try:
            url = f"/rekap/unit/{org.kua_a.pk}/tutup/?bulan=2024-01"
            codes.append(browser(operator_kua_a).post(url).status_code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=click) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert PeriodClose.objects.count() == 1
    assert sorted(codes) == [302, 302]


def test_a_unit_name_longer_than_its_column_is_refused_on_its_line(
    org: Org, tmp_path: Path
) -> None:
    path = tmp_path / "unit.csv"
    path.write_text(
        "code,name,kind,parent,timezone,pattern\nU1," + "N" * 300 + ",KUA,,WIB,KANTOR_5H\n"
    )
    err = StringIO()

    with pytest.raises(CommandError):
        call_command("import_units", str(path), stdout=StringIO(), stderr=err)

    assert "unit.csv:2: name: paling banyak 200 karakter" in err.getvalue()


@pytest.mark.parametrize(
    ("column", "value"),
    [("name", "N" * 300), ("position", "P" * 300), ("email", "a" * 60 + "@" + "b" * 200 + ".com")],
)
def test_an_employee_value_longer_than_its_column_is_refused_on_its_line(
    org: Org, tmp_path: Path, column: str, value: str
) -> None:
    row = {
        "nip": valid_nip(4242),
        "name": "N",
        "unit": "KUA-A",
        "pattern": "",
        "golongan": "III/a",
        "start": "2020-01-01",
        "email": "",
        "position": "",
        "end": "",
    }
    row[column] = value
    path = tmp_path / "pegawai.csv"
    path.write_text(",".join(row) + "\n" + ",".join(row.values()) + "\n")
    err = StringIO()

    with pytest.raises(CommandError):
        call_command("import_employees", str(path), stdout=StringIO(), stderr=err)

    assert f"pegawai.csv:2: {column}: paling banyak" in err.getvalue()


def test_the_api_asks_to_log_in_in_indonesian(db: None) -> None:
    response = browser().get("/api/me")

    assert (response.status_code, response.json()) == (
        401,
        {"detail": "Silakan masuk terlebih dahulu."},
    )


def test_the_api_names_a_bad_id_in_indonesian(org: Org, operator_kua_a: User) -> None:
    (problem,) = browser(operator_kua_a).get("/api/units/abc/employees").json()["detail"]

    assert (problem["msg"], problem["type"]) == ("harus bilangan bulat", "int_parsing")


def test_the_api_says_not_found_in_indonesian(org: Org, operator_kua_a: User) -> None:
    response = browser(operator_kua_a).get("/api/units/999999/employees")

    assert (response.status_code, response.json()) == (404, {"detail": "Tidak ditemukan."})


def test_the_api_refuses_a_wrong_method_in_json_and_indonesian(
    org: Org, operator_kua_a: User
) -> None:
    response = browser(operator_kua_a).delete("/api/units")

    assert (response.status_code, response["Allow"], response.json()) == (
        405,
        "GET",
        {"detail": "Metode ini tidak diizinkan di sini."},
    )


def test_a_page_without_the_api_keeps_django_s_own_405(org: Org, operator_kua_a: User) -> None:
    response = browser(operator_kua_a).put("/akun/keluar/")

    assert response.status_code == 405
    assert response["Content-Type"].startswith("text/html")


def test_an_unknown_api_path_is_not_found_in_json_and_indonesian(
    org: Org, operator_kua_a: User
) -> None:
    response = browser(operator_kua_a).get(f"/api/units/{org.kua_a.pk}/employees/")  # a slash

    assert (response.status_code, response.json()) == (404, {"detail": "Tidak ditemukan."})


def test_an_api_body_that_is_not_json_is_told_so_in_indonesian(
    org: Org, operator_kua_a: User
) -> None:
    response = browser(operator_kua_a).post(
        "/api/presensi/check-in", "{rusak", content_type="application/json"
    )

    assert (response.status_code, response.json()) == (
        400,
        {"detail": "isi permintaan bukan JSON yang valid"},
    )
