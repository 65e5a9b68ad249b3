"""The assets' scheduled job: the monthly depreciation (registered when ``apps.py``
imports this module).

A schedule of the job "assets.depreciation" (每月某日, e.g. the 1st, calendar mode 每天)
depreciates the month before its slot: by then that month is over and every card booked
in it is on the books. The run is idempotent — ``DepreciationRun`` is unique per school and
month — so a retried or doubled slot books nothing twice.
"""

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from houqin.assets.depreciation import (
    DepreciationError,
    depreciate_month,
    month_start,
    previous_month,
)
from houqin.schedules.jobs import JobFailed, register_job


def depreciate_previous_month(schedule, slot):
    period = previous_month(month_start(slot))
    try:
        result = depreciate_month(schedule.school, period)
    except DepreciationError as error:
        raise JobFailed(str(error)) from error
    run = result.run
    if not result.created:
        return _("%(month)s 已计提过折旧，未重复计提。") % {"month": f"{period:%Y-%m}"}
    return _("%(month)s 计提折旧 %(count)s 张卡片，合计 %(amount)s 元。") % {
        "month": f"{period:%Y-%m}",
        "count": run.asset_count,
        "amount": number_format(run.amount, 2, force_grouping=True),
    }


register_job(
    "assets.depreciation",
    gettext_lazy("月度折旧"),
    depreciate_previous_month,
    description=gettext_lazy(
        "为本校在账固定资产计提上个月的折旧（年限平均法，残值为零）；同一月份只计提一次。"
    ),
)
