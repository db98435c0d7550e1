"""``manage.py import_punches FILE [--machine SERIAL]``: CSV ``nip,time[,lat,lng,source]`` or a
ZKTeco attlog of the given machine."""

from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _

from hadir.common.commands import ImportCommand
from hadir.presence.imports import punches_import
from hadir.presence.models import Machine


class Command(ImportCommand):
    help = (
        "Import punches from a CSV (nip,time[,lat,lng,source]) or a fingerprint machine's attlog."
    )
    service = staticmethod(punches_import)

    def add_options(self, parser: CommandParser) -> None:
        parser.add_argument("--machine", help="serial number of the machine whose attlog this is")

    def service_kwargs(self, options: dict[str, Any]) -> dict[str, Any]:
        if not options["machine"]:
            return {}
        # Case-blind: a machine registered before serials were stored upper-cased.
        machine = Machine.objects.filter(
            serial__iexact=Machine.serial_as_printed(options["machine"])
        ).first()
        if machine is None:
            raise CommandError(
                _("no machine with serial number '%(serial)s'") % {"serial": options["machine"]}
            )
        return {"machine": machine}
