"""The verifier's work (DOMAIN.md §7): the queue at 200 requests, decisions made meanwhile by
someone else, the letter shown inline, the note reaching the employee, and the pages' cost for
people who moved or take cuti often.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from contextlib import AbstractContextManager, suppress
from datetime import date, timedelta
from typing import Any

from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from hadir.accounts.models import User
from hadir.org.models import Employee, Role, Unit
from hadir.org.services import employee_place
from hadir.requests.models import Category, Notification, Request, Status
from hadir.requests.services import request_withdraw
from tests.conftest import Org, user_with_role
from tests.requests.support import (
    MONDAY,
    SATURDAY,
    TUESDAY,
    account,
    approve,
    client_for,
    file_request,
    page_messages,
    reject,
)

QUEUE = reverse("requests:queue")
OnCommit = Callable[..., AbstractContextManager[list[Callable[[], Any]]]]


def _moved(employee: Employee, unit: Unit, since: date) -> Employee:
    """A dated move (mutasi), as the employees import or the admin's "pindah sejak" makes it."""
    employee_place(employee, unit=unit, pattern=None, since=since)
    employee.save()
    return employee


def _waiting(people: list[Employee], count: int) -> list[Request]:
    """``count`` complaints waiting, one per person and working day from 2 January 2024 on,
    sent a minute apart (the oldest first); written as rows, as a busy month leaves them."""
    rows: list[Request] = []
    day = date(2024, 1, 2)
    while len(rows) < count:
        if day.weekday() < 5:
            for employee in people[: count - len(rows)]:
                n = len(rows) + 1
                rows.append(
                    Request(
                        reference=f"PGD-2024-{n:06d}",
                        employee=employee,
                        category=Category.PENGADUAN,
                        code="SISTEM_ERROR",
                        start=day,
                        end=day,
                        session="PAGI",
                        reason="Mesin sidik jari mati.",
                        status=Status.SUBMITTED,
                        submitted_at=timezone.now() - timedelta(days=60) + timedelta(minutes=n),
                    )
                )
        day += timedelta(days=1)
    return Request.objects.bulk_create(rows)


# ---------------------------------------------------------------- the queue with 200 waiting


def test_a_bulk_rejection_of_a_request_another_verifier_approved_meanwhile_says_so(
    org: Org, siti: Employee, budi: Employee, verifier: User
) -> None:
    # Two verifiers share Kankemenag A's queue (DOMAIN.md §7; the brief: "two verifiers deciding
    # the same request at once"). Bambang ticks Siti's and Budi's complaints and rejects both;
    # meanwhile Ani had approved Siti's. The page must not tell Bambang his rejection went
    # through quietly for one of two: it must name Siti's request as already decided.
    ani = user_with_role(Role.VERIFIER, org.kab_a)
    sitis, budis = file_request(siti, start=MONDAY), file_request(budi, start=MONDAY)
    approve(sitis, ani)
    response = client_for(verifier).post(
        QUEUE,
        {"decision": "reject", "note": "Surat palsu.", "chosen": [sitis.pk, budis.pk]},
        follow=True,
    )
    sitis.refresh_from_db()
    assert sitis.status == Status.APPROVED
    assert any(sitis.reference in text for text in page_messages(response)), page_messages(response)


def test_a_bulk_decision_on_a_request_withdrawn_meanwhile_says_so(
    siti: Employee, budi: Employee, verifier: User
) -> None:
    # Siti withdraws her complaint while the verifier has the queue open; his bulk approval
    # of both must say that hers was withdrawn, not report "1 decided" as if that were all he
    # ticked (DOMAIN.md §7; the brief: "a request withdrawn while being decided").
    from hadir.requests.services import request_withdraw

    sitis, budis = file_request(siti, start=MONDAY), file_request(budi, start=MONDAY)
    request_withdraw(actor=account(siti), request=sitis)
    response = client_for(verifier).post(
        QUEUE, {"decision": "approve", "chosen": [sitis.pk, budis.pk]}, follow=True
    )
    assert any(sitis.reference in text for text in page_messages(response)), page_messages(response)


def test_the_queue_with_more_than_200_waiting_lets_the_verifier_reach_every_request(
    siti: Employee, budi: Employee, man_teacher: Employee, verifier: User
) -> None:
    # A verifier with 201 requests waiting is told "201 laporan menunggu" and shown 200, with no
    # next page and no word that one is left out: the newest cannot be opened from the queue
    # until others are decided. The project's own rule for long lists (the discipline list,
    # stop 22): say how many more and link them. Here: a link to a page that lists the 201st.
    _waiting([siti, budi, man_teacher], 201)
    client = client_for(verifier)
    page = client.get(QUEUE).content.decode()
    newest = "PGD-2024-000201"
    if newest in page:
        return
    further = {
        link.replace("&amp;", "&")
        for link in re.findall(r'href="([^"]*)"', page)
        if link.startswith(QUEUE + "?")
    }
    assert any(newest in client.get(link).content.decode() for link in further), further


def test_the_queue_reads_the_placements_of_people_who_moved_once_not_once_per_request(
    org: Org, siti: Employee, budi: Employee, man_teacher: Employee, verifier: User
) -> None:
    # After the July mutasi, many waiting complaints are about days lived in the former unit.
    # The queue must cost the same queries for 2 or 6 such requests (README: "the verification
    # queue costs the same number of queries for 5 or 200 requests"); it reads each request's
    # placements again for its check-in attempts (attempts_within → days_and_clocks).
    for employee in (siti, budi, man_teacher):
        _moved(employee, org.kab_a, date(2024, 3, 1))
    february = [date(2024, 2, 5), date(2024, 2, 6)]
    client = client_for(verifier)
    for day in february:
        file_request(siti, start=day)
    client.get(QUEUE)  # the first view stores the days around; count the steady state
    with CaptureQueriesContext(connection) as two:
        client.get(QUEUE)
    for employee in (budi, man_teacher):
        for day in february:
            file_request(employee, start=day)
    client.get(QUEUE)
    with CaptureQueriesContext(connection) as six:
        assert len(client.get(QUEUE).context["items"]) == 6
    assert len(six.captured_queries) == len(two.captured_queries)


# ---------------------------------------------------------------- the letter and the note


def test_the_letter_the_verifiers_pages_show_inline_may_be_shown_inside_them(
    siti: Employee, verifier: User
) -> None:
    # README: the verifier sees "the PDF inline"; the queue and the request page embed the
    # letter in an <iframe> of the same site. The letter is answered with X-Frame-Options:
    # DENY (the clickjacking middleware's default), so every browser refuses to show it in
    # the frame: the verifier sees an error box instead of the letter he must judge.
    request = file_request(siti, start=MONDAY)
    client = client_for(verifier)
    letter = reverse("requests:evidence", args=[request.reference])
    for page in (QUEUE, reverse("requests:detail", args=[request.reference])):
        assert re.search(
            rf'<iframe[^>]*src="{re.escape(letter)}"', client.get(page).content.decode()
        )
    answer = client.get(letter)
    assert answer.status_code == 200
    assert answer.get("X-Frame-Options", "").upper() != "DENY"
    assert "frame-ancestors 'none'" not in answer.get("Content-Security-Policy", "")


def test_a_long_rejection_note_reaches_the_employee_whole_by_mail_and_in_the_app(
    siti: Employee, verifier: User, django_capture_on_commit_callbacks: OnCommit
) -> None:
    # The verifier may write a note of 500 characters (the form's limit); DOMAIN.md §7 says he
    # rejects "with a note". The notification is cut at 300 characters, sentence and all, and
    # the e-mail is that cut text: Siti reads half a reason, with nothing saying it goes on.
    request = file_request(siti, start=MONDAY)
    note = (
        "Surat keterangan dari kepala KUA belum ditandatangani dan belum dicap, tanggal pada "
        "surat tidak sama dengan tanggal yang diadukan, dan log mesin sidik jari pada hari itu "
        "menunjukkan mesin berfungsi normal sejak pukul 06:00. Silakan ajukan kembali dengan "
        "surat yang ditandatangani kepala KUA, dicap, dan memuat tanggal 04-03-2024, disertai "
        "keterangan teknisi bila mesin memang rusak. Hubungi petugas kepegawaian bila perlu."
    )
    assert len(note) <= 500
    with django_capture_on_commit_callbacks(execute=True):
        reject(request, verifier, note=note)
    [notification] = Notification.objects.filter(user=account(siti))
    [message] = mail.outbox
    assert note in notification.shown
    assert note in message.body


def _first_button_after_the_note(page: str) -> tuple[str, str]:
    """In the form holding the note: the note field's tag and the value of the form's first
    submit button, the one a browser "clicks" when Enter is pressed in a single-line field
    (HTML's implicit submission)."""
    for form in re.findall(r"<form\b.*?</form>", page, flags=re.S):
        note = re.search(r'<(input|textarea)\b[^>]*name="note"', form)
        if note is None:
            continue
        buttons = re.findall(r"<button\b([^>]*)>", form)
        submits = [b for b in buttons if 'type="button"' not in b and "type=button" not in b]
        value = re.search(r'value="([^"]*)"', submits[0]) if submits else None
        return note.group(1), value.group(1) if value else ""
    raise AssertionError("no decision form with a note")


def test_pressing_enter_in_the_rejection_note_does_not_approve(
    siti: Employee, verifier: User
) -> None:
    # The verifier types why he rejects ("Surat tidak ditandatangani") and presses Enter, or
    # the phone keyboard's "Kirim": the browser submits the form with its first button, which
    # is "Setujui" (checked in Chromium: the submitter is value=approve). The request is
    # approved, and the employee is told it was approved "Catatan: Surat tidak
    # ditandatangani". On the queue, every ticked request is approved at once.
    request = file_request(siti, start=MONDAY)
    client = client_for(verifier)
    for url in (reverse("requests:detail", args=[request.reference]), QUEUE):
        field, default = _first_button_after_the_note(client.get(url).content.decode())
        assert field == "textarea" or default != "approve", (url, field, default)


# ---------------------------------------------------------------- the employee's side


def test_the_absence_list_costs_the_same_queries_for_two_or_ten_cuti(siti: Employee) -> None:
    # Laporan → Ketidakhadiran shows the cuti tahunan balance; it evaluates the days of every
    # cuti request one by one (leave_taken → leave_working_days → evaluate_dates), so an
    # employee who takes her 12 days a day or two at a time pays two queries per request, year
    # after year, on every visit.
    client = client_for(account(siti))
    url = reverse("requests:index") + f"?kategori={Category.KETIDAKHADIRAN}"
    days = [date(2024, 1, 2) + timedelta(weeks=n) for n in range(10)]
    for day in days[:2]:
        file_request(siti, "CT", start=day)
    client.get(url)
    with CaptureQueriesContext(connection) as two:
        client.get(url)
    for day in days[2:]:
        file_request(siti, "CT", start=day)
    client.get(url)
    with CaptureQueriesContext(connection) as ten:
        client.get(url)
    assert len(ten.captured_queries) == len(two.captured_queries)


def test_a_cuti_over_days_off_only_is_refused_like_a_complaint_on_a_day_off(
    siti: Employee,
) -> None:
    # DOMAIN.md §4.5: an absence "on a non-working day changes nothing (LIBUR)". A complaint for
    # a day off is refused ("there is nothing to excuse", stop 22); a cuti tahunan for Saturday
    # and Sunday is accepted, numbered and sent to the verifier, though it excuses nothing and
    # takes nothing from the balance.
    from hadir.requests.services import RequestRefused

    with suppress(RequestRefused):
        file_request(siti, "CT", start=SATURDAY, end=SATURDAY + timedelta(days=1))
    assert not Request.objects.filter(employee=siti).exists()


def test_rejecting_with_nothing_ticked_says_nothing_was_chosen(
    siti: Employee, verifier: User
) -> None:
    # The verifier writes the reason, presses "Tolak yang dipilih" but forgot to tick: the queue
    # comes back without a word and his note is gone. He must be told nothing was chosen.
    file_request(siti, start=TUESDAY)
    response = client_for(verifier).post(
        QUEUE, {"decision": "reject", "note": "Surat tidak ditandatangani."}, follow=True
    )
    assert page_messages(response) != []


def test_a_refused_bulk_decision_keeps_the_note_and_the_ticks_as_they_were_sent(
    siti: Employee, budi: Employee, verifier: User
) -> None:
    # The verifier typed a long note and ticked two of many requests; one was withdrawn in
    # another tab meanwhile. The refusal names it, and the page comes back with the note
    # still typed and the request still waiting still ticked, ready to press again.
    sitis, budis = file_request(siti, start=TUESDAY), file_request(budi, start=TUESDAY)
    file_request(siti, start=MONDAY)  # more waiting, not ticked
    request_withdraw(actor=account(budi), request=budis)
    note = "Surat tugas belum ditandatangani kepala madrasah; mohon dilengkapi."
    response = client_for(verifier).post(
        QUEUE, {"decision": "approve", "chosen": [sitis.pk, budis.pk], "note": note}
    )
    assert response.status_code == 200
    assert any(budis.reference in text for text in page_messages(response))
    page = response.content.decode()
    assert f"{note}</textarea>" in page
    assert f'value="{budis.pk}" checked' not in page  # it left the queue


def test_a_rejection_without_a_note_keeps_the_ticks_for_the_second_try(
    siti: Employee, budi: Employee, verifier: User
) -> None:
    sitis, budis = file_request(siti, start=TUESDAY), file_request(budi, start=TUESDAY)
    response = client_for(verifier).post(QUEUE, {"decision": "reject", "chosen": [sitis.pk]})
    assert response.status_code == 200
    page = response.content.decode()
    assert f'value="{sitis.pk}" checked' in page
    assert f'value="{budis.pk}" checked' not in page
    assert Request.objects.get(pk=sitis.pk).status == Status.SUBMITTED


def test_a_note_over_the_limit_comes_back_typed_not_lost(siti: Employee, verifier: User) -> None:
    sitis = file_request(siti, start=TUESDAY)
    note = "Surat tidak sah. " * 40  # 680 characters, over the 500 allowed
    response = client_for(verifier).post(
        QUEUE, {"decision": "reject", "chosen": [sitis.pk], "note": note}
    )
    assert response.status_code == 200
    assert page_messages(response) != []
    assert note.strip() in response.content.decode()
    assert f'value="{sitis.pk}" checked' in response.content.decode()
