"""Shared shape of the import commands: one file argument, ``--dry-run``, every problem listed."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from hadir.common.tables import TableRefused


class ImportCommand(BaseCommand):
    """Run ``service(path=…, dry_run=…, actor_label=…)`` and report like a compiler would."""

    service: Callable[..., Any]

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--dry-run", action="store_true", help="validate and report only; write nothing"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        try:
            report = type(self).service(
                path=path, dry_run=options["dry_run"], actor_label=f"command:{self.command_name()}"
            )
        except TableRefused as refused:
            for problem in refused.problems:
                self.stderr.write(str(problem))
            raise CommandError(
                f"{path.name} ditolak seluruhnya, tidak ada yang disimpan: {len(refused.problems)} masalah / "
                f"refused whole, nothing written: {len(refused.problems)} problem(s)"
            ) from None
        self.stdout.write(str(report))

    def command_name(self) -> str:
        return type(self).__module__.rsplit(".", 1)[-1]
