"""What the organisation asks of its administrators on "我的工作"."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from houqin.core.work import WorkItem, register_provider
from houqin.org.calendar import holidays_known
from houqin.org.models import Term


@register_provider
def calendar_gaps(request):
    """Working days are wrong for a year the national calendar package does not know
    until someone enters that year's holidays and swapped days."""
    if not request.user.has_perm("org.manage_calendar"):
        return []
    today = timezone.localdate()
    terms = Term.objects.filter(school=request.school, end__gte=today).values_list("start", "end")
    years = sorted({year for start, end in terms for year in range(start.year, end.year + 1)})
    missing = [year for year in years if not holidays_known(year)]
    return [
        WorkItem(
            title=_("录入 %(year)d 年法定节假日和调休安排") % {"year": year},
            detail=_("学期跨入 %(year)d 年，国家节假日数据尚未覆盖，工作日计算仅按周一至周五。")
            % {"year": year},
            url=f"{reverse('org:calendar')}?month={year}-01",
            icon="calendar-x",
            urgent=True,
        )
        for year in missing
    ]
