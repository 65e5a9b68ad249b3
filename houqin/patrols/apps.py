from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PatrolsConfig(AppConfig):
    name = "houqin.patrols"
    verbose_name = _("巡查检查")

    def ready(self):
        from houqin.core.audit import register as audit
        from houqin.files.registry import register_attachable
        from houqin.notifications.events import register_event
        from houqin.patrols import (  # noqa: F401
            access,
            jobs,
            nav,
            nav_insight,
            nav_phone,
            services,
            work,
        )
        from houqin.patrols.models import Answer, Checklist, Plan, Route
        from houqin.schedules.heartbeat import on_tick

        audit(Checklist, Route, Plan)
        register_event(
            services.EVENT_MISSED_ROUND,
            _("漏巡提醒"),
            channels=("inbox", "email"),
            optional=False,
        )
        register_event(services.EVENT_MISSED_CHECKPOINTS, _("巡查漏检点位"))
        register_event(
            services.EVENT_COUNT_MISMATCH,
            _("校车人数不符告警"),
            channels=("inbox", "email"),
            optional=False,
        )
        register_attachable(
            Answer,
            can_view=access.can_view_answer,
            can_add=access.can_add_answer_photo,
            can_remove=access.can_remove_answer_photo,
        )
        jobs.register()
        on_tick(jobs.on_heartbeat)
