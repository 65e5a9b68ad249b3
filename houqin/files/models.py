"""Photos and files attached to any record (a place, a repair, a hazard …).

An attachment points at its record through a generic relation, belongs to the record's
school, and is archived (with who and why), never deleted, from the UI. The stored file
name is made by us (``attachments/<school>/<yyyy>/<mm>/<uuid>.<ext>``); the name the user
chose is kept in ``original_name`` and given back only in the download's header.
"""

import posixpath
import uuid

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from houqin.core.models import ArchivableModel
from houqin.org.models import SchoolScopedModel


class AttachmentKind(models.TextChoices):
    IMAGE = "image", _("照片")
    FILE = "file", _("文件")


def _stored_path(attachment, filename, suffix=""):
    extension = posixpath.splitext(filename)[1].lower()
    now = attachment.created_at or timezone.now()
    return (
        f"attachments/{attachment.school_id}/{now:%Y}/{now:%m}/"
        f"{attachment.key.hex}{suffix}{extension}"
    )


def attachment_path(attachment, filename):
    return _stored_path(attachment, filename)


def thumbnail_path(attachment, filename):
    return _stored_path(attachment, filename, "_thumb")


class AttachmentQuerySet(models.QuerySet):
    def for_object(self, obj):
        content_type = ContentType.objects.get_for_model(obj)
        return self.filter(content_type=content_type, object_id=obj.pk)

    def active(self):
        return self.filter(is_active=True)


class Attachment(SchoolScopedModel, ArchivableModel):
    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    content_type = models.ForeignKey(
        ContentType, verbose_name=_("记录类型"), on_delete=models.PROTECT, related_name="+"
    )
    object_id = models.PositiveBigIntegerField(_("记录编号"))
    record = GenericForeignKey("content_type", "object_id")
    # A record may hold several sets, e.g. "before" and "after" photos of a repair.
    role = models.CharField(_("用途"), max_length=30, blank=True)
    kind = models.CharField(_("类别"), max_length=10, choices=AttachmentKind.choices)
    file = models.FileField(_("文件"), upload_to=attachment_path, max_length=200)
    thumbnail = models.FileField(_("缩略图"), upload_to=thumbnail_path, max_length=200, blank=True)
    original_name = models.CharField(_("原文件名"), max_length=200)
    mime_type = models.CharField(_("文件类型"), max_length=100)
    size = models.PositiveBigIntegerField(_("大小（字节）"))
    width = models.PositiveIntegerField(_("宽度"), null=True, blank=True)
    height = models.PositiveIntegerField(_("高度"), null=True, blank=True)
    # Of the stored file: a backup or a copy can be checked against it.
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    caption = models.CharField(_("说明"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上传人"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = AttachmentQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("附件")
        verbose_name_plural = _("附件")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=AttachmentKind.values), name="attachment_kind_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["content_type", "object_id", "role"], name="attachment_record"),
        ]

    def __str__(self):
        return self.original_name

    @property
    def is_image(self):
        return self.kind == AttachmentKind.IMAGE

    @property
    def download_name(self):
        """The user's file name, with the extension of what is stored: a PNG or a GIF
        comes back as the JPEG it was turned into."""
        stem, extension = posixpath.splitext(self.original_name)
        stored = posixpath.splitext(self.file.name)[1].lower()
        if extension.lower() == stored or (
            stored == ".jpg" and extension.lower() in (".jpeg", ".jpe")
        ):
            return self.original_name
        return f"{stem or self.key.hex}{stored}"

    @property
    def icon(self):
        """The Bootstrap icon for the file's type."""
        if self.is_image:
            return "file-earmark-image"
        for word, icon in (
            ("pdf", "file-earmark-pdf"),
            ("word", "file-earmark-word"),
            ("msword", "file-earmark-word"),
            ("sheet", "file-earmark-excel"),
            ("excel", "file-earmark-excel"),
            ("presentation", "file-earmark-ppt"),
            ("powerpoint", "file-earmark-ppt"),
        ):
            if word in self.mime_type:
                return icon
        return "file-earmark"

    @property
    def opens_inline(self):
        """Browsers show photos and PDFs themselves; Office files are downloaded."""
        return self.is_image or self.mime_type == "application/pdf"
