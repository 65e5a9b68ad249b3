"""The inspection-records ledger (巡查检查记录台账) as an Excel (.xlsx) workbook.

Sheet 1, one row per inspection (a round): date, time, kind, route or place, who, the
checkpoints reached of those due, the items answered, the failed items spelled out and the
hazards they raised. Sheet 2, one row per failed item, for following each one up.

Dates and times are real Excel values (local wall-clock time). The workbook is written in
openpyxl's write-only mode to a temporary file that ``FileResponse`` streams and then
deletes; rounds are read in chunks, so the queries grow with the number of chunks only.
"""

from collections import defaultdict
from itertools import islice

from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from houqin.core.xlsx import XLSX_CONTENT_TYPE as XLSX_CONTENT_TYPE
from houqin.core.xlsx import Sheet, to_tempfile
from houqin.patrols.models import Answer, Checkpoint, Result, Visit

DATE_FORMAT = "yyyy-mm-dd"
TIME_FORMAT = "hh:mm"
CHUNK = 500


def _local(moment):
    return timezone.localtime(moment) if moment else None


def _count(model, **filters):
    """A correlated ``COUNT(*)`` of ``model`` rows for the round in the outer query."""
    rows = (
        model.objects.filter(**filters)
        .order_by()
        .values("round")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), Value(0))


def _chunks(iterable, size):
    iterator = iter(iterable)
    while chunk := list(islice(iterator, size)):
        yield chunk


def round_columns():
    text = None
    return [
        (_("序号"), 6, "0"),
        (_("日期"), 11, DATE_FORMAT),
        (_("时间"), 7, TIME_FORMAT),
        (_("检查类型"), 12, text),
        (_("检查表"), 18, text),
        (_("路线/场所"), 22, text),
        (_("检查人"), 10, text),
        (_("检查点数(到/应到)"), 12, text),
        (_("检查项数"), 9, "0"),
        (_("不合格项"), 44, text),
        (_("发现隐患"), 16, text),
        (_("状态"), 8, text),
        (_("备注"), 24, text),
    ]


def failure_columns():
    text = None
    return [
        (_("序号"), 6, "0"),
        (_("日期"), 11, DATE_FORMAT),
        (_("时间"), 7, TIME_FORMAT),
        (_("检查类型"), 12, text),
        (_("路线/场所"), 20, text),
        (_("场所"), 20, text),
        (_("检查项"), 36, text),
        (_("结果"), 16, text),
        (_("备注"), 28, text),
        (_("检查人"), 10, text),
        (_("隐患编号"), 14, text),
    ]


def _result_text(answer):
    result = answer.get_result_display() or _("不合格")
    if answer.number is not None:
        value = f"{answer.number.normalize():f}"
        unit = answer.item.unit
        return f"{result}（{value}{' ' + unit if unit else ''}）"
    if answer.text:
        return f"{result}（{answer.text}）"
    return result


def _failure_line(answer, *, with_place):
    line = answer.item.text
    if with_place:
        line = f"{answer.place.name}：{line}"
    if answer.number is not None or answer.text:
        line = f"{line} {_result_text(answer)}"
    if answer.note:
        line = f"{line}（{answer.note}）"
    return line


def _target(round_):
    return round_.route.name if round_.route_id else round_.place.full_name


def rounds_workbook(rounds, *, school, start=None, end=None):
    """The rounds (a queryset already narrowed by the list's filters), oldest first."""
    rounds = (
        rounds.select_related(
            "route", "place__building", "patroller", "checklist_version__checklist"
        )
        .annotate(
            qr_visits=_count(Visit, round=OuterRef("pk"), method=Visit.Method.QR),
            manual_visits=_count(Visit, round=OuterRef("pk"), method=Visit.Method.MANUAL),
            answered=_count(Answer, round=OuterRef("pk")),
            checkpoint_count=_count_checkpoints(),
        )
        .order_by("started_at", "pk")
    )
    subtitle = _period_line(school, start, end)
    book = Workbook(write_only=True)
    sheet = Sheet(
        book,
        _("巡查检查记录"),
        round_columns(),
        title=_("%(school)s巡查检查记录台账") % {"school": school.name},
        subtitle=subtitle,
        wrap_lines=True,
    )
    number = 0
    for chunk in _chunks(rounds.iterator(chunk_size=CHUNK), CHUNK):
        failures = defaultdict(list)
        for answer in _failed_answers(Q(round__in=[r.pk for r in chunk])):
            failures[answer.round_id].append(answer)
        for round_ in chunk:
            number += 1
            failed = failures[round_.pk]
            started = _local(round_.started_at)
            due = round_.checkpoint_count if round_.route_id else 1
            reached = f"{round_.qr_visits}/{due}"
            if round_.manual_visits:
                reached += _("（手动确认 %(n)s）") % {"n": round_.manual_visits}
            hazards = list(dict.fromkeys(a.hazard.number for a in failed if a.hazard_id))
            sheet.append(
                [
                    number,
                    started.date(),
                    started.time().replace(second=0, microsecond=0),
                    round_.checklist_version.checklist.get_kind_display(),
                    f"{round_.checklist_version.checklist.name} v{round_.checklist_version.number}",
                    _target(round_),
                    round_.patroller.name,
                    reached,
                    round_.answered,
                    "\n".join(_failure_line(a, with_place=bool(round_.route_id)) for a in failed),
                    "、".join(hazards),
                    round_.get_state_display(),
                    round_.note,
                ]
            )

    failures_sheet = Sheet(
        book,
        _("不合格项"),
        failure_columns(),
        title=_("%(school)s巡查发现不合格项清单") % {"school": school.name},
        subtitle=subtitle,
        wrap_lines=True,
    )
    ordered = _failed_answers(Q(round__in=rounds.values("pk"))).order_by(
        "round__started_at", "round_id", "answered_at", "pk"
    )
    for number, answer in enumerate(ordered.iterator(chunk_size=CHUNK), start=1):
        round_ = answer.round
        started = _local(round_.started_at)
        failures_sheet.append(
            [
                number,
                started.date(),
                started.time().replace(second=0, microsecond=0),
                round_.checklist_version.checklist.get_kind_display(),
                _target(round_),
                answer.place.full_name,
                answer.item.text,
                _result_text(answer),
                answer.note,
                round_.patroller.name,
                answer.hazard.number if answer.hazard_id else "",
            ]
        )
    return to_tempfile(book)


def _count_checkpoints():
    rows = (
        Checkpoint.objects.filter(route=OuterRef("route"))
        .order_by()
        .values("route")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), Value(0))


def _failed_answers(condition):
    return (
        Answer.objects.filter(condition, result=Result.FAIL)
        .select_related(
            "item",
            "place__building",
            "hazard",
            "round__route",
            "round__place__building",
            "round__patroller",
            "round__checklist_version__checklist",
        )
        .order_by("round_id", "answered_at", "pk")
    )


def _period_line(school, start, end):
    exported = timezone.localtime().strftime("%Y-%m-%d %H:%M")
    if start and end:
        return _("期间：%(start)s 至 %(end)s　导出时间：%(now)s") % {
            "start": start.isoformat(),
            "end": end.isoformat(),
            "now": exported,
        }
    return _("导出时间：%(now)s") % {"now": exported}


def filename(start=None, end=None):
    """``巡查检查记录台账-2026-11-16至2026-11-22.xlsx``."""
    label = _("巡查检查记录台账")
    if start and end:
        return f"{label}-{start:%Y-%m-%d}至{end:%Y-%m-%d}.xlsx"
    return f"{label}-{timezone.localdate():%Y-%m-%d}.xlsx"
