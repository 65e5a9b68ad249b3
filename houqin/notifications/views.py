"""The inbox, a person's notification preferences, the school's group robots and the
outbox monitor."""

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Case, IntegerField, Value, When
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from houqin.accounts.access import get_for_user, school_required
from houqin.core.audit import history_for
from houqin.core.forms import ArchiveForm
from houqin.core.htmx import render_page
from houqin.core.views import archive_from_post, restore_from_post
from houqin.notifications import delivery
from houqin.notifications.events import all_events, get_event
from houqin.notifications.forms import OutboxFilterForm, RobotForm
from houqin.notifications.models import (
    Channel,
    Notification,
    OutboxMessage,
    Preference,
    Robot,
    Status,
)
from houqin.notifications.services import email_body, enqueue_delivery, robot_messages

MANAGE, OUTBOX = "notifications.manage_channels", "notifications.view_outbox"
PER_PAGE = 30


def _login_required(view):
    """The inbox and preferences belong to the login: no school needed (district officers
    get notifications too)."""
    from functools import wraps

    from django.contrib.auth.views import redirect_to_login

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return wrapper


# The inbox


@_login_required
def inbox(request):
    show = request.GET.get("show", "")
    notifications = Notification.objects.filter(recipient=request.user)
    if show == "unread":
        notifications = notifications.filter(read_at__isnull=True)
    notifications = notifications.annotate(
        unread_first=Case(
            When(read_at__isnull=True, then=Value(0)), default=Value(1), output_field=IntegerField()
        )
    ).order_by("unread_first", "-created_at", "-pk")
    page = Paginator(notifications, PER_PAGE).get_page(request.GET.get("page"))
    for notification in page:
        notification.event_label = get_event(notification.event).label
    return render_page(
        request, "notifications/inbox.html", {"page": page, "show": show}, partial="results"
    )


@require_POST
@_login_required
def open_notification(request):
    """Mark one notification read and go where it points."""
    notification = get_object_or_404(
        Notification, pk=_int(request.POST.get("id")), recipient=request.user
    )
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    target = notification.url
    if not target or not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = reverse("notifications:inbox")
    if request.htmx:
        response = HttpResponse(status=204)
        response["HX-Redirect"] = target
        return response
    return HttpResponseRedirect(target)


@require_POST
@_login_required
def mark_all_read(request):
    count = Notification.objects.filter(recipient=request.user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    if count:
        messages.success(request, _("已将 %(count)s 条消息标为已读。") % {"count": count})
    return redirect("notifications:inbox")


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


# Preferences


@_login_required
def preferences(request):
    events = all_events()
    saved = {p.event: p for p in Preference.objects.filter(user=request.user)}
    from houqin.accounts.access import staff_of

    staff = staff_of(request.user)
    email = staff.email if staff else ""
    if request.method == "POST":
        with transaction.atomic():
            for event in events:
                inbox_on = f"inbox:{event.code}" in request.POST or not event.optional
                email_on = f"email:{event.code}" in request.POST
                Preference.objects.update_or_create(
                    user=request.user,
                    event=event.code,
                    defaults={"inbox": inbox_on, "email": email_on},
                )
        messages.success(request, _("已保存通知设置。"))
        if email_on_any(request.POST) and not email:
            messages.warning(request, _("您还没有登记电子邮箱，邮件通知暂时无法送达。"))
        return redirect("notifications:preferences")
    rows = []
    for event in events:
        pref = saved.get(event.code)
        rows.append(
            {
                "event": event,
                "inbox": (pref.inbox if pref else "inbox" in event.channels) or not event.optional,
                "email": pref.email if pref else "email" in event.channels,
            }
        )
    return render(request, "notifications/preferences.html", {"rows": rows, "email": email})


def email_on_any(post):
    return any(key.startswith("email:") for key in post)


# Group robots


@school_required(perm=MANAGE)
def robot_list(request):
    robots = Robot.objects.for_user(request.user).order_by("-is_active", "name")
    labels = {e.code: e.label for e in all_events()}
    for robot in robots:
        robot.event_labels = [labels.get(code, code) for code in robot.events]
    mail = {
        "backend": settings.EMAIL_BACKEND.rsplit(".", 2)[-2],
        "host": settings.EMAIL_HOST,
        "port": settings.EMAIL_PORT,
        "security": "SSL"
        if settings.EMAIL_USE_SSL
        else "STARTTLS"
        if settings.EMAIL_USE_TLS
        else "",
        "sender": settings.DEFAULT_FROM_EMAIL,
        "address": request.staff.email,
    }
    return render(request, "notifications/robot_list.html", {"robots": robots, "mail": mail})


@require_POST
@school_required(perm=MANAGE)
def email_test(request):
    """A test e-mail to the administrator, through the outbox like any other."""
    address = request.staff.email
    if not address:
        messages.error(request, _("您还没有登记电子邮箱，无法发送测试邮件。"))
        return redirect("notifications:robot_list")
    with transaction.atomic():
        OutboxMessage.objects.create(
            school=request.school,
            channel=Channel.EMAIL,
            recipient=request.user,
            address=address,
            event="notifications.test",
            subject=_("测试邮件"),
            body=email_body(
                _("这是来自%(school)s后勤管理系统的测试邮件。收到即说明邮件发送设置正确。")
                % {"school": request.school.display_name},
                "",
            ),
        )
        transaction.on_commit(enqueue_delivery)
    messages.success(
        request,
        _("测试邮件已放入发送队列，将发往 %(address)s；发送结果见“发送队列”。")
        % {"address": address},
    )
    return redirect("notifications:robot_list")


@school_required(perm=MANAGE)
def robot_create(request):
    return _robot_form(request, Robot())


@school_required(perm=MANAGE)
def robot_edit(request, pk):
    return _robot_form(request, get_for_user(request, Robot, pk))


def _robot_form(request, robot):
    form = RobotForm(request.POST or None, instance=robot, school=request.school)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            robot = form.save()
        messages.success(request, _("已保存群机器人“%(name)s”。") % {"name": robot.name})
        return redirect("notifications:robot_list")
    context = {
        "form": form,
        "robot": robot,
        "archive_form": ArchiveForm(),
        "history": history_for(robot) if robot.pk else [],
    }
    return render(request, "notifications/robot_form.html", context)


@require_POST
@school_required(perm=MANAGE)
def robot_test(request, pk):
    """A test message through the outbox, like any other: its fate shows in the queue."""
    robot = get_for_user(request, Robot, pk)
    with transaction.atomic():
        rows = robot_messages(
            robot,
            event="notifications.test",
            title=_("测试消息"),
            body=_("这是来自%(school)s后勤管理系统的测试消息，由%(name)s发送。")
            % {"school": request.school.display_name, "name": request.staff.name},
        )
        OutboxMessage.objects.bulk_create(rows)
        transaction.on_commit(enqueue_delivery)
    messages.success(
        request,
        _("测试消息已放入发送队列，请到群里查看；发送结果见“发送队列”。"),
    )
    return redirect("notifications:robot_list")


@require_POST
@school_required(perm=MANAGE)
def robot_archive(request, pk):
    robot = get_for_user(request, Robot, pk)
    archive_from_post(request, robot, label=robot.name)
    return redirect("notifications:robot_list")


@require_POST
@school_required(perm=MANAGE)
def robot_restore(request, pk):
    robot = get_for_user(request, Robot, pk)
    restore_from_post(request, robot, label=robot.name)
    return redirect("notifications:robot_list")


# The outbox


def _outbox_queryset(request):
    return OutboxMessage.objects.filter(school=request.school).select_related(
        "robot", "recipient__staff"
    )


@school_required(perm=OUTBOX)
def outbox(request):
    filters = OutboxFilterForm(request.GET or None)
    messages_ = filters.filter(_outbox_queryset(request)).order_by("-created_at", "-pk")
    page = Paginator(messages_, PER_PAGE).get_page(request.GET.get("page"))
    counts = dict.fromkeys(Status.values, 0)
    for row in (
        OutboxMessage.objects.filter(school=request.school)
        .exclude(status=Status.SENT)
        .values_list("status")
        .annotate(n=_count())
    ):
        counts[row[0]] = row[1]
    context = {
        "filters": filters,
        "page": page,
        "counts": counts,
        "filtered": any(request.GET.get(k) for k in ("status", "channel")),
    }
    return render_page(request, "notifications/outbox.html", context)


def _count():
    from django.db.models import Count

    return Count("pk")


@school_required(perm=OUTBOX)
def outbox_detail(request, pk):
    message = get_object_or_404(_outbox_queryset(request), pk=pk)
    return render(request, "notifications/outbox_detail.html", {"message": message})


@require_POST
@school_required(perm=OUTBOX)
def outbox_retry(request, pk):
    with transaction.atomic():
        message = get_object_or_404(
            _outbox_queryset(request).select_for_update(of=("self",)), pk=pk
        )
        if message.status == Status.SENT:
            messages.info(request, _("这条消息已经发送，无需重试。"))
        else:
            delivery.retry(message)
            transaction.on_commit(enqueue_delivery)
            messages.success(request, _("已安排立即重新发送。"))
    nxt = request.POST.get("next", "")
    if nxt and url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}):
        return redirect(nxt)
    return redirect("notifications:outbox_detail", pk=message.pk)
