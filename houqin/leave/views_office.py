"""The office's leave screens (教务处, 校长室, 后勤/系统管理员).

- 今日在岗: who is away today (or another day), by department — ``leave.view_all``;
- 代课安排: approved leaves still needing cover, and each leave's cover by day and period
  (代课/调课, 代班主任) — ``leave.arrange_cover``;
- 月度统计: days per person and type, 超假 and 旷工, with an Excel export — ``leave.view_all``;
- 缺勤记录: recording 旷工 — ``leave.manage``;
- 请假类型 and the maternity table — ``leave.manage`` / everyone.

The office forms live here too: they serve these pages only.
"""

from collections import OrderedDict
from datetime import date, timedelta
from functools import wraps

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Prefetch, Q
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from houqin.accounts.access import department_scope, school_of, school_required
from houqin.accounts.models import Staff
from houqin.accounts.roles import Position
from houqin.core.forms import ArchiveForm, StyledForm, StyledModelForm
from houqin.core.htmx import render_page
from houqin.core.views import archive_from_post, restore_from_post
from houqin.core.widgets import PickerWidget
from houqin.leave import export, services
from houqin.leave.models import (
    Absence,
    Cover,
    GoingOutSlip,
    HalfDay,
    LeaveRequest,
    LeaveStatus,
    LeaveType,
    MaternityRule,
    SlipStatus,
)
from houqin.org.calendar import SchoolCalendar
from houqin.org.models import Department, SchoolClass

VIEW_ALL, COVER, MANAGE = "leave.view_all", "leave.arrange_cover", "leave.manage"
# A cover can be arranged while the request is decided or already running.
COVERABLE = (LeaveStatus.PENDING, LeaveStatus.APPROVED, LeaveStatus.ENDED)
MAX_PERIOD = 12


def office_required(*perms):
    """``school_required``, then any of ``perms``. (Every position granted ``leave.manage``
    is granted ``leave.view_all`` and ``leave.arrange_cover`` too, in accounts.roles.)"""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not any(request.user.has_perm(perm) for perm in perms):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return school_required(wrapper)

    return decorator


def scoped(queryset, user, *, staff_path="staff"):
    """What an office user may see of ``queryset`` (leaves, covers, absences, slips, staff):
    their school; with ``leave.view_all`` all of it, else (a department head arranging
    cover) the people of the departments their positions are limited to."""
    queryset = queryset.filter(school=school_of(user))
    if user.has_perm(VIEW_ALL):
        return queryset
    departments = department_scope(user)
    if departments is None:
        return queryset
    lookup = f"{staff_path}__department__in" if staff_path else "department__in"
    return queryset.filter(**{lookup: departments})


def _leaves(user):
    return scoped(LeaveRequest.objects.all(), user)


def _departments(user):
    return Department.objects.filter(school=school_of(user), is_active=True)


def _date_widget():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _part_label(leave, day):
    """上午/下午 when ``leave`` covers only half of ``day``, else ""."""
    if leave.periods and leave.start_date == day == leave.end_date:
        return _("第%(periods)s节") % {"periods": leave.periods}
    if day == leave.start_date and leave.start_part == HalfDay.PM:
        return str(HalfDay.PM.label)
    if day == leave.end_date and leave.end_part == HalfDay.AM:
        return str(HalfDay.AM.label)
    return ""


# ---------------------------------------------------------------------------------------
# 办公 home


@office_required(COVER, VIEW_ALL)
def office_index(request):
    """The office's start page: today's numbers and the ways in."""
    today = timezone.localdate()
    leaves = _leaves(request.user)
    context = {
        "today": today,
        "away_count": services.away_on(request.school, today)
        .filter(pk__in=leaves.values("pk"))
        .values("staff")
        .distinct()
        .count(),
        "needing_cover": _needing_cover(request.user, today).count(),
        "not_back": _not_back(request.user, today).count(),
        "out_now": scoped(GoingOutSlip.objects.all(), request.user)
        .filter(status=SlipStatus.OUT)
        .count(),
    }
    return render(request, "leave/office/index.html", context)


def _not_back(user, day):
    """Approved leaves that ended before ``day`` without 销假: overdue."""
    return _leaves(user).filter(status=LeaveStatus.APPROVED, end_date__lt=day)


# ---------------------------------------------------------------------------------------
# 今日在岗: who is away


class AwayFilterForm(StyledForm):
    day = forms.DateField(label=gettext_lazy("日期"), required=False, widget=_date_widget())
    department = forms.ModelChoiceField(
        label=gettext_lazy("部门"),
        queryset=Department.objects.none(),
        required=False,
        empty_label=gettext_lazy("全部部门"),
    )

    def __init__(self, data=None, *, user, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["department"].queryset = _departments(user)

    def values(self):
        data = self.cleaned_data if self.is_valid() else {}
        return data.get("day") or timezone.localdate(), data.get("department")


@office_required(VIEW_ALL)
def office_away(request):
    filters = AwayFilterForm(request.GET or None, user=request.user)
    day, department = filters.values()
    leaves = _leaves(request.user).select_related("staff__department", "leave_type")
    slips = scoped(GoingOutSlip.objects.all(), request.user).select_related("staff__department")
    if department is not None:
        leaves = leaves.filter(staff__department=department)
        slips = slips.filter(staff__department=department)
    on_day = leaves.filter(start_date__lte=day, end_date__gte=day).order_by(
        "staff__department__code", "staff__staff_no", "pk"
    )
    away = list(
        services.away_on(request.school, day)
        .filter(pk__in=on_day.values("pk"))
        .order_by("staff__department__code", "staff__staff_no", "pk")
        .prefetch_related("covers")
    )
    pending = list(on_day.filter(status=LeaveStatus.PENDING))
    not_back = list(
        leaves.filter(status=LeaveStatus.APPROVED, end_date__lt=day).order_by("end_date")
    )
    out_slips = list(
        slips.filter(
            Q(status=SlipStatus.OUT)
            | Q(
                status__in=(SlipStatus.APPROVED, SlipStatus.BACK),
                planned_out__date=day,
            )
        ).order_by("planned_out")
    )
    # Departments: how many of their people are away.
    groups = OrderedDict()
    for leave in away:
        dept = leave.staff.department
        key = dept.pk if dept else None
        if key not in groups:
            groups[key] = {"department": dept, "rows": []}
        groups[key]["rows"].append({"leave": leave, "part": _part_label(leave, day)})
    sizes = dict(
        scoped(Staff.objects.active(), request.user, staff_path="")
        .filter(department__isnull=False)
        .values_list("department")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for key, group in groups.items():
        group["size"] = sizes.get(key)
        group["away"] = len({row["leave"].staff_id for row in group["rows"]})
    ordered = sorted(
        groups.values(),
        key=lambda g: (g["department"] is None, g["department"].code if g["department"] else ""),
    )
    context = {
        "filters": filters,
        "day": day,
        "is_today": day == timezone.localdate(),
        "groups": ordered,
        "away_count": len({leave.staff_id for leave in away}),
        "pending": pending,
        "not_back": not_back,
        "slips": out_slips,
        "now": timezone.now(),
    }
    return render_page(request, "leave/office/away.html", context)


# ---------------------------------------------------------------------------------------
# 代课安排


def _needing_cover(user, today):
    """Approved leaves not over yet that have no cover arranged."""
    return (
        _leaves(user)
        .filter(status=LeaveStatus.APPROVED, end_date__gte=today)
        .annotate(cover_count=Count("covers"))
        .filter(cover_count=0)
    )


@office_required(COVER)
def cover_list(request):
    today = timezone.localdate()
    show_all = request.GET.get("show") == "all"
    leaves = (
        _leaves(request.user)
        .filter(status__in=(LeaveStatus.APPROVED, LeaveStatus.PENDING), end_date__gte=today)
        .annotate(
            cover_count=Count("covers"),
            class_teacher_covers=Count("covers", filter=Q(covers__kind=Cover.Kind.CLASS_TEACHER)),
        )
        .select_related("staff__department", "leave_type")
        .prefetch_related(
            Prefetch(
                "staff__head_of_classes",
                queryset=SchoolClass.objects.filter(is_active=True),
                to_attr="classes_headed",
            )
        )
        .order_by("start_date", "pk")
    )
    if not show_all:
        leaves = leaves.filter(status=LeaveStatus.APPROVED, cover_count=0)
    context = {"leaves": leaves, "show_all": show_all, "today": today}
    return render_page(request, "leave/office/cover_list.html", context)


def _leave_days(leave):
    """The days of ``leave`` on which someone must cover: its working days (calendar days
    for types counted that way), with the half-day label."""
    calendar = SchoolCalendar(leave.school, leave.start_date, leave.end_date)
    days = []
    for info in calendar.days():
        if info.is_workday or leave.leave_type.counting == LeaveType.Counting.CALENDAR:
            days.append((info.day, _part_label(leave, info.day), info.is_workday))
    return days


class CoverForm(StyledModelForm):
    whole_leave = forms.BooleanField(
        label=gettext_lazy("整个请假期间每个工作日都由此人代班主任"), required=False
    )

    class Meta:
        model = Cover
        fields = ["date", "kind", "period", "school_class", "subject", "covered_by", "note"]
        widgets = {"covered_by": PickerWidget("accounts:pick_people", Staff)}

    def __init__(self, *args, leave, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.leave = leave
        self.days = _leave_days(leave)
        self.fields["date"] = forms.TypedChoiceField(
            label=gettext_lazy("日期"),
            choices=[(d.isoformat(), f"{d:%m-%d} {part}".strip()) for d, part, _w in self.days],
            coerce=date.fromisoformat,
            widget=forms.Select(attrs={"class": "form-select"}),
        )
        self.fields["kind"].choices = Cover.Kind.choices
        self.fields["period"].widget.attrs.update(min=1, max=MAX_PERIOD, inputmode="numeric")
        self.fields["period"].help_text = _("代课、调课填写节次；代班主任不填。")
        self.fields["school_class"].queryset = SchoolClass.objects.filter(
            school=leave.school, is_active=True
        ).select_related("grade")
        self.fields["school_class"].required = True
        self.fields["covered_by"].queryset = (
            Staff.objects.filter(school=leave.school).active().exclude(pk=leave.staff_id)
        )
        self.fields["covered_by"].label = _("由谁代")

    def clean_period(self):
        period = self.cleaned_data.get("period")
        if period is not None and not 1 <= period <= MAX_PERIOD:
            raise ValidationError(_("节次应在 1 到 %(max)s 之间。") % {"max": MAX_PERIOD})
        return period

    def clean(self):
        cleaned = super().clean()
        kind, period = cleaned.get("kind"), cleaned.get("period")
        day, klass, person = (
            cleaned.get("date"),
            cleaned.get("school_class"),
            cleaned.get("covered_by"),
        )
        if kind == Cover.Kind.CLASS_TEACHER:
            cleaned["period"] = None
        else:
            if cleaned.get("whole_leave"):
                self.add_error("whole_leave", _("只有代班主任可以按整个请假期间安排。"))
            if period is None and "period" not in self.errors:
                self.add_error("period", _("代课和调课请填写节次。"))
        if None in (day, klass, person) or self.errors:
            return cleaned
        days = (
            [d for d, _p, workday in self.days if workday] if cleaned.get("whole_leave") else [day]
        )
        self.dates = days or [day]
        self._check_clashes(kind, cleaned.get("period"), klass, person)
        return cleaned

    def _check_clashes(self, kind, period, klass, person):
        covers = Cover.objects.filter(school=self.leave.school, date__in=self.dates)
        if kind == Cover.Kind.CLASS_TEACHER:
            taken = covers.filter(kind=kind, school_class=klass).select_related("covered_by")
            for cover in taken[:1]:
                raise ValidationError(
                    _("%(class)s %(date)s 已由%(name)s代班主任。")
                    % {"class": klass, "date": f"{cover.date:%m-%d}", "name": cover.covered_by}
                )
        else:
            for cover in covers.filter(period=period, school_class=klass).select_related(
                "covered_by"
            )[:1]:
                raise ValidationError(
                    _("%(class)s %(date)s 第%(period)s节已安排%(name)s%(kind)s。")
                    % {
                        "class": klass,
                        "date": f"{cover.date:%m-%d}",
                        "period": period,
                        "name": cover.covered_by,
                        "kind": cover.get_kind_display(),
                    }
                )
            busy = covers.filter(period=period, covered_by=person).exclude(school_class=klass)
            for cover in busy.select_related("school_class")[:1]:
                raise ValidationError(
                    _("%(name)s %(date)s 第%(period)s节已在%(class)s代课。")
                    % {
                        "name": person,
                        "date": f"{cover.date:%m-%d}",
                        "period": period,
                        "class": cover.school_class,
                    }
                )
        first, last = min(self.dates), max(self.dates)
        away = (
            LeaveRequest.objects.filter(
                staff=person,
                status__in=(LeaveStatus.PENDING, *export.COUNTED),
                start_date__lte=last,
                end_date__gte=first,
            )
            .select_related("leave_type")
            .first()
        )
        if away is not None:
            raise ValidationError(
                _("%(name)s %(start)s 至 %(end)s 也在请%(type)s，请另选代课人。")
                % {
                    "name": person,
                    "start": f"{away.start_date:%m-%d}",
                    "end": f"{away.end_date:%m-%d}",
                    "type": away.leave_type,
                }
            )

    def save_all(self, *, by):
        """One cover per chosen day, all or nothing."""
        data = self.cleaned_data
        with transaction.atomic():
            return [
                Cover.objects.create(
                    school=self.leave.school,
                    leave=self.leave,
                    kind=data["kind"],
                    date=day,
                    period=data["period"],
                    school_class=data["school_class"],
                    subject=data["subject"],
                    covered_by=data["covered_by"],
                    note=data["note"],
                    arranged_by=by,
                )
                for day in self.dates
            ]


def _subject_of(staff):
    """The subject the teacher teaches, from their appointment's charge (e.g. 数学)."""
    for appointment in staff.appointments.all():
        if appointment.ended_on is None and appointment.position == Position.TEACHER:
            return getattr(appointment, "charge", "") or ""
    return ""


@office_required(COVER)
def cover_leave(request, pk):
    leave = get_object_or_404(
        _leaves(request.user).select_related("staff__department", "leave_type", "school"), pk=pk
    )
    can_arrange = leave.status in COVERABLE
    headed = list(leave.staff.head_of_classes.filter(is_active=True))
    initial = {"subject": _subject_of(leave.staff), "kind": Cover.Kind.SUBSTITUTE}
    if headed:
        initial["school_class"] = headed[0].pk
    if request.method == "POST":
        if not can_arrange:
            messages.error(
                request,
                _("这个请假当前状态为“%(status)s”，不能安排代课。")
                % {"status": leave.get_status_display()},
            )
            return redirect("leave:office_cover", pk=leave.pk)
        form = CoverForm(request.POST, leave=leave, user=request.user)
        if form.is_valid():
            covers = form.save_all(by=request.staff)
            messages.success(
                request,
                _("已安排%(name)s%(kind)s，共 %(count)s 条。")
                % {
                    "name": form.cleaned_data["covered_by"],
                    "kind": covers[0].get_kind_display(),
                    "count": len(covers),
                },
            )
            return redirect("leave:office_cover", pk=leave.pk)
    else:
        form = CoverForm(initial=initial, leave=leave, user=request.user)
    covers = list(
        leave.covers.select_related("school_class", "covered_by", "arranged_by").order_by(
            "date", "period", "pk"
        )
    )
    by_day = OrderedDict(
        (day, {"part": part, "workday": workday, "covers": []}) for day, part, workday in form.days
    )
    for cover in covers:
        by_day.setdefault(cover.date, {"part": "", "workday": True, "covers": []})
        by_day[cover.date]["covers"].append(cover)
    context = {
        "leave": leave,
        "form": form,
        "days": by_day,
        "headed": headed,
        "needs_class_teacher": bool(headed)
        and not any(c.kind == Cover.Kind.CLASS_TEACHER for c in covers),
        "can_arrange": can_arrange,
    }
    return render(request, "leave/office/cover_leave.html", context)


@require_POST
@office_required(COVER)
def cover_delete(request, pk):
    cover = get_object_or_404(
        scoped(Cover.objects.select_related("covered_by"), request.user, staff_path="leave__staff"),
        pk=pk,
    )
    leave_pk = cover.leave_id
    cover.delete()
    messages.success(request, _("已取消%(name)s的代课安排。") % {"name": cover.covered_by})
    return redirect("leave:office_cover", pk=leave_pk)


# ---------------------------------------------------------------------------------------
# 月度统计


class MonthForm(StyledForm):
    month = forms.CharField(
        label=gettext_lazy("月份"),
        required=False,
        widget=forms.TextInput(attrs={"type": "month"}),
    )
    department = forms.ModelChoiceField(
        label=gettext_lazy("部门"),
        queryset=Department.objects.none(),
        required=False,
        empty_label=gettext_lazy("全部部门"),
    )
    everyone = forms.BooleanField(label=gettext_lazy("列出全部教职工"), required=False)

    def __init__(self, data=None, *, user, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["department"].queryset = _departments(user)

    def clean_month(self):
        raw = (self.cleaned_data.get("month") or "").strip()
        if not raw:
            return None
        try:
            year, month = (int(part) for part in raw.split("-"))
            return date(year, month, 1)
        except ValueError:
            raise ValidationError(_("请选择月份，格式如 2026-10。")) from None

    def values(self):
        data = self.cleaned_data if self.is_valid() else {}
        month = data.get("month") or timezone.localdate().replace(day=1)
        return month, data.get("department"), bool(data.get("everyone"))


def _report(request):
    form = MonthForm(request.GET or None, user=request.user)
    month, department, everyone = form.values()
    user = request.user
    leaves, absences = _leaves(user), scoped(Absence.objects.all(), user)
    slips = scoped(GoingOutSlip.objects.all(), user)
    staff = scoped(Staff.objects.active(), user, staff_path="") if everyone else None
    if department is not None:
        leaves, absences, slips = (
            q.filter(staff__department=department) for q in (leaves, absences, slips)
        )
        staff = staff.filter(department=department) if staff is not None else None
    report = export.monthly_report(
        request.school,
        year=month.year,
        month=month.month,
        leaves=leaves,
        absences=absences,
        slips=slips,
        staff=staff,
    )
    return form, month, department, report


@office_required(VIEW_ALL)
def monthly(request):
    form, month, department, report = _report(request)
    previous = (month - timedelta(days=1)).replace(day=1)
    following = (month + timedelta(days=32)).replace(day=1)
    context = {
        "form": form,
        "month": month,
        "report": report,
        "previous": f"{previous:%Y-%m}",
        "following": f"{following:%Y-%m}",
        "query": request.GET.urlencode(),
    }
    return render_page(request, "leave/office/monthly.html", context)


@office_required(VIEW_ALL)
def monthly_export(request):
    _form, _month, department, report = _report(request)
    return FileResponse(
        export.monthly_workbook(report),
        as_attachment=True,
        filename=export.filename(report, department),
        content_type=export.XLSX_CONTENT_TYPE,
    )


# ---------------------------------------------------------------------------------------
# 缺勤记录 (旷工)


class AbsenceForm(StyledForm):
    """旷工: who, from which day and half day to which; the working days are counted by
    ``services.flag_absence``."""

    staff = forms.ModelChoiceField(
        label=gettext_lazy("教职工"),
        queryset=Staff.objects.none(),
        widget=PickerWidget("accounts:pick_people", Staff),
    )
    start_date = forms.DateField(label=gettext_lazy("开始日期"), widget=_date_widget())
    start_part = forms.ChoiceField(
        label=gettext_lazy("开始"),
        choices=[(HalfDay.FULL, gettext_lazy("上午起")), (HalfDay.PM, gettext_lazy("下午起"))],
        initial=HalfDay.FULL,
    )
    end_date = forms.DateField(label=gettext_lazy("结束日期"), widget=_date_widget())
    end_part = forms.ChoiceField(
        label=gettext_lazy("结束"),
        choices=[(HalfDay.FULL, gettext_lazy("到下午")), (HalfDay.AM, gettext_lazy("到上午"))],
        initial=HalfDay.FULL,
    )
    note = forms.CharField(label=gettext_lazy("情况说明"), max_length=200)

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["staff"].queryset = Staff.objects.filter(school=school).active()

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if start and end:
            if end < start:
                self.add_error("end_date", _("结束日期不能早于开始日期。"))
            elif (end - start).days > 62:
                self.add_error("end_date", _("一次最多登记两个月，请分开登记。"))
        return cleaned


@office_required(VIEW_ALL)
def absence_list(request):
    form = MonthForm(request.GET or None, user=request.user)
    month, department, _everyone = form.values()
    first, last = export.month_bounds(month.year, month.month)
    absences = (
        scoped(Absence.objects.all(), request.user)
        .filter(start_date__lte=last, end_date__gte=first)
        .select_related("staff__department", "leave__leave_type", "recorded_by")
        .order_by("-start_date", "-pk")
    )
    if department is not None:
        absences = absences.filter(staff__department=department)
    context = {"filters": form, "month": month, "absences": absences}
    return render_page(request, "leave/office/absence_list.html", context)


@office_required(MANAGE)
def absence_create(request):
    form = AbsenceForm(request.POST or None, school=request.school)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                absence = services.flag_absence(by=request.staff, **form.cleaned_data)
        except services.LeaveError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _("已登记%(name)s旷工 %(days)s 天。")
                % {"name": absence.staff, "days": services.fmt_days(absence.days)},
            )
            return redirect(f"{_url('leave:office_absences')}?month={absence.start_date:%Y-%m}")
    return render(request, "leave/office/absence_form.html", {"form": form})


def _url(name, *args):
    from django.urls import reverse

    return reverse(name, args=args)


@require_POST
@office_required(MANAGE)
def absence_delete(request, pk):
    absence = get_object_or_404(
        scoped(Absence.objects.select_related("staff"), request.user), pk=pk
    )
    try:
        with transaction.atomic():
            services.remove_absence(absence, by=request.staff)
    except services.LeaveError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("已删除%(name)s的旷工记录。") % {"name": absence.staff})
    return redirect(f"{_url('leave:office_absences')}?month={absence.start_date:%Y-%m}")


# ---------------------------------------------------------------------------------------
# 请假类型


class LeaveTypeForm(StyledModelForm):
    class Meta:
        model = LeaveType
        fields = [
            "name",
            "code",
            "counting",
            "proof_after_days",
            "max_days_per_term",
            "max_days_per_year",
            "statutory_days",
            "order",
            "note",
        ]

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        self.school = school
        if self.instance.school_id is None:
            self.instance.school = school
        self.fields["code"].help_text = _("英文字母、数字或连字符，本校唯一，如 personal。")
        self.fields["statutory_days"].help_text = _(
            "固定天数的假（如婚假 3 天）填写；产假按产假标准计算，不填。"
        )
        for name in (
            "proof_after_days",
            "max_days_per_term",
            "max_days_per_year",
            "statutory_days",
        ):
            self.fields[name].widget.attrs.update(min=0, step="0.5", inputmode="decimal")

    def clean_code(self):
        code = self.cleaned_data["code"].strip()
        taken = LeaveType.objects.filter(school=self.school, code=code)
        if taken.exclude(pk=self.instance.pk).exists():
            raise ValidationError(_("本校已有代码为 %(code)s 的请假类型。") % {"code": code})
        return code

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        taken = LeaveType.objects.filter(school=self.school, name=name)
        if taken.exclude(pk=self.instance.pk).exists():
            raise ValidationError(_("本校已有名为“%(name)s”的请假类型。") % {"name": name})
        return name

    def clean(self):
        cleaned = super().clean()
        for name in (
            "proof_after_days",
            "max_days_per_term",
            "max_days_per_year",
            "statutory_days",
        ):
            value = cleaned.get(name)
            if value is not None and (value < 0 or value * 2 != int(value * 2)):
                self.add_error(name, _("天数应为 0 或正数，以半天（0.5）为单位。"))
        term, year = cleaned.get("max_days_per_term"), cleaned.get("max_days_per_year")
        if term is not None and year is not None and term > year:
            self.add_error("max_days_per_term", _("每学期上限不能大于每年上限。"))
        return cleaned


@office_required(MANAGE)
def type_list(request):
    types = (
        LeaveType.objects.filter(school=request.school)
        .annotate(request_count=Count("leaverequest"))
        .order_by("-is_active", "order", "pk")
    )
    return render(request, "leave/office/type_list.html", {"types": types})


@office_required(MANAGE)
def type_create(request):
    return _type_form(request, LeaveType())


@office_required(MANAGE)
def type_edit(request, pk):
    return _type_form(request, get_object_or_404(LeaveType, school=request.school, pk=pk))


def _type_form(request, leave_type):
    form = LeaveTypeForm(request.POST or None, instance=leave_type, school=request.school)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            leave_type = form.save()
        messages.success(request, _("已保存请假类型“%(name)s”。") % {"name": leave_type.name})
        return redirect("leave:office_types")
    context = {
        "form": form,
        "leave_type": leave_type,
        "archive_form": ArchiveForm(),
        "heading": _("编辑请假类型") if leave_type.pk else _("新增请假类型"),
    }
    return render(request, "leave/office/type_form.html", context)


@require_POST
@office_required(MANAGE)
def type_archive(request, pk):
    leave_type = get_object_or_404(LeaveType, school=request.school, pk=pk)
    archive_from_post(request, leave_type, label=leave_type.name)
    return redirect("leave:office_types")


@require_POST
@office_required(MANAGE)
def type_restore(request, pk):
    leave_type = get_object_or_404(LeaveType, school=request.school, pk=pk)
    restore_from_post(request, leave_type, label=leave_type.name)
    return redirect("leave:office_types")


# ---------------------------------------------------------------------------------------
# 产假标准


@school_required(perm="leave.apply")
def maternity(request):
    """The maternity table by province; the school's own province first and marked."""
    try:
        province = request.school.setting("leave.province") or ""
    except KeyError:
        province = ""
    rules = list(MaternityRule.objects.all())
    rules.sort(key=lambda r: (r.province != province, r.province))
    for rule in rules:
        rule.total_days = rule.base_days + rule.province_extra_days
    context = {"rules": rules, "province": province}
    return render(request, "leave/office/maternity.html", context)
