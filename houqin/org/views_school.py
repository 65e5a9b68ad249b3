"""School administration: departments, grades and classes, academic years and terms, the
school calendar and the per-school settings."""

import calendar as month_calendar
from datetime import date, timedelta
from itertools import groupby

from auditlog.models import LogEntry
from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Prefetch, Q
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from houqin.accounts.access import get_for_user, school_required
from houqin.accounts.models import Staff
from houqin.core.audit import history_for
from houqin.core.forms import ArchiveForm
from houqin.core.htmx import render_page
from houqin.core.views import archive_from_post, restore_from_post
from houqin.org.calendar import SchoolCalendar, package_covers
from houqin.org.forms_school import (
    AcademicYearForm,
    BulkClassesForm,
    CalendarDayForm,
    DepartmentForm,
    GradeForm,
    SchoolClassForm,
    SchoolSettingsForm,
    TermForm,
    class_name,
)
from houqin.org.models import (
    AcademicYear,
    CalendarDay,
    Department,
    Grade,
    SchoolClass,
    SchoolSetting,
    Term,
)
from houqin.org.school_settings import BY_KEY, GROUPS, all_settings

FORM_TEMPLATE = "org/school/form.html"


def _form_page(request, form, *, title, back):
    return render(request, FORM_TEMPLATE, {"form": form, "title": title, "back": back})


def _save_or_show(request, form, *, title, back, done, message=None):
    """Save a valid posted form in one transaction, say so and go to ``done(saved)``;
    otherwise show the form page (again, with its errors). ``message`` names the saved
    record as ``%(name)s``; without it the message is a plain "已保存"."""
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            saved = form.save()
        messages.success(request, message % {"name": saved} if message else _("已保存。"))
        return redirect(done(saved))
    return _form_page(request, form, title=title, back=back)


# Departments


@school_required(perm="org.view_org")
def department_list(request):
    archived = request.GET.get("archived") == "1"
    query = request.GET.get("q", "").strip()
    departments = (
        Department.objects.for_user(request.user)
        .filter(is_active=not archived)
        .select_related("head", "office__building")
        .annotate(member_count=Count("members", filter=Q(members__is_active=True)))
        .order_by("code")
    )
    if query:
        departments = departments.filter(
            Q(name__icontains=query)
            | Q(name_initials__startswith=query.lower())
            | Q(code__istartswith=query)
        )
    context = {"departments": departments, "archived": archived, "query": query}
    return render_page(request, "org/school/department_list.html", context)


@school_required(perm="org.manage_departments")
def department_create(request):
    form = DepartmentForm(
        request.POST or None, school=request.school, instance=Department(school=request.school)
    )
    return _save_or_show(
        request,
        form,
        title=_("新建部门"),
        back=reverse("org:department_list"),
        done=lambda department: reverse("org:department_detail", args=[department.pk]),
        message=_("已新建部门 %(name)s。"),
    )


@school_required(perm="org.view_org")
def department_detail(request, pk):
    department = get_for_user(
        request, Department.objects.select_related("head", "office__building"), pk
    )
    members = (
        Staff.objects.for_user(request.user)
        .active()
        .filter(department=department)
        .prefetch_related("appointments")
        .order_by("name_initials", "name")
    )
    context = {
        "department": department,
        "members": members,
        "history": history_for(department),
        "archive_form": ArchiveForm(),
    }
    return render(request, "org/school/department_detail.html", context)


@school_required(perm="org.manage_departments")
def department_edit(request, pk):
    department = get_for_user(request, Department, pk)
    form = DepartmentForm(request.POST or None, school=request.school, instance=department)
    return _save_or_show(
        request,
        form,
        title=_("编辑部门"),
        back=reverse("org:department_detail", args=[department.pk]),
        done=lambda saved: reverse("org:department_detail", args=[saved.pk]),
    )


@require_POST
@school_required(perm="org.manage_departments")
def department_archive(request, pk):
    department = get_for_user(request, Department, pk)
    archive_from_post(request, department, label=str(department))
    return redirect(reverse("org:department_detail", args=[pk]))


@require_POST
@school_required(perm="org.manage_departments")
def department_restore(request, pk):
    department = get_for_user(request, Department, pk)
    restore_from_post(request, department, label=str(department))
    return redirect(reverse("org:department_detail", args=[pk]))


# Grades and classes


@school_required(perm="org.view_org")
def class_list(request):
    """Classes grouped by campus and grade; ``?archived=1`` lists the archived classes."""
    archived = request.GET.get("archived") == "1"
    classes = SchoolClass.objects.filter(is_active=not archived).select_related(
        "head_teacher", "room__building"
    )
    grades = (
        Grade.objects.for_user(request.user)
        .select_related("campus", "leader")
        .prefetch_related(Prefetch("classes", queryset=classes, to_attr="listed_classes"))
        .order_by("-campus__is_main", "campus__code", "number")
    )
    if archived:
        grades = [grade for grade in grades if grade.listed_classes]
    else:
        grades = list(grades.filter(is_active=True))
    campuses = [
        {"campus": campus, "grades": list(items)}
        for campus, items in groupby(grades, key=lambda grade: grade.campus)
    ]
    context = {"campuses": campuses, "archived": archived}
    return render_page(request, "org/school/class_list.html", context)


@school_required(perm="org.manage_classes")
def grade_create(request):
    form = GradeForm(
        request.POST or None, school=request.school, instance=Grade(school=request.school)
    )
    return _save_or_show(
        request,
        form,
        title=_("新建年级"),
        back=reverse("org:class_list"),
        done=lambda grade: reverse("org:class_list"),
        message=_("已新建年级 %(name)s。"),
    )


@school_required(perm="org.manage_classes")
def grade_edit(request, pk):
    grade = get_for_user(request, Grade, pk)
    form = GradeForm(request.POST or None, school=request.school, instance=grade)
    return _save_or_show(
        request,
        form,
        title=_("编辑年级"),
        back=reverse("org:class_list"),
        done=lambda saved: reverse("org:class_list"),
    )


@school_required(perm="org.manage_classes")
def grade_bulk_classes(request, pk):
    """为年级批量创建班级: classes 1..N, skipping the numbers the grade already has."""
    grade = get_for_user(request, Grade, pk)
    form = BulkClassesForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        count = form.cleaned_data["count"]
        with transaction.atomic():
            taken = set(SchoolClass.objects.filter(grade=grade).values_list("number", flat=True))
            created = 0
            for number in range(1, count + 1):
                if number in taken:
                    continue
                SchoolClass.objects.create(
                    school=request.school,
                    grade=grade,
                    number=number,
                    name=class_name(grade, number),
                )
                created += 1
        messages.success(
            request,
            _("已为%(grade)s创建 %(created)s 个班级，跳过已有的 %(skipped)s 个。")
            % {"grade": grade, "created": created, "skipped": count - created},
        )
        return redirect("org:class_list")
    title = _("为%(grade)s批量创建班级") % {"grade": grade}
    return _form_page(request, form, title=title, back=reverse("org:class_list"))


@school_required(perm="org.manage_classes")
def class_create(request):
    initial = {"grade": request.GET.get("grade")} if request.GET.get("grade") else None
    form = SchoolClassForm(
        request.POST or None,
        initial=initial,
        school=request.school,
        instance=SchoolClass(school=request.school),
    )
    return _save_or_show(
        request,
        form,
        title=_("新建班级"),
        back=reverse("org:class_list"),
        done=lambda school_class: reverse("org:class_detail", args=[school_class.pk]),
        message=_("已新建班级 %(name)s。"),
    )


@school_required(perm="org.view_org")
def class_detail(request, pk):
    school_class = get_for_user(
        request,
        SchoolClass.objects.select_related(
            "grade__campus", "grade__leader", "head_teacher", "room__building"
        ),
        pk,
    )
    context = {
        "school_class": school_class,
        "history": history_for(school_class),
        "archive_form": ArchiveForm(),
    }
    return render(request, "org/school/class_detail.html", context)


@school_required(perm="org.manage_classes")
def class_edit(request, pk):
    school_class = get_for_user(request, SchoolClass, pk)
    form = SchoolClassForm(request.POST or None, school=request.school, instance=school_class)
    return _save_or_show(
        request,
        form,
        title=_("编辑班级"),
        back=reverse("org:class_detail", args=[school_class.pk]),
        done=lambda saved: reverse("org:class_detail", args=[saved.pk]),
    )


@require_POST
@school_required(perm="org.manage_classes")
def class_archive(request, pk):
    school_class = get_for_user(request, SchoolClass, pk)
    archive_from_post(request, school_class, label=str(school_class))
    return redirect(reverse("org:class_detail", args=[pk]))


@require_POST
@school_required(perm="org.manage_classes")
def class_restore(request, pk):
    school_class = get_for_user(request, SchoolClass, pk)
    restore_from_post(request, school_class, label=str(school_class))
    return redirect(reverse("org:class_detail", args=[pk]))


# Academic years and terms


@school_required(perm="org.view_org")
def term_list(request):
    today = timezone.localdate()
    years = list(
        AcademicYear.objects.for_user(request.user).prefetch_related(
            Prefetch("terms", queryset=Term.objects.order_by("start"))
        )
    )
    for year in years:
        for term in year.terms.all():
            term.calendar_weeks = term.week_of(term.end)
            term.is_current = term.start <= today <= term.end
    return render_page(request, "org/school/term_list.html", {"years": years})


@school_required(perm="org.manage_calendar")
def year_create(request):
    form = AcademicYearForm(
        request.POST or None, school=request.school, instance=AcademicYear(school=request.school)
    )
    return _save_or_show(
        request,
        form,
        title=_("新建学年"),
        back=reverse("org:term_list"),
        done=lambda year: reverse("org:term_list"),
        message=_("已新建学年 %(name)s。"),
    )


@school_required(perm="org.manage_calendar")
def year_edit(request, pk):
    year = get_for_user(request, AcademicYear, pk)
    form = AcademicYearForm(request.POST or None, school=request.school, instance=year)
    return _save_or_show(
        request,
        form,
        title=_("编辑学年"),
        back=reverse("org:term_list"),
        done=lambda saved: reverse("org:term_list"),
    )


@school_required(perm="org.manage_calendar")
def term_create(request):
    initial = {"academic_year": request.GET.get("year")} if request.GET.get("year") else None
    form = TermForm(
        request.POST or None,
        initial=initial,
        school=request.school,
        instance=Term(school=request.school),
    )
    return _save_or_show(
        request,
        form,
        title=_("新建学期"),
        back=reverse("org:term_list"),
        done=lambda term: reverse("org:term_list"),
        message=_("已新建学期 %(name)s。"),
    )


@school_required(perm="org.manage_calendar")
def term_edit(request, pk):
    term = get_for_user(request, Term, pk)
    form = TermForm(request.POST or None, school=request.school, instance=term)
    return _save_or_show(
        request,
        form,
        title=_("编辑学期"),
        back=reverse("org:term_list"),
        done=lambda saved: reverse("org:term_list"),
    )


# The school calendar


def _month_of(text, today):
    """The first day of the month named ``YYYY-MM``, or of this month."""
    try:
        year, month = (int(part) for part in (text or "").split("-"))
        return date(year, month, 1)
    except ValueError:
        return today.replace(day=1)


def _month_param(day):
    return f"{day.year:04d}-{day.month:02d}"


@school_required(perm="org.view_org")
def calendar(request):
    """A month of the school calendar: working or rest day, holiday, teaching week."""
    today = timezone.localdate()
    first = _month_of(request.GET.get("month"), today)
    last = first.replace(day=month_calendar.monthrange(first.year, first.month)[1])
    grid_start = first - timedelta(days=first.weekday())
    grid_end = last + timedelta(days=6 - last.weekday())
    school_calendar = SchoolCalendar(request.school, grid_start, grid_end)
    cells = [
        {"info": info, "in_month": info.day.month == first.month, "is_today": info.day == today}
        for info in school_calendar.days()
    ]
    weeks = [cells[i : i + 7] for i in range(0, len(cells), 7)]
    adjustments = CalendarDay.objects.filter(
        Q(school=request.school) | Q(school__isnull=True), day__gte=first, day__lte=last
    ).order_by("day", "school")
    context = {
        "month": first,
        "weeks": weeks,
        "adjustments": adjustments,
        "prev_month": _month_param(first - timedelta(days=1)),
        "next_month": _month_param(last + timedelta(days=1)),
        "this_month": _month_param(today),
        "uncovered_year": None if package_covers(first.year) else first.year,
        "weekday_names": [
            pgettext("weekday", "一"),
            pgettext("weekday", "二"),
            pgettext("weekday", "三"),
            pgettext("weekday", "四"),
            pgettext("weekday", "五"),
            pgettext("weekday", "六"),
            pgettext("weekday", "日"),
        ],
    }
    return render_page(request, "org/school/calendar.html", context, partial="month")


def _calendar_day_to_change(request, pk):
    """A school adjustment of the user's school (404 for another school's), or a national
    one, which only a superuser may change."""
    national = CalendarDay.objects.filter(pk=pk, school__isnull=True).first()
    if national is not None:
        if not request.user.is_superuser:
            raise PermissionDenied
        return national
    return get_for_user(request, CalendarDay, pk)


def _calendar_url(day):
    return f"{reverse('org:calendar')}?month={_month_param(day)}"


@school_required(perm="org.manage_calendar")
def calendar_day_create(request):
    initial = {"day": request.GET.get("day")} if request.GET.get("day") else None
    form = CalendarDayForm(
        request.POST or None,
        initial=initial,
        school=request.school,
        instance=CalendarDay(school=request.school),
        allow_national=request.user.is_superuser,
    )
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            adjustment = form.save(commit=False)
            if form.is_national:
                adjustment.school = None
            adjustment.save()
        messages.success(request, _("已添加 %(name)s。") % {"name": adjustment})
        return redirect(_calendar_url(adjustment.day))
    return _form_page(request, form, title=_("添加校历调整"), back=reverse("org:calendar"))


@school_required(perm="org.manage_calendar")
def calendar_day_edit(request, pk):
    adjustment = _calendar_day_to_change(request, pk)
    form = CalendarDayForm(request.POST or None, school=request.school, instance=adjustment)
    title = _("编辑全国调整") if adjustment.school_id is None else _("编辑校历调整")
    return _save_or_show(
        request,
        form,
        title=title,
        back=_calendar_url(adjustment.day),
        done=lambda saved: _calendar_url(saved.day),
    )


@require_POST
@school_required(perm="org.manage_calendar")
def calendar_day_delete(request, pk):
    """Removing an adjustment restores the day the national calendar gives; auditlog keeps
    the deleted row."""
    adjustment = _calendar_day_to_change(request, pk)
    day = adjustment.day
    with transaction.atomic():
        adjustment.delete()
    messages.success(request, _("已删除 %(day)s 的调整。") % {"day": day.isoformat()})
    return redirect(_calendar_url(day))


# School settings


def _settings_groups(rows):
    groups = []
    for key, label in GROUPS.items():
        items = [row for row in rows if row["definition"].group == key]
        for row in items:
            row["differs"] = row["value"] != row["definition"].default
        if items:
            groups.append({"label": label, "rows": items})
    return groups


def _settings_history(school, limit=50):
    entries = (
        LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(SchoolSetting),
            additional_data__school_id=school.pk,
        )
        .select_related("actor")
        .order_by("-timestamp")[:limit]
    )
    history = []
    for entry in entries:
        definition = BY_KEY.get(entry.object_repr)
        old, new = entry.changes_dict.get("value", ["", ""])
        history.append(
            {
                "entry": entry,
                "label": definition.label if definition else entry.object_repr,
                "old": "" if old == "None" else old,
                "new": "" if new == "None" else new,
            }
        )
    return history


@school_required(perm="org.manage_settings")
def settings(request):
    rows = all_settings(request.school)
    context = {
        "groups": _settings_groups(rows),
        "history": _settings_history(request.school),
    }
    return render(request, "org/school/settings.html", context)


@school_required(perm="org.manage_settings")
def settings_edit(request):
    rows = all_settings(request.school)
    form = SchoolSettingsForm(request.POST or None, rows=rows)
    if request.method == "POST" and form.is_valid():
        changes = form.changed_values()
        with transaction.atomic():
            for definition, value in changes:
                SchoolSetting.objects.update_or_create(
                    school=request.school,
                    key=definition.key,
                    defaults={"value": definition.to_json(value)},
                )
        messages.success(request, _("已保存 %(count)s 项设置。") % {"count": len(changes)})
        return redirect("org:settings")
    context = {"form": form, "groups": form.grouped(GROUPS)}
    return render(request, "org/school/settings_form.html", context)
