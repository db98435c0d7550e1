from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SchedulesConfig(AppConfig):
    name = "hadir.schedules"
    label = "schedules"
    verbose_name = _("Schedules and policy")

    def ready(self) -> None:
        from hadir.schedules import cache  # noqa: F401 - connects the receivers that move its generation
