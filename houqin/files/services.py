"""Attach photos and files to a record, list them, remove (archive) them.

    from houqin.files.services import attach, attach_all, attachments_for

    attach(repair, request.FILES["photo"], by=request.user, role="report", caption="漏水")
    attach_all(repair, form.cleaned_data["photos"], by=request.user, role="done")
    attachments_for(repair, role="done")   # active ones, oldest first; role=None: all sets
    attachment_counts(page_of_repairs)     # {repair.pk: n} in one query, for list pages

Files go through Django's default storage only (the disk by default, S3-compatible object
storage with ``HOUQIN_STORAGE=s3``). Every file of a batch is checked and made ready before
anything is stored: one bad file refuses the whole batch with a ``ValidationError`` naming
it, and nothing is saved.
"""

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Count

from houqin.files.models import Attachment
from houqin.files.uploads import prepare


def attach(obj, uploaded_file, *, by, role="", caption="") -> Attachment:
    """Store one upload on ``obj`` (a saved record with a ``school``)."""
    return _store(obj, [prepare(uploaded_file)], by=by, role=role, caption=caption)[0]


def attach_all(obj, files, *, by, role="", images_only=False) -> list[Attachment]:
    """Store every upload in ``files`` on ``obj``, or none of them.

    Raises ``ValidationError`` with one message per refused file."""
    prepared, errors = [], []
    for uploaded_file in files:
        try:
            prepared.append(prepare(uploaded_file, images_only=images_only))
        except ValidationError as error:
            errors.extend(error.messages)
    if errors:
        raise ValidationError(errors)
    return _store(obj, prepared, by=by, role=role)


def attachments_for(obj, role=None):
    """The record's attachments that are not removed, oldest first. ``role=None``: every
    set; ``role=""`` the default set only."""
    attachments = Attachment.objects.for_object(obj).active()
    if role is not None:
        attachments = attachments.filter(role=role)
    return attachments.select_related("uploaded_by__staff")


def attachment_counts(objs, role=None) -> dict:
    """How many attachments each record has, by pk, in one query: for list pages that
    show a photo count per row. ``objs``: records of one model."""
    objs = list(objs)
    if not objs:
        return {}
    content_type = ContentType.objects.get_for_model(objs[0])
    attachments = Attachment.objects.active().filter(
        content_type=content_type, object_id__in=[obj.pk for obj in objs]
    )
    if role is not None:
        attachments = attachments.filter(role=role)
    rows = attachments.values("object_id").annotate(count=Count("pk")).order_by()
    return {row["object_id"]: row["count"] for row in rows}


def attachment_remove(attachment, *, by, reason):
    """Take an attachment off its record. The file stays stored; who and why are kept."""
    if attachment.is_active:
        attachment.archive(by=by, reason=reason)


def attachment_restore(attachment):
    if not attachment.is_active:
        attachment.restore()


def _store(obj, prepared, *, by, role, caption=""):
    if obj.pk is None:
        raise ValueError("Save the record before attaching files to it.")
    school_id = obj.school_id
    content_type = ContentType.objects.get_for_model(obj)
    stored, created = [], []
    try:
        with transaction.atomic():
            for upload in prepared:
                attachment = Attachment(
                    school_id=school_id,
                    content_type=content_type,
                    object_id=obj.pk,
                    role=role,
                    kind=upload.kind,
                    original_name=upload.original_name,
                    mime_type=upload.mime_type,
                    size=upload.size,
                    width=upload.width,
                    height=upload.height,
                    sha256=upload.sha256,
                    caption=caption,
                    uploaded_by=by,
                )
                attachment.file.save(f"upload{upload.extension}", upload.content, save=False)
                stored.append(attachment.file)
                if upload.thumbnail:
                    attachment.thumbnail.save(
                        "thumbnail.jpg", ContentFile(upload.thumbnail), save=False
                    )
                    stored.append(attachment.thumbnail)
                attachment.save()
                created.append(attachment)
    except BaseException:
        for field_file in stored:
            field_file.storage.delete(field_file.name)
        raise
    return created
