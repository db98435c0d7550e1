"""The pages Django answers by itself (not found, a refused form, a server error) speak
Indonesian like every other page, and say what to do next."""

from __future__ import annotations

from django.test import Client, RequestFactory
from django.utils import translation
from django.views.defaults import server_error

from hadir.accounts.models import User


def test_a_page_that_does_not_exist_says_so_in_indonesian(client: Client, db: None) -> None:
    response = client.get("/tidak-ada/")

    assert response.status_code == 404
    html = response.content.decode()
    assert "Tidak ditemukan" in html
    assert "Kembali ke halaman awal" in html


def test_a_form_sent_from_an_out_of_date_page_is_refused_saying_what_to_do(
    employee_user: User,
) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(employee_user)

    response = client.post("/akun/keluar/")

    assert response.status_code == 403
    html = response.content.decode()
    assert "Halaman sudah usang" in html
    assert "Tidak ada yang tersimpan" in html


def test_a_server_error_page_needs_no_request_and_speaks_indonesian(db: None) -> None:
    with translation.override("id"):
        response = server_error(RequestFactory().get("/"))

    assert response.status_code == 500
    assert "Terjadi kesalahan di server" in response.content.decode()
