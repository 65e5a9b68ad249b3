"""Excel (.xlsx) exports: the request list with its filters, and the statistics.

Headers are Chinese; moments are real Excel date-times (local time), money is a number
with two decimals, hours are numbers. The workbooks are written in openpyxl's write-only
mode to a temporary file that ``FileResponse`` streams and then deletes.
"""

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from houqin.core.xlsx import XLSX_CONTENT_TYPE as XLSX_CONTENT_TYPE
from houqin.core.xlsx import Sheet, local_naive, to_tempfile
from houqin.repairs import stats as repair_stats

DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
DATE_FORMAT = "yyyy-mm-dd"
MONEY_FORMAT = "#,##0.00"
HOURS_FORMAT = "0.0"
PERCENT_FORMAT = "0.0"


def _yes(value):
    return _("是") if value else _("否")


def request_columns():
    text, when, money, hours = None, DATETIME_FORMAT, MONEY_FORMAT, HOURS_FORMAT
    return [
        (_("报修单号"), 16, text),
        (_("报修时间"), 17, when),
        (_("校区"), 12, text),
        (_("楼宇"), 12, text),
        (_("报修地点"), 18, text),
        (_("维修类别"), 14, text),
        (_("紧急程度"), 9, text),
        (_("故障描述"), 36, text),
        (_("状态"), 9, text),
        (_("报修人"), 10, text),
        (_("维修人员"), 10, text),
        (_("维修单位"), 18, text),
        (_("派单时间"), 17, when),
        (_("接单时间"), 17, when),
        (_("完成时间"), 17, when),
        (_("确认时间"), 17, when),
        (_("响应期限"), 17, when),
        (_("完成期限"), 17, when),
        (_("响应用时(工作小时)"), 12, hours),
        (_("完成用时(工作小时)"), 12, hours),
        (_("是否超期"), 9, text),
        (_("督办级别"), 9, "0"),
        (_("返修次数"), 9, "0"),
        (_("评分"), 7, "0"),
        (_("评价"), 24, text),
        (_("人工费(元)"), 12, money),
        (_("材料费(元)"), 12, money),
        (_("外包费(元)"), 12, money),
        (_("费用合计(元)"), 12, money),
        (_("学生损坏"), 9, text),
        (_("责任班级"), 12, text),
        (_("责任人"), 10, text),
        (_("维修说明"), 30, text),
    ]


REQUEST_FIELDS = (
    "status",
    "assignee_id",
    "vendor_id",
    "reported_at",
    "assigned_at",
    "accepted_at",
    "started_at",
    "done_at",
    "response_due",
    "completion_due",
)


def requests_workbook(requests, *, school, now=None):
    """The requests (a queryset already narrowed by the list's filters), one row each,
    oldest first. Runs a fixed number of queries."""
    now = now or timezone.now()
    requests = requests.select_related(
        "place__campus", "place__building", "reporter", "assignee", "vendor", "responsible_class"
    ).order_by("reported_at", "pk")
    hours = repair_stats.working_hours_function(school)
    book = Workbook(write_only=True)
    sheet = Sheet(book, _("报修单"), request_columns())
    for item in requests.iterator(chunk_size=500):
        row = {name: getattr(item, name) for name in REQUEST_FIELDS}
        responded = repair_stats.responded_at(row)
        place = item.place
        sheet.append(
            [
                item.number,
                local_naive(item.reported_at),
                place.campus.name,
                place.building.name if place.building_id else "",
                place.name,
                item.get_category_display(),
                item.get_urgency_display(),
                item.description,
                item.get_status_display(),
                item.reporter.name,
                item.assignee.name if item.assignee_id else "",
                item.vendor.name if item.vendor_id else "",
                local_naive(item.assigned_at),
                local_naive(item.accepted_at),
                local_naive(item.done_at),
                local_naive(item.closed_at),
                local_naive(item.response_due),
                local_naive(item.completion_due),
                _round(hours(item.reported_at, responded)) if responded else None,
                _round(hours(item.reported_at, item.done_at)) if item.done_at else None,
                _yes(repair_stats.is_overdue(row, now)),
                item.escalation_level,
                item.reopen_count,
                item.rating,
                item.rating_comment,
                item.labour_cost,
                item.parts_cost,
                item.vendor_cost,
                item.total_cost,
                _yes(item.damaged_by_students),
                item.responsible_class.name if item.responsible_class_id else "",
                item.responsible_person,
                item.done_note,
            ]
        )
    return to_tempfile(book)


def _round(value):
    return round(value, 1) if value is not None else None


def stats_workbook(stats, *, school, start=None, end=None, campus=None):
    """The statistics page as a workbook: an overview sheet, then one sheet per breakdown."""
    book = Workbook(write_only=True)
    overview = Sheet(
        book, _("概况"), [(_("指标"), 26, None), (_("数值"), 16, None), (_("单位"), 10, None)]
    )
    period = _("%(start)s 至 %(end)s") % {
        "start": start.isoformat() if start else _("最早"),
        "end": end.isoformat() if end else _("今天"),
    }
    overview.append([_("学校"), school.name, ""])
    overview.append([_("统计期间"), period, ""])
    overview.append([_("校区"), campus.name if campus else _("全部校区"), ""])
    overview.append([_("导出时间"), timezone.localtime().strftime("%Y-%m-%d %H:%M"), ""])
    lines = [
        (_("报修总数"), stats.total, _("单")),
        (_("未完成"), stats.open, _("单")),
        (_("已修好（待确认和已完成）"), stats.finished, _("单")),
        (_("已撤销"), stats.cancelled, _("单")),
        (_("超期"), stats.overdue, _("单")),
        (_("超期率"), stats.overdue_rate, "%"),
        (_("目前超期未完成"), stats.overdue_open, _("单")),
        (_("被督办"), stats.escalated, _("单")),
        (_("返修"), stats.reopened, _("单")),
        (_("平均响应用时"), stats.response_hours, _("工作小时")),
        (_("平均完成用时"), stats.completion_hours, _("工作小时")),
        (_("评价数"), stats.rated, _("单")),
        (_("平均评分"), stats.rating, _("分")),
        (_("满意率（4–5 分）"), stats.satisfied_rate, "%"),
        (_("学生损坏"), stats.student_damage, _("单")),
        (_("人工费"), stats.labour_cost, _("元")),
        (_("材料费"), stats.parts_cost, _("元")),
        (_("外包费"), stats.vendor_cost, _("元")),
        (_("费用合计"), stats.total_cost, _("元")),
    ]
    for label, value, unit in lines:
        overview.append([label, value, unit])

    share = (_("占比(%)"), 10, PERCENT_FORMAT)
    categories = Sheet(
        book, _("按类别"), [(_("维修类别"), 18, None), (_("报修数"), 10, "0"), share]
    )
    for row in stats.by_category:
        categories.append([row.label, row.count, row.share])
    buildings = Sheet(book, _("按楼宇"), [(_("楼宇"), 18, None), (_("报修数"), 10, "0"), share])
    for row in stats.by_building:
        buildings.append([row.label, row.count, row.share])
    workers = Sheet(
        book,
        _("按维修人员"),
        [
            (_("维修人员或单位"), 22, None),
            (_("派单数"), 10, "0"),
            (_("已修好"), 10, "0"),
            (_("超期"), 8, "0"),
            (_("平均响应(工作小时)"), 12, HOURS_FORMAT),
            (_("平均完成(工作小时)"), 12, HOURS_FORMAT),
            (_("平均评分"), 10, "0.00"),
            (_("费用合计(元)"), 14, MONEY_FORMAT),
        ],
    )
    for row in stats.by_worker:
        workers.append(
            [
                row.label,
                row.count,
                row.finished,
                row.overdue,
                row.response_hours,
                row.completion_hours,
                row.rating,
                row.cost,
            ]
        )
    ratings = Sheet(book, _("满意度"), [(_("评分"), 10, None), (_("评价数"), 10, "0"), share])
    for row in stats.ratings:
        ratings.append([row.label, row.count, row.share])
    places = Sheet(
        book,
        _("多次报修场所"),
        [
            (_("场所"), 24, None),
            (_("校区"), 12, None),
            (_("报修次数"), 10, "0"),
            (_("最近报修"), 17, DATETIME_FORMAT),
        ],
    )
    for place in stats.often_repaired:
        places.append(
            [
                place.full_name,
                place.campus.name,
                place.repair_count,
                local_naive(place.last_reported_at),
            ]
        )
    return to_tempfile(book)


def filename(label, start=None, end=None):
    """``报修统计-2026-09-01至2026-09-30.xlsx``."""
    if start and end:
        return f"{label}-{start:%Y-%m-%d}至{end:%Y-%m-%d}.xlsx"
    return f"{label}-{timezone.localdate():%Y-%m-%d}.xlsx"
