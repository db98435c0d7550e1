"""``manage.py import_punches FILE [--machine SERIAL]``: CSV ``nip,time[,lat,lng,source]`` or a
ZKTeco attlog of the given machine."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from hadir.common.tables import TableRefused
from hadir.presence.imports import punches_import
from hadir.presence.models import Machine


class Command(BaseCommand):
    help = (
        "Import punches from a CSV (nip,time[,lat,lng,source]) or a fingerprint machine's attlog."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--machine", help="serial number of the machine whose attlog this is")
        parser.add_argument(
            "--dry-run", action="store_true", help="validate and report only; write nothing"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        machine = None
        if options["machine"]:
            machine = Machine.objects.filter(serial=options["machine"]).first()
            if machine is None:
                raise CommandError(
                    f"mesin dengan nomor seri '{options['machine']}' tidak ada / no such machine"
                )
        try:
            report = punches_import(
                path=options["file"],
                machine=machine,
                dry_run=options["dry_run"],
                actor_label="command:import_punches",
            )
        except TableRefused as refused:
            for problem in refused.problems:
                self.stderr.write(str(problem))
            raise CommandError(
                f"{options['file'].name} ditolak seluruhnya, tidak ada yang disimpan: {len(refused.problems)} masalah / "
                f"refused whole, nothing written"
            ) from None
        self.stdout.write(str(report))
