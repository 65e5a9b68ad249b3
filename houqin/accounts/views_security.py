"""The security administrator's sign-in records and the audit administrator's log (三员分立:
each screen has its own permission, and the system administrator holds neither)."""

from auditlog.models import LogEntry
from auditlog.registry import auditlog
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.core.paginator import Paginator
from django.db.models import Max, Q, Sum
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from houqin.accounts.access import school_required
from houqin.accounts.forms_staff import AuditLogFilterForm
from houqin.accounts.models import Staff, User
from houqin.core.htmx import render_page

PAGE_SIZE = 50
LOGIN_KINDS = {"success": gettext_lazy("登录成功"), "failed": gettext_lazy("登录失败")}
ACTIONS = {
    LogEntry.Action.CREATE: gettext_lazy("创建"),
    LogEntry.Action.UPDATE: gettext_lazy("修改"),
    LogEntry.Action.DELETE: gettext_lazy("删除"),
    LogEntry.Action.ACCESS: gettext_lazy("访问"),
}


def _school_usernames(school):
    return User.objects.filter(staff__school=school).values("username")


def _names_by_username(school, usernames):
    return dict(
        Staff.objects.filter(school=school, user__username__in=set(usernames)).values_list(
            "user__username", "name"
        )
    )


@school_required(perm="accounts.view_login_records")
def login_records(request):
    """Sign-ins and failed sign-ins of this school's accounts, and the accounts locked now.
    Failures for usernames that match no account are shown to superusers only."""
    kind = request.GET.get("kind", "success")
    if kind not in LOGIN_KINDS:
        kind = "success"
    q = request.GET.get("q", "").strip()
    school_usernames = _school_usernames(request.school)

    if kind == "failed":
        visible = Q(username__in=school_usernames)
        if request.user.is_superuser:
            visible |= ~Q(username__in=User.objects.values("username"))
        records = AccessFailureLog.objects.filter(visible)
    else:
        records = AccessLog.objects.filter(username__in=school_usernames)
    if q:
        matching = Staff.objects.filter(school=request.school).search(q).values("user__username")
        records = records.filter(Q(username__icontains=q) | Q(username__in=matching))
    records = records.order_by("-attempt_time")
    page = Paginator(records, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    names = _names_by_username(request.school, [row.username for row in rows])
    for row in rows:
        row.staff_name = names.get(row.username, "")

    locked = list(_locked_accounts(request.school))
    locked_names = _names_by_username(request.school, [row["username"] for row in locked])
    for row in locked:
        row["staff_name"] = locked_names.get(row["username"], "")
        row["unlocks_at"] = row["last_attempt"] + settings.AXES_COOLOFF_TIME

    return render_page(
        request,
        "accounts/security/login_records.html",
        {
            "kind": kind,
            "kinds": LOGIN_KINDS.items(),
            "q": q,
            "page": page,
            "rows": rows,
            "locked": locked,
        },
    )


def _locked_accounts(school):
    """Accounts of the school with enough recent failures to be locked out now."""
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    return (
        AccessAttempt.objects.filter(
            username__in=_school_usernames(school), attempt_time__gte=since
        )
        .values("username")
        .annotate(failures=Sum("failures_since_start"), last_attempt=Max("attempt_time"))
        .filter(failures__gte=settings.AXES_FAILURE_LIMIT)
        .order_by("-last_attempt")
    )


@require_POST
@school_required(perm="accounts.view_login_records")
def unlock(request):
    username = request.POST.get("username", "").strip()
    user = User.objects.filter(staff__school=request.school, username=username).first()
    if user is None:
        raise Http404
    axes_reset(username=user.username)
    messages.success(request, _("已解除 %(user)s 的登录锁定。") % {"user": user})
    return redirect("accounts:login_records")


def _audited_models():
    models = sorted(auditlog.get_models(), key=lambda model: str(model._meta.verbose_name))
    content_types = ContentType.objects.get_for_models(*models)
    return [(content_types[model].pk, model._meta.verbose_name) for model in models]


@require_safe
@school_required(perm="accounts.view_audit_log")
def audit_log(request):
    """Who changed what, when, before and after — this school's records only. Read-only."""
    form = AuditLogFilterForm(request.GET or None, model_choices=_audited_models())
    entries = LogEntry.objects.filter(additional_data__school_id=request.school.pk)
    actor = None
    if form.is_valid():
        data = form.cleaned_data
        if data["model"]:
            entries = entries.filter(content_type_id=data["model"])
        if data["actor"]:
            actor = Staff.objects.filter(school=request.school, pk=data["actor"]).first()
            entries = entries.filter(actor_id=actor.user_id) if actor else entries.none()
        if data["date_from"]:
            entries = entries.filter(timestamp__date__gte=data["date_from"])
        if data["date_to"]:
            entries = entries.filter(timestamp__date__lte=data["date_to"])
    entries = entries.select_related("actor__staff", "content_type").order_by("-timestamp")
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    actor_picker = {
        "name": "actor",
        "value": actor.pk if actor else "",
        "label": actor.name if actor else "",
        "attrs": {"id": "id_actor"},
        "search_url": reverse("accounts:pick_people"),
    }
    return render_page(
        request,
        "accounts/security/audit_log.html",
        {
            "form": form,
            "page": page,
            "rows": audit_rows(page.object_list),
            "actor_picker": actor_picker,
        },
    )


def audit_rows(entries):
    """Each entry with its model's name, its action and its changes in words. Related
    records named in the changes are looked up together, one query per model."""
    entries = list(entries)
    wanted = {}  # related model → pks named in the page's changes
    parsed = []
    for entry in entries:
        model = entry.content_type.model_class()
        changes = []
        for field_name, values in (entry.changes_dict or {}).items():
            field = _field(model, field_name)
            old, new = (list(values) + [None, None])[:2]
            changes.append((field, field_name, old, new))
            if field is not None and field.is_relation and (field.many_to_one or field.one_to_one):
                for value in (old, new):
                    if _is_pk(value):
                        wanted.setdefault(field.related_model, set()).add(int(value))
        parsed.append((entry, model, changes))

    names = {}
    for related, pks in wanted.items():
        queryset = related._default_manager.filter(pk__in=pks)
        if related is User:
            queryset = queryset.select_related("staff")
        names[related] = {obj.pk: str(obj) for obj in queryset}

    rows = []
    for entry, model, changes in parsed:
        rows.append(
            {
                "entry": entry,
                "model_label": model._meta.verbose_name if model else entry.content_type.model,
                "action_label": ACTIONS.get(entry.action, ""),
                "changes": [
                    {
                        "field": field.verbose_name if field is not None else field_name,
                        "old": _display(field, old, names),
                        "new": _display(field, new, names),
                    }
                    for field, field_name, old, new in changes
                ],
            }
        )
    return rows


def _field(model, name):
    if model is None:
        return None
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    return field if field.concrete else None


def _is_pk(value):
    return isinstance(value, int) or (isinstance(value, str) and value.isdigit())


def _display(field, value, names):
    if value is None or value == "None" or value == "":
        return "—"
    if field is None:
        return str(value)
    if field.is_relation and (field.many_to_one or field.one_to_one):
        if _is_pk(value):
            return names.get(field.related_model, {}).get(int(value), f"#{value}")
        return str(value)
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if field.get_internal_type() == "BooleanField":
        return _("是") if str(value) == "True" else _("否")
    return str(value)
