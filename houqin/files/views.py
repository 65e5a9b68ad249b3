"""Serve attachments after an access check; upload to, remove from and restore to a record.

Files are never served by a public URL: each request finds the attachment in the user's
school, the record it belongs to among the records the user may read (else 404), and asks
the record's module whether the user may see it (else 403). The file then comes from
Django's storage, or from nginx through ``X-Accel-Redirect`` when
``HOUQIN_ACCEL_REDIRECT_PREFIX`` is set.
"""

from django.apps import apps
from django.conf import settings
from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import BadRequest, PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.http import content_disposition_header, url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from houqin.accounts.access import school_required
from houqin.files import registry
from houqin.files.models import Attachment
from houqin.files.services import attach_all, attachment_remove, attachment_restore
from houqin.files.uploads import DOCUMENT_ACCEPT, max_upload_bytes

CACHE_SECONDS = 3600
ROLE_MAX_LENGTH = 30
TITLE_MAX_LENGTH = 60


# Serving


@school_required
def view(request, pk):
    """Inline: a photo or a PDF opens in the browser; other documents are downloaded."""
    attachment, _record = _attachment_for(request, pk)
    return _serve(
        attachment.file,
        content_type=attachment.mime_type,
        filename=attachment.download_name,
        as_attachment=not attachment.opens_inline,
    )


@school_required
def download(request, pk):
    attachment, _record = _attachment_for(request, pk)
    return _serve(
        attachment.file,
        content_type=attachment.mime_type,
        filename=attachment.download_name,
        as_attachment=True,
    )


@school_required
def thumb(request, pk):
    attachment, _record = _attachment_for(request, pk)
    if not attachment.thumbnail:
        raise Http404
    return _serve(
        attachment.thumbnail,
        content_type="image/jpeg",
        filename=attachment.download_name,
        as_attachment=False,
    )


def _attachment_for(request, pk):
    """The attachment and its record, when the user may see them; 404 or 403 otherwise."""
    attachment = (
        Attachment.objects.filter(school=request.school, pk=pk)
        .select_related("content_type")
        .first()
    )
    if attachment is None:
        raise Http404
    model = attachment.content_type.model_class()
    record = (
        model._base_manager.filter(pk=attachment.object_id).first() if model is not None else None
    )
    if not registry.record_visible(request.user, record):
        raise Http404
    if not registry.can_view(request.user, record):
        raise PermissionDenied
    if not attachment.is_active and not registry.can_remove(request.user, record):
        raise Http404
    return attachment, record


def _serve(field_file, *, content_type, filename, as_attachment):
    prefix = settings.HOUQIN_ACCEL_REDIRECT_PREFIX
    if prefix:
        # Stored names are ours (attachments/<school>/<yyyy>/<mm>/<uuid>.<ext>): plain ASCII.
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = f"{prefix.rstrip('/')}/{field_file.name}"
    else:
        try:
            handle = field_file.storage.open(field_file.name, "rb")
        except OSError:
            raise Http404 from None
        response = FileResponse(handle, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(as_attachment, filename)
    response["X-Content-Type-Options"] = "nosniff"
    patch_cache_control(response, private=True, max_age=CACHE_SECONDS)
    return response


# Upload, remove, restore


@require_POST
@school_required
def upload(request, model, object_id):
    record = _record_for(request, model, object_id)
    if not registry.can_add(request.user, record):
        raise PermissionDenied
    options = _card_options(request, record)
    files = request.FILES.getlist("files")
    errors = []
    # More than DATA_UPLOAD_MAX_NUMBER_FILES never gets here: Django answers 400 (and
    # files.js says so before sending).
    if not files:
        errors = [_("请选择要上传的照片或文件。")]
    else:
        try:
            created = attach_all(record, files, by=request.user, role=options["role"])
        except ValidationError as error:
            errors = error.messages
    if request.htmx:
        return HttpResponse(card_html(request, record, errors=errors, **options))
    if errors:
        for message in errors:
            messages.error(request, message)
    else:
        messages.success(request, _("已上传 %(count)s 个文件。") % {"count": len(created)})
    return redirect(options["next_url"])


@require_POST
@school_required
def remove(request, pk):
    attachment, record = _attachment_for(request, pk)
    if not registry.can_remove(request.user, record, attachment):
        raise PermissionDenied
    options = _card_options(request, record)
    reason = request.POST.get("reason", "").strip()[:200]
    errors = []
    if not reason:
        errors = [_("请填写移除原因。")]
    else:
        attachment_remove(attachment, by=request.user, reason=reason)
    if request.htmx:
        return HttpResponse(card_html(request, record, errors=errors, **options))
    if errors:
        messages.error(request, errors[0])
    else:
        messages.success(request, _("已移除“%(name)s”。") % {"name": attachment.original_name})
    return redirect(options["next_url"])


@require_POST
@school_required
def restore(request, pk):
    attachment, record = _attachment_for(request, pk)
    if not registry.can_remove(request.user, record):
        raise PermissionDenied
    options = _card_options(request, record)
    attachment_restore(attachment)
    if request.htmx:
        return HttpResponse(card_html(request, record, **options))
    messages.success(request, _("已恢复“%(name)s”。") % {"name": attachment.original_name})
    return redirect(options["next_url"])


def _record_for(request, label, object_id):
    """The record named by ``app_label.model`` and id, when the user may see it."""
    try:
        model = apps.get_model(label)
    except (LookupError, ValueError):
        raise Http404 from None
    if not registry.is_attachable(model):
        raise Http404
    record = model._base_manager.filter(pk=object_id).first()
    if not registry.record_visible(request.user, record):
        raise Http404
    if not registry.can_view(request.user, record):
        raise PermissionDenied
    return record


def _card_options(request, record):
    """The card's role and title, sent back by its forms, and where a plain POST returns."""
    role = request.POST.get("role", "")
    if len(role) > ROLE_MAX_LENGTH or not registry.role_allowed(record, role):
        raise BadRequest
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        get_url = getattr(record, "get_absolute_url", None)
        next_url = get_url() if get_url else "/"
    return {
        "role": role,
        "title": request.POST.get("title", "")[:TITLE_MAX_LENGTH] or None,
        "readonly": False,
        "next_url": next_url,
    }


# The card


def card_html(request, obj, *, role="", title=None, readonly=False, errors=(), next_url=None):
    """The attachments card of ``obj`` for ``request.user``: empty when they may not see
    the record's attachments. One query for the attachments, whatever their number."""
    user = request.user
    if (
        obj is None
        or not registry.is_attachable(obj)
        or not registry.in_school(user, obj)
        or not registry.can_view(user, obj)
    ):
        return ""
    content_type = ContentType.objects.get_for_model(obj)
    attachments = list(
        Attachment.objects.filter(content_type=content_type, object_id=obj.pk, role=role)
        .select_related("uploaded_by__staff", "archived_by__staff")
        .order_by("created_at", "pk")
    )
    may_add = not readonly and registry.can_add(user, obj)
    may_remove = not readonly and registry.can_remove(user, obj)
    active = []
    for attachment in attachments:
        attachment.removable = may_remove or (may_add and attachment.uploaded_by_id == user.pk)
        if attachment.is_active:
            active.append(attachment)
    context = {
        "card_id": f"attachments-{content_type.pk}-{obj.pk}-{role or 'all'}",
        "title": title or _("照片和附件"),
        "count": len(active),
        "role": role,
        "title_option": title or "",
        "images": [a for a in active if a.is_image],
        "documents": [a for a in active if not a.is_image],
        "removed": [a for a in attachments if not a.is_active] if may_remove else [],
        "any_removable": any(a.removable for a in active),
        "may_add": may_add,
        "may_remove": may_remove,
        "errors": list(errors),
        "upload_url": reverse(
            "files:upload", kwargs={"model": obj._meta.label_lower, "object_id": obj.pk}
        ),
        "next_url": next_url or request.get_full_path(),
        "csrf_token": get_token(request),
        "document_accept": DOCUMENT_ACCEPT,
        "max_bytes": max_upload_bytes(),
        "max_mb": settings.HOUQIN_UPLOAD_MAX_MB,
        "max_files": settings.DATA_UPLOAD_MAX_NUMBER_FILES,
    }
    return render_to_string("files/card.html", context)
