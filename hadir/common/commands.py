"""Shared shape of the import commands: one file argument, ``--dry-run``, every problem listed."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import ngettext

from hadir.common.tables import TableRefused


class ImportCommand(BaseCommand):
    """Run ``service(path=…, dry_run=…, actor_label=…, **extra)`` and report like a compiler.

    Subclasses add their own options with :meth:`add_options` and turn them into service
    arguments with :meth:`service_kwargs` (raising ``CommandError`` for a bad value).
    """

    service: Callable[..., Any]

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--dry-run", action="store_true", help="validate and report only; write nothing"
        )
        self.add_options(parser)

    def add_options(self, parser: CommandParser) -> None:
        """Extra options of a particular import."""

    def service_kwargs(self, options: dict[str, Any]) -> dict[str, Any]:
        """Extra service arguments from the options."""
        return {}

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        try:
            report = type(self).service(
                path=path,
                dry_run=options["dry_run"],
                actor_label=f"command:{self.command_name()}",
                **self.service_kwargs(options),
            )
        except TableRefused as refused:
            for problem in refused.problems:
                self.stderr.write(str(problem))
            count = len(refused.problems)
            raise CommandError(
                ngettext(
                    "%(file)s refused whole, nothing written: %(count)s problem",
                    "%(file)s refused whole, nothing written: %(count)s problems",
                    count,
                )
                % {"file": path.name, "count": count}
            ) from None
        self.stdout.write(str(report))

    def command_name(self) -> str:
        return type(self).__module__.rsplit(".", 1)[-1]
