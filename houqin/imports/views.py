from django.contrib import messages
from django.db import DatabaseError
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from houqin.accounts.access import get_for_user, school_required
from houqin.imports.forms import UploadForm
from houqin.imports.importers import IMPORTERS, XLSX_CONTENT_TYPE, ImportFileError
from houqin.imports.models import ImportBatch
from houqin.imports.services import (
    import_batch_commit,
    import_batch_create,
    import_batch_plan,
)

PERM = "org.import_export"
PREVIEW_LIMIT = 200


def _importer(request, kind):
    return IMPORTERS[kind](school=request.school, user=request.user)


def _workbook_response(output, filename):
    return FileResponse(
        output, as_attachment=True, filename=filename, content_type=XLSX_CONTENT_TYPE
    )


@school_required(perm=PERM)
def index(request):
    importers = [cls(school=request.school, user=request.user) for cls in IMPORTERS.values()]
    batches = ImportBatch.objects.for_user(request.user).select_related("created_by__staff")[:10]
    return render(request, "imports/index.html", {"importers": importers, "batches": batches})


@school_required(perm=PERM)
def template_download(request, kind):
    importer = _importer(request, kind)
    filename = _("%(label)s导入模板.xlsx") % {"label": importer.label}
    return _workbook_response(importer.template_workbook(), filename)


@school_required(perm=PERM)
def export(request, kind):
    importer = _importer(request, kind)
    filename = f"{importer.label}-{timezone.localdate():%Y-%m-%d}.xlsx"
    return _workbook_response(importer.export_workbook(), filename)


@school_required(perm=PERM)
def upload(request, kind):
    importer = _importer(request, kind)
    form = UploadForm(request.POST or None, request.FILES or None, importer=importer)
    if request.method == "POST" and form.is_valid():
        batch = import_batch_create(
            school=request.school,
            user=request.user,
            kind=kind,
            upload=form.cleaned_data["file"],
            row_count=len(form.rows),
        )
        return redirect("imports:preview", pk=batch.pk)
    return render(request, "imports/upload.html", {"importer": importer, "form": form})


def _preview_context(request, batch, plan=None):
    importer = IMPORTERS[batch.kind](school=request.school, user=request.user)
    context = {"batch": batch, "importer": importer, "plan": plan, "limit": PREVIEW_LIMIT}
    if plan is None and not batch.is_committed:
        try:
            context["plan"] = import_batch_plan(batch=batch, user=request.user)
        except (ImportFileError, OSError):
            context["file_error"] = _("文件无法读取，请重新上传。")
    return context


@school_required(perm=PERM)
def preview(request, pk):
    batch = get_for_user(request, ImportBatch, pk)
    return render(request, "imports/preview.html", _preview_context(request, batch))


@require_POST
@school_required(perm=PERM)
def commit(request, pk):
    batch = get_for_user(request, ImportBatch, pk)
    if batch.is_committed:
        messages.info(request, _("这个文件已经导入过了。"))
        return redirect("imports:preview", pk=batch.pk)
    try:
        plan = import_batch_commit(batch=batch, user=request.user)
    except (ImportFileError, OSError):
        messages.error(request, _("文件无法读取，请重新上传。"))
        return redirect("imports:preview", pk=batch.pk)
    except DatabaseError:
        messages.error(request, _("导入失败，没有写入任何数据。请稍后重试。"))
        return redirect("imports:preview", pk=batch.pk)
    if not plan.ok:
        messages.error(request, _("发现错误，没有写入任何数据。"))
        batch.refresh_from_db()
        return render(request, "imports/preview.html", _preview_context(request, batch, plan))
    messages.success(
        request,
        _("导入完成：新增 %(created)d 条，更新 %(updated)d 条。")
        % {"created": len(plan.creates), "updated": len(plan.updates)},
    )
    return redirect("imports:preview", pk=batch.pk)
