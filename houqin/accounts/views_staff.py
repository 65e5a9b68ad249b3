"""People (教职工) of the school: the directory, their positions and their logins."""

from axes.utils import reset as axes_reset
from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from houqin.accounts.access import get_for_user, school_required
from houqin.accounts.forms_staff import (
    AppointmentForm,
    ArchiveForm,
    SetPasswordForm,
    StaffCreateForm,
    StaffForm,
)
from houqin.accounts.models import Appointment, Staff, User
from houqin.accounts.roles import Position
from houqin.core.audit import history_for
from houqin.core.htmx import render_page
from houqin.org.models import Department

PAGE_SIZE = 50
STATUSES = {
    "active": gettext_lazy("在职"),
    "archived": gettext_lazy("已停用"),
    "all": gettext_lazy("全部"),
}


def _appointments_prefetch():
    return Prefetch(
        "appointments",
        queryset=Appointment.objects.select_related("campus", "department", "grade"),
    )


@school_required(perm="accounts.view_staff")
def staff_list(request):
    q = request.GET.get("q", "").strip()
    department = request.GET.get("department", "")
    position = request.GET.get("position", "")
    status = request.GET.get("status", "active")
    if status not in STATUSES:
        status = "active"

    staff = Staff.objects.for_user(request.user).search(q)
    if status == "active":
        staff = staff.filter(is_active=True)
    elif status == "archived":
        staff = staff.filter(is_active=False)
    if department.isdigit():
        staff = staff.filter(department_id=department)
    if position in Position.values:
        staff = staff.filter(
            pk__in=Appointment.objects.current().filter(position=position).values("staff_id")
        )
    staff = (
        staff.select_related("department", "user")
        .prefetch_related(_appointments_prefetch())
        .order_by("staff_no")
    )
    page = Paginator(staff, PAGE_SIZE).get_page(request.GET.get("page"))
    departments = Department.objects.filter(school=request.school, is_active=True)
    return render_page(
        request,
        "accounts/staff/list.html",
        {
            "page": page,
            "q": q,
            "department": department,
            "position": position,
            "status": status,
            "departments": departments,
            "positions": Position.choices,
            "statuses": STATUSES.items(),
        },
    )


def _staff_queryset():
    return Staff.objects.select_related("department", "user", "archived_by__staff")


@school_required(perm="accounts.view_staff")
def staff_detail(request, pk):
    staff = get_for_user(request, _staff_queryset(), pk)
    appointments = list(
        staff.appointments.select_related("campus", "department", "grade").order_by(
            "ended_on", "position"
        )
    )
    history = history_for(staff)
    if staff.user is not None:
        history = sorted(
            history + history_for(staff.user),
            key=lambda row: row["entry"].timestamp,
            reverse=True,
        )
    return render(
        request,
        "accounts/staff/detail.html",
        {
            "staff": staff,
            "current_appointments": [a for a in appointments if a.ended_on is None],
            "ended_appointments": [a for a in appointments if a.ended_on is not None],
            "history": history,
        },
    )


@school_required(perm="accounts.manage_staff")
def staff_create(request):
    form = StaffCreateForm(request.POST or None, school=request.school)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            user = User(username=form.cleaned_data["username"], email=form.cleaned_data["email"])
            user.set_password(form.cleaned_data["password"])
            user.save()
            staff = form.save(commit=False)
            staff.school = request.school
            staff.user = user
            staff.save()
            if form.cleaned_data["position"]:
                Appointment.objects.create(staff=staff, position=form.cleaned_data["position"])
        messages.success(
            request,
            _("已添加 %(name)s，登录用户名：%(username)s。")
            % {"name": staff.name, "username": user.username},
        )
        return redirect("accounts:staff_detail", pk=staff.pk)
    return render(request, "accounts/staff/form.html", {"form": form})


@school_required(perm="accounts.manage_staff")
def staff_edit(request, pk):
    staff = get_for_user(request, _staff_queryset(), pk)
    form = StaffForm(request.POST or None, instance=staff, school=request.school)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            staff = form.save()
            if staff.user is not None and staff.user.email != staff.email:
                staff.user.email = staff.email
                staff.user.save(update_fields=["email"])
        messages.success(request, _("已保存。"))
        return redirect("accounts:staff_detail", pk=staff.pk)
    return render(request, "accounts/staff/form.html", {"form": form, "staff": staff})


def _refuse_own_record(request, staff):
    """Nobody changes their own positions or login state: 三员分立 would mean nothing if
    an administrator could appoint or unlock themselves."""
    if staff.pk == request.staff.pk:
        messages.error(request, _("不能对自己的账号或职务进行此操作，请由其他管理员办理。"))
        return redirect("accounts:staff_detail", pk=staff.pk)
    return None


@school_required(perm="accounts.manage_staff")
def appointment_add(request, pk):
    staff = get_for_user(request, _staff_queryset(), pk)
    if refused := _refuse_own_record(request, staff):
        return refused
    form = AppointmentForm(request.POST or None, staff=staff)
    if request.method == "POST" and form.is_valid():
        appointment = form.save(commit=False)
        appointment.staff = staff
        appointment.save()
        messages.success(
            request,
            _("已为 %(name)s 添加职务：%(position)s。")
            % {"name": staff.name, "position": appointment},
        )
        return redirect("accounts:staff_detail", pk=staff.pk)
    return render(request, "accounts/staff/appointment_form.html", {"form": form, "staff": staff})


@require_POST
@school_required(perm="accounts.manage_staff")
def appointment_end(request, pk, appointment_pk):
    staff = get_for_user(request, _staff_queryset(), pk)
    appointment = get_object_or_404(staff.appointments.current(), pk=appointment_pk)
    if refused := _refuse_own_record(request, staff):
        return refused
    appointment.end()
    messages.success(
        request,
        _("%(name)s 已卸任：%(position)s。") % {"name": staff.name, "position": appointment},
    )
    return redirect("accounts:staff_detail", pk=staff.pk)


@school_required(perm="accounts.manage_staff")
def staff_archive(request, pk):
    staff = get_for_user(request, _staff_queryset(), pk)
    if refused := _refuse_own_record(request, staff):
        return refused
    if not staff.is_active:
        messages.info(request, _("该教职工已停用。"))
        return redirect("accounts:staff_detail", pk=staff.pk)
    form = ArchiveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            staff.archive(by=request.user, reason=form.cleaned_data["reason"])
            if staff.user is not None:
                staff.user.is_active = False
                staff.user.save(update_fields=["is_active"])
        messages.success(request, _("已停用 %(name)s，其账号不能再登录。") % {"name": staff.name})
        return redirect("accounts:staff_detail", pk=staff.pk)
    return render(request, "accounts/staff/archive.html", {"form": form, "staff": staff})


@require_POST
@school_required(perm="accounts.manage_staff")
def staff_restore(request, pk):
    staff = get_for_user(request, _staff_queryset(), pk)
    if not staff.is_active:
        with transaction.atomic():
            staff.restore()
            if staff.user is not None:
                staff.user.is_active = True
                staff.user.save(update_fields=["is_active"])
        messages.success(request, _("已恢复 %(name)s，其账号可以登录。") % {"name": staff.name})
    return redirect("accounts:staff_detail", pk=staff.pk)


@school_required(perm="accounts.manage_staff")
def reset_password(request, pk):
    staff = get_for_user(request, _staff_queryset(), pk)
    if refused := _refuse_own_record(request, staff):
        return refused
    if staff.user is None:
        messages.error(request, _("该教职工没有登录账号。"))
        return redirect("accounts:staff_detail", pk=staff.pk)
    form = SetPasswordForm(request.POST or None, user=staff.user)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            staff.user.set_password(form.cleaned_data["new_password1"])
            staff.user.save(update_fields=["password", "password_changed_at"])
            axes_reset(username=staff.user.username)
        messages.success(
            request, _("已为 %(name)s 设置新密码，并解除登录锁定。") % {"name": staff.name}
        )
        return redirect("accounts:staff_detail", pk=staff.pk)
    return render(request, "accounts/staff/reset_password.html", {"form": form, "staff": staff})
