"""Configuration from the environment, and production refusing the development secret."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from hadir.config.env import env, env_bool


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("1", True), ("true", True), (" Yes ", True), ("ON", True), ("0", False), ("no", False)],
)
def test_env_bool_reads_the_usual_spellings(
    monkeypatch: pytest.MonkeyPatch, raw: str, expected: bool
) -> None:
    monkeypatch.setenv("HADIR_TEST_FLAG", raw)
    assert env_bool("HADIR_TEST_FLAG", default=not expected) is expected


def test_unset_or_empty_variables_take_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HADIR_TEST_FLAG", "")
    monkeypatch.delenv("HADIR_TEST_VALUE", raising=False)
    assert env_bool("HADIR_TEST_FLAG", default=True) is True
    assert env("HADIR_TEST_VALUE", "fallback") == "fallback"


def import_production(secret: str | None) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if k != "DJANGO_SECRET_KEY"}
    if secret is not None:
        environment["DJANGO_SECRET_KEY"] = secret
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "import hadir.config.settings.production as p;"
            " print(p.DEBUG, sorted(p.HADIR_TRUSTED_PROXIES))",
        ],
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )


def test_production_refuses_to_start_with_the_development_secret() -> None:
    result = import_production(None)
    assert result.returncode != 0
    assert "Set DJANGO_SECRET_KEY in production." in result.stderr


def test_production_starts_with_a_real_secret_and_debug_off() -> None:
    result = import_production("a-real-secret-from-the-vault-0123456789")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False ['127.0.0.1', '::1']"  # the proxy in front
