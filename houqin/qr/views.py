"""Opening a scanned code, the scan page, QR images and label sheets."""

import hashlib
import io

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.utils import timezone
from django.utils.cache import get_conditional_response
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from houqin.accounts.access import school_required
from houqin.core.htmx import render_page
from houqin.qr import codes, labels, registry
from houqin.qr.forms import LabelPrintForm, LabelSelectionForm, ScanForm

PRINT = "qr.print_labels"


@school_required
def open_code(request, token):
    """``/q/<token>``, what a phone's camera app opens: the record's page (or, with
    ``?for=``, where that purpose sends it)."""
    purpose = _purpose(request)
    found = registry.find_token(
        request.user, request.school, token, visible_only=not (purpose and purpose.any_record)
    )
    if found is not None and purpose is not None and found.kind.prefix not in purpose.kinds:
        # A purpose only ever gets the kinds it asked for, as on the scan page.
        found = None
    if found is None:
        # Unknown, another school's or out of the user's reach: the same answer for all.
        message = _not_found_message(f"/q/{token}", purpose)
        return _scan_page(request, purpose, code=token, error=message, status=404)
    return _go(request, found, purpose)


@school_required
def scan(request):
    """The scan page: the camera, a photo, or the code typed by hand."""
    purpose = _purpose(request)
    form = ScanForm(request.GET if "code" in request.GET else None)
    matches = []
    if form.is_bound and form.is_valid():
        text = form.cleaned_data["code"]
        found = registry.find(
            request.user,
            request.school,
            text,
            kinds_allowed=purpose.kinds if purpose else None,
            visible_only=not (purpose and purpose.any_record),
        )
        if len(found) == 1:
            return _go(request, found[0], purpose, form=form)
        if found:
            matches = found
        else:
            form.add_error("code", _not_found_message(text, purpose))
    return _render_scan(request, purpose, form, matches=matches)


def _not_found_message(text, purpose):
    text = registry.normalise(text)
    scanned = registry.URL_TOKEN_RE.match(text)
    if scanned:
        return _("没有找到二维码 %(code)s 对应的记录。它可能属于别的学校，或已被作废。") % {
            "code": scanned.group(1).upper()
        }
    if registry.looks_like_url(text):
        return _("扫到的不是本系统的二维码：%(code)s") % {"code": _short(text)}
    kinds = registry.describe_kinds(purpose.kinds if purpose else None) or _("记录")
    return _("没有找到编码为“%(code)s”的%(kinds)s。请核对标签上的编码后重试。") % {
        "code": _short(text),
        "kinds": kinds,
    }


def _purpose(request):
    purpose = registry.get_purpose(request.GET.get("for"))
    if purpose is not None and not purpose.allowed(request.user):
        raise PermissionDenied
    return purpose


def _go(request, found, purpose, *, form=None):
    if purpose is None:
        return redirect(found.url)
    if purpose.require_token and not found.by_token:
        message = _("%(purpose)s需要扫描现场的二维码，不能手动输入编码。") % {
            "purpose": purpose.label
        }
        return _scan_page(request, purpose, code=found.code, error=message, form=form)
    try:
        return redirect(purpose.url_for(request, found))
    except registry.ScanRefused as refused:
        return _scan_page(request, purpose, code=found.code, error=str(refused), form=form)


def _scan_page(request, purpose, *, code, error, form=None, status=200):
    if form is None:
        form = ScanForm({"code": code})
        form.is_valid()
    form.add_error("code", error)
    return _render_scan(request, purpose, form, status=status)


def _render_scan(request, purpose, form, *, matches=(), status=200):
    context = {
        "form": form,
        "purpose": purpose,
        "matches": matches,
        "kinds_label": registry.describe_kinds(purpose.kinds if purpose else None),
        "jsqr_url": static("vendor/jsqr/jsQR.js"),
    }
    return render(request, "qr/scan.html", context, status=status)


def _short(text, limit=60):
    return text if len(text) <= limit else text[: limit - 1] + "…"


@school_required
def qr_svg(request, token):
    return _qr_image(request, token, "svg")


@school_required
def qr_png(request, token):
    return _qr_image(request, token, "png")


def _qr_image(request, token, kind):
    found = registry.find_token(request.user, request.school, token)
    if found is None:
        raise Http404
    url = codes.target_url(found.token, request)
    digest = hashlib.sha256(f"{kind}:{url}".encode()).hexdigest()[:32]
    etag = f'"{digest}"'
    # A token's image changes only if the site's address does: browsers may keep it a day.
    not_modified = get_conditional_response(request, etag=etag)
    if not_modified is not None:
        return not_modified
    buffer = io.BytesIO()
    qr = codes.make(url)
    if kind == "svg":
        qr.save(buffer, kind="svg", scale=10, border=4, title=found.code)
        response = HttpResponse(buffer.getvalue(), content_type="image/svg+xml")
    else:
        qr.save(buffer, kind="png", scale=12, border=4)
        response = HttpResponse(buffer.getvalue(), content_type="image/png")
    response["ETag"] = etag
    response["Cache-Control"] = "private, max-age=86400"
    if request.GET.get("download"):
        filename = _("%(code)s-二维码.%(ext)s") % {"code": found.code, "ext": kind}
        response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


@school_required(perm=PRINT)
def label_sheet(request):
    """Choose records and a layout; POST returns the PDF."""
    data = request.POST if request.method == "POST" else request.GET
    selection = LabelSelectionForm(data, user=request.user)
    records = selection.records()
    if records is None:
        raise Http404
    kind = selection.record_kind()
    print_form = LabelPrintForm(request.POST if request.method == "POST" else None)
    count = records.count()
    if request.method == "POST" and print_form.is_valid():
        copies = print_form.cleaned_data["copies"]
        if count == 0:
            print_form.add_error(
                None, _("没有符合条件的%(kind)s，请调整条件。") % {"kind": kind.label}
            )
        elif count * copies > labels.MAX_LABELS:
            print_form.add_error(
                None,
                _(
                    "一次最多打印 %(max)d 张标签，现在是 %(count)d 个 × %(copies)d 份 = "
                    "%(total)d 张。请按楼宇或楼层分批打印，或减少份数。"
                )
                % {
                    "max": labels.MAX_LABELS,
                    "count": count,
                    "copies": copies,
                    "total": count * copies,
                },
            )
        else:
            layout = labels.LAYOUTS[print_form.cleaned_data["layout"]]
            items = labels.label_items(request, records[: labels.MAX_LABELS], kind)
            pdf = labels.render_pdf(
                items,
                layout=layout,
                school_name=request.school.name,
                copies=copies,
                cut_lines=print_form.cleaned_data["cut_lines"],
            )
            filename = _("二维码标签-%(date)s.pdf") % {
                "date": timezone.localdate().strftime("%Y%m%d")
            }
            return labels.pdf_response(pdf, filename)
    context = {
        "selection": selection,
        "print_form": print_form,
        "kind": kind,
        "count": count,
        "chosen": [(kind.code_of(record), kind.label_lines(record)[0]) for record in records[:20]]
        if selection.by_ids()
        else [],
        "max_labels": labels.MAX_LABELS,
        "base_url": codes.base_url(request),
        "base_url_configured": bool(getattr(settings, "HOUQIN_BASE_URL", "")),
        "layouts": labels.LAYOUTS,
    }
    return render_page(request, "qr/labels.html", context, partial="selection")
