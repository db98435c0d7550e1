"""``GET /api/health``: a liveness probe that needs no login and reads no table."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext


@pytest.mark.django_db
def test_health_answers_ok_without_login_or_queries(client: Client) -> None:
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/api/health")
    assert response.status_code == 200
    assert response.json() == {"ok": True}
    assert len(queries) == 0


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
