"""What a shared phone, a warnet PC or a proxy between a madrasah and the server could keep of
one person's data after they have left it: nothing (no-store on every answer of the site)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.utils import timezone

from hadir.org.models import Employee, Role
from hadir.recap.exports_jobs import export_job_run
from hadir.recap.models import ExportJob
from tests.clock import Clock
from tests.conftest import Org, user_with_role
from tests.factories import UserFactory
from tests.requests.support import MONDAY, WEDNESDAY, client_for, file_request, local

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    """Wednesday 6 March 2024, 10:00 WIB, as the request tests stand."""
    frozen = Clock(local(WEDNESDAY, "10:00"))
    monkeypatch.setattr(timezone, "now", lambda: frozen.now)
    return frozen


@pytest.fixture
def siti(org: Org) -> Employee:
    """A Pegawai of KUA A with an account."""
    employee = org.employees(org.kua_a)[0]
    employee.user = UserFactory.create(username=employee.nip)
    employee.save(update_fields=["user"])
    return employee


def _body(response: Any) -> bytes:
    streamed = getattr(response, "streaming_content", None)
    return b"".join(streamed) if streamed is not None else response.content


def _uncacheable(response: Any) -> bool:
    """Whether the answer tells browsers and proxies to keep no copy of it (``no-store``, as
    Django's ``never_cache`` sends on its own login and admin pages)."""
    return "no-store" in response.get("Cache-Control", "")


def test_an_evidence_letter_is_served_so_that_no_browser_or_proxy_keeps_a_copy(
    siti: Employee,
) -> None:
    # DOMAIN.md §7: letters (a doctor's note for cuti sakit, a surat tugas) "are only readable
    # by the owner and their verifiers". Served without Cache-Control, the PDF stays in the
    # disk cache of the warnet PC or shared office phone it was opened on, for whoever uses
    # that browser next (OWASP ASVS 8.2.1: anti-caching headers on sensitive data).
    item = file_request(siti, "SISTEM_ERROR", MONDAY)
    response = client_for(siti.user).get(f"/laporan/{item.reference}/bukti/")

    assert response.status_code == 200
    assert _body(response).startswith(b"%PDF-")
    assert _uncacheable(response), response.get("Cache-Control")


@pytest.mark.parametrize("url", ["/presensi/", "/rekap/saya/", "/api/presensi/today"])
def test_an_employees_own_pages_and_answers_are_not_kept_for_the_next_user_of_the_phone(
    siti: Employee, url: str
) -> None:
    # README "Presensi": one phone is shared by several ASN (sw.js itself says "the real page is
    # never cached: it is one employee's, and a shared phone has several"). After Keluar, the
    # back button or the browser's cache must not show the previous person's check-in page,
    # TUKIN deduction and meal money (Bulan saya) or today's punches to the next one.
    response = client_for(siti.user).get(url)

    assert response.status_code == 200
    assert _uncacheable(response), (url, response.get("Cache-Control"))


def test_a_units_exported_recap_is_downloaded_without_leaving_a_copy_in_caches(
    org: Org,
) -> None:
    # README "Rekap unit": an export holds the unit's names, NIPs, TUKIN deductions and meal
    # money ("who took a unit's figures out of the system" is audited). The background job's
    # file is fetched with a GET: without no-store it is kept in the browser's and any proxy's
    # cache beside the audited download.
    leader = user_with_role(Role.LEADER, org.kua_a)
    job = ExportJob.objects.create(
        user=leader, unit=org.kua_a, month=date(2024, 2, 1), format="csv", daily=False
    )
    export_job_run(job.pk)
    response = client_for(leader).get(f"/rekap/ekspor/{job.pk}/", {"unduh": "1"})

    assert response.status_code == 200
    assert b"nip" in _body(response)
    assert _uncacheable(response), response.get("Cache-Control")


def test_static_files_keep_their_own_caching(client: Any) -> None:
    # A madrasah's weak signal: the phone page's script and styles are fetched once.
    from django.contrib.staticfiles import finders

    assert finders.find("hadir/checkin.js")
    response = client.get("/static/hadir/checkin.js")

    assert response.status_code == 200
    assert not _uncacheable(response)
