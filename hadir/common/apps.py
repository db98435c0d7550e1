from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommonConfig(AppConfig):
    name = "hadir.common"
    label = "common"
    verbose_name = _("Audit")

    def ready(self) -> None:
        from hadir.common import addresses  # noqa: F401  (registers its system check)
