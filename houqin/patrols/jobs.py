"""The patrols' scheduled work.

- The job ``patrols.rounds`` (one schedule per plan, params ``{"plan": id}``) makes the
  plan's expected round of each day it runs: ``services.create_expected_rounds``.
- On the scheduler heartbeat (once a minute) the expected rounds past their due time with
  no finished round are flagged 漏巡 and the managers told: ``services.flag_missed_rounds``.
  Each is claimed by a conditional update, so it is safe on several scheduler machines.

In a test: ``houqin.schedules.heartbeat.tick(now)``.
"""

import logging

from django import forms
from django.utils.translation import gettext_lazy as _

from houqin.patrols import services
from houqin.patrols.models import Plan
from houqin.schedules.jobs import JobParamsForm, register_job

logger = logging.getLogger(__name__)


class RoundsParamsForm(JobParamsForm):
    """Shown when a schedule of this job is edited on the schedules pages."""

    plan = forms.ModelChoiceField(queryset=Plan.objects.none(), label=_("巡查安排"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["plan"].queryset = Plan.objects.filter(school=self.school, is_active=True)


def on_heartbeat(now):
    flagged = services.flag_missed_rounds(now)
    if flagged:
        logger.info("patrols: %s expected rounds flagged missed", flagged)
    return flagged


def register():
    register_job(
        services.JOB_CODE,
        _("生成巡查任务"),
        run=services.create_expected_rounds,
        params_form=RoundsParamsForm,
        description=_(
            "按巡查安排每天生成应巡任务；到完成时限还没有完成的，标记为漏巡并通知管理人员。"
            "一般在“巡查安排”中设置，不必在这里新建。"
        ),
        summary=services.plan_summary,
    )
