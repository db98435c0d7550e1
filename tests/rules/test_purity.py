"""The rules stay a pure library: standard library only, no figure outside the policy."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "hadir" / "rules"
MINE = [
    PACKAGE / f"{name}.py"
    for name in (
        "__init__",
        "patterns",
        "policy",
        "golongan",
        "schedule",
        "day",
        "month",
        "discipline",
        "explain",
    )
]
"""The attendance rules; other modules of the package (NIP, geofence) are tested by their owners."""
FIGURE_FILES = {"policy.py", "patterns.py"}
STDLIB = set(sys.stdlib_module_names)


@pytest.mark.parametrize("path", MINE, ids=lambda p: p.name)
def test_modules_import_only_the_standard_library_and_each_other(path: Path) -> None:
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            roots = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots = [node.module]
        else:
            continue
        for name in roots:
            assert name.split(".")[0] in STDLIB or name.startswith("hadir.rules"), (
                f"{path.name} imports {name}"
            )


def test_importing_the_rules_loads_no_django() -> None:
    """Django is loaded in this test process already, so look from a fresh interpreter."""
    code = "import sys, hadir.rules; print(any(m.split('.')[0] == 'django' for m in sys.modules))"
    command = [sys.executable, "-c", code]
    cwd = PACKAGE.parents[1]
    out = subprocess.run(command, capture_output=True, text=True, check=True, cwd=cwd)  # noqa: S603
    assert out.stdout.strip() == "False"


ALLOWED_NUMBERS = {0, 1, 2, 3, 60, 100}
"""Arithmetic, not policy: counting, halving (pivot), digit groups, minutes per hour, percent."""


@pytest.mark.parametrize(
    "path", [p for p in MINE if p.name not in FIGURE_FILES], ids=lambda p: p.name
)
def test_no_percentage_amount_or_threshold_is_written_outside_the_policy(path: Path) -> None:
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Constant) and type(node.value) in (int, float):
            assert node.value in ALLOWED_NUMBERS, (
                f"{path.name}:{node.lineno} literal {node.value!r}"
            )
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Decimal":
            literal = ast.literal_eval(node.args[0])
            assert literal in {"0.01", "1", 0, 100}, (
                f"{path.name}:{node.lineno} Decimal({literal!r})"
            )
