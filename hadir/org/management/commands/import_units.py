"""``manage.py import_units FILE.csv``: columns ``code,name,kind,parent,timezone,pattern``."""

from hadir.common.commands import ImportCommand
from hadir.org.services import units_import


class Command(ImportCommand):
    help = "Import or update units from a CSV/XLSX file (code,name,kind,parent,timezone,pattern[,pattern_since])."
    service = staticmethod(units_import)
