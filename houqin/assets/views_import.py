"""资产台账导入: upload a school's existing ledger, match its columns, preview every row
checked, then book it all at once (``importer``).

The preview and the commit read the whole file in the request: 100,000 rows take well
under a minute (``benchmarks/import_bench.py``), so no background job is needed yet."""

from django.contrib import messages
from django.db import DatabaseError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from houqin.accounts.access import school_required
from houqin.assets.access import MANAGE
from houqin.assets.forms_import import LedgerUploadForm, MappingForm
from houqin.assets.importer import (
    PREVIEW_ROWS,
    XLSX_CONTENT_TYPE,
    LedgerError,
    ledger_commit,
    ledger_plan,
    recent_imports,
    record_check,
    start_import,
    template_workbook,
)
from houqin.assets.models import LedgerImport

# Row errors listed on the preview; the count says how many more there are.
ERRORS_SHOWN = 500


def _batch_or_404(request, token):
    batch = (
        LedgerImport.objects.filter(school=request.school, token=token)
        .select_related("uploaded_by__staff")
        .first()
    )
    if batch is None:
        raise Http404
    return batch


@school_required(perm=MANAGE)
def import_index(request):
    """Upload a ledger; the school's recent imports with their results."""
    form = LedgerUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        batch = start_import(
            school=request.school,
            user=request.user,
            upload=form.cleaned_data["file"],
            header_row=form.header_row,
            headers=form.headers,
            mapping=form.mapping,
        )
        return redirect("assets:import_mapping", token=batch.token)
    context = {"form": form, "batches": recent_imports(request.school.pk), "section": "import"}
    return render(request, "assets/import/index.html", context)


@school_required(perm=MANAGE)
def import_template(request):
    return FileResponse(
        template_workbook(),
        as_attachment=True,
        filename=_("资产台账导入模板.xlsx"),
        content_type=XLSX_CONTENT_TYPE,
    )


@school_required(perm=MANAGE)
def import_mapping(request, token):
    """Which column holds what: guessed from the headers, changeable one by one."""
    batch = _batch_or_404(request, token)
    if batch.is_committed:
        return redirect("assets:import_preview", token=batch.token)
    form = MappingForm(request.POST or None, batch=batch)
    if request.method == "POST" and form.is_valid():
        batch.mapping = form.mapping
        # A new mapping makes the last check stale.
        batch.state = LedgerImport.State.UPLOADED
        batch.save(update_fields=["mapping", "state", "updated_at"])
        return redirect("assets:import_preview", token=batch.token)
    return render(
        request,
        "assets/import/mapping.html",
        {"batch": batch, "form": form, "section": "import"},
    )


def _preview(request, batch, plan=None):
    context = {"batch": batch, "plan": plan, "errors_shown": ERRORS_SHOWN, "section": "import"}
    if plan is None and not batch.is_committed:
        try:
            context["plan"] = ledger_plan(batch)
            record_check(batch, context["plan"])
        except (LedgerError, OSError) as error:
            context["file_error"] = (
                str(error) if isinstance(error, LedgerError) else _("文件无法读取，请重新上传。")
            )
    if context.get("plan") is not None:
        context["error_total"] = len(context["plan"].errors)
        context["shown_errors"] = context["plan"].errors[:ERRORS_SHOWN]
    context["preview_rows"] = PREVIEW_ROWS
    return render(request, "assets/import/preview.html", context)


@school_required(perm=MANAGE)
def import_preview(request, token):
    """Every row checked against the school's data: the errors row by row, or the first
    rows as they will be booked."""
    return _preview(request, _batch_or_404(request, token))


@require_POST
@school_required(perm=MANAGE)
def import_commit(request, token):
    batch = _batch_or_404(request, token)
    try:
        plan = ledger_commit(batch, by=request.staff)
    except LedgerError as error:
        messages.error(request, str(error))
        return redirect("assets:import_preview", token=batch.token)
    except (DatabaseError, OSError):
        messages.error(request, _("导入失败，没有写入任何数据。请稍后重试。"))
        return redirect("assets:import_preview", token=batch.token)
    if not plan.ok:
        messages.error(request, _("发现错误，没有写入任何数据。"))
        return _preview(request, batch, plan)
    messages.success(
        request, _("导入完成：新增 %(count)d 张资产卡片。") % {"count": batch.created_count}
    )
    return redirect("assets:import_preview", token=batch.token)
