"""``manage.py import_excuses FILE.csv [--operator USERNAME]``: historical approved requests."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from hadir.accounts.models import User
from hadir.common.tables import TableRefused
from hadir.requests.imports import excuses_import


class Command(BaseCommand):
    help = "Import approved requests (nip,code,start,end,session) for migration; all or nothing."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--operator", help="user name (NIP) of the operator recorded as approving"
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="validate and report only; write nothing"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        operator = None
        if options["operator"]:
            operator = User.objects.filter(username=options["operator"]).first()
            if operator is None:
                raise CommandError(f"pengguna '{options['operator']}' tidak ada / no such user")
        try:
            report = excuses_import(
                path=options["file"],
                actor=operator,
                actor_label="command:import_excuses",
                dry_run=options["dry_run"],
            )
        except TableRefused as refused:
            for problem in refused.problems:
                self.stderr.write(str(problem))
            raise CommandError(
                f"{options['file'].name} ditolak seluruhnya, tidak ada yang disimpan: {len(refused.problems)} masalah / "
                "refused whole, nothing written"
            ) from None
        self.stdout.write(str(report))
