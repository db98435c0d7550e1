"""``manage.py import_employees FILE.csv|.xlsx``: ``nip,name,unit,pattern,golongan,start``."""

from hadir.common.commands import ImportCommand
from hadir.org.services import employees_import


class Command(ImportCommand):
    help = (
        "Import or update employees (nip,name,unit,pattern,golongan,start"
        "[,email,position,end,unit_since,golongan_since])."
    )
    service = staticmethod(employees_import)
