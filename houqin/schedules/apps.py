from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SchedulesConfig(AppConfig):
    name = "houqin.schedules"
    verbose_name = _("定时任务")
