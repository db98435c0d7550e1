"""What the employee and the operator read: refusal reasons and the page's texts in Indonesian.

The refusal list is the evidence an employee points to in a ``SISTEM_ERROR`` complaint, so each
reason must say in Indonesian what it means (fuzzy translation guesses once named a mock
location "titik lokasi" and poor accuracy the operator's tolerance setting).
"""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.utils import translation

from hadir.accounts.models import User
from hadir.presence.models import Refusal

INDONESIAN_REASONS = {
    Refusal.Reason.INACTIVE: "akun tidak aktif",
    Refusal.Reason.OUTSIDE_WINDOW: "di luar rentang presensi",
    Refusal.Reason.OUTSIDE_AREA: "di luar semua titik lokasi",
    Refusal.Reason.POOR_ACCURACY: "akurasi GPS terlalu rendah",
    Refusal.Reason.MOCK_LOCATION: "lokasi palsu (mock location)",
    Refusal.Reason.IMPOSSIBLE_TRAVEL: "perpindahan mustahil",
    Refusal.Reason.UNKNOWN_DEVICE: "perangkat tidak dikenal",
    Refusal.Reason.NO_LOCATION: "titik lokasi belum diatur",
}


@pytest.mark.parametrize(("reason", "label"), INDONESIAN_REASONS.items())
def test_each_refusal_reason_is_named_for_what_it_is_in_indonesian(
    reason: Refusal.Reason, label: str
) -> None:
    with translation.override("id"):
        assert str(reason.label) == label


def test_every_refusal_reason_has_its_indonesian_name() -> None:
    assert set(INDONESIAN_REASONS) == set(Refusal.Reason)


def test_the_check_in_page_says_it_is_sending_while_it_sends(
    client: Client, employee_user: User
) -> None:
    client.force_login(employee_user)
    page = client.get("/presensi/").content.decode()
    start = page.index('<script id="checkin-texts" type="application/json">')
    texts = json.loads(page[page.index(">", start) + 1 : page.index("</script>", start)])
    assert texts["sending"] == "Mengirim…"
    assert texts["retrying"] == "Sinyal lemah, mengirim ulang…"
