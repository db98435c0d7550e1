from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecapConfig(AppConfig):
    name = "hadir.recap"
    label = "recap"
    verbose_name = _("Recap")

    def ready(self) -> None:
        from hadir.recap import signals  # noqa: F401  (connects the refresh receivers)
