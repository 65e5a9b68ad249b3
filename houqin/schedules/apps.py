from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SchedulesConfig(AppConfig):
    name = "houqin.schedules"
    verbose_name = _("定时任务")

    def ready(self):
        from houqin.core.audit import register as audit
        from houqin.core.navigation import NavItem, register
        from houqin.notifications.events import register_event
        from houqin.schedules import reminder, work  # noqa: F401  (work registers a provider)
        from houqin.schedules.jobs import register_job
        from houqin.schedules.models import Schedule

        audit(Schedule, exclude=["runs_from"])
        register(
            NavItem(
                "schedules",
                _("定时任务"),
                "schedules:list",
                "alarm",
                perm="schedules.manage",
                order=60,
                section="manage",
            )
        )
        register_event(reminder.EVENT, _("定时提醒"))
        register_job(
            reminder.CODE,
            _("提醒"),
            reminder.run,
            params_form=reminder.ReminderParamsForm,
            description=_("按时提醒担任所选职务的人或指定人员，可同时发到群机器人。"),
            summary=reminder.summary,
        )
