"""``GET /api/health``: a liveness probe that needs no login and reads no table."""

from __future__ import annotations

import pytest
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext

from hadir.common.middleware import NoNulFromUrls


@pytest.mark.django_db
def test_health_answers_ok_without_login_or_queries(client: Client) -> None:
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/api/health")
    assert response.status_code == 200
    assert response.json() == {"ok": True}
    assert len(queries) == 0


@pytest.mark.django_db
def test_health_answers_a_probe_asking_head(client: Client) -> None:
    assert client.head("/api/health").status_code == 200


def test_bench_settings_import_with_debug_off() -> None:
    import subprocess
    import sys

    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import hadir.config.settings.bench as b; print(b.DEBUG, b.SECRET_KEY[:10])",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "bench-only"]


def test_a_nul_in_a_url_path_names_nothing_and_in_a_query_is_dropped(client: Client) -> None:
    """Nothing from a URL may carry a NUL to PostgreSQL (hadir.common.middleware)."""
    seen: list[str] = []

    def view(request: HttpRequest) -> HttpResponse:
        seen.append(request.GET["q"])
        return HttpResponse()

    NoNulFromUrls(view)(RequestFactory().get("/org/unit/1/", {"q": "a\x00b"}))

    assert seen == ["ab"]
    assert client.get("/api/health%00").status_code == 404
