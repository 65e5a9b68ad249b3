import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from houqin.org.models import SchoolScopedModel


class ImportKind(models.TextChoices):
    PEOPLE = "people", _("教职工")
    PLACES = "places", _("场所")
    CLASSES = "classes", _("班级")


class ImportStatus(models.TextChoices):
    PENDING = "pending", _("待确认")
    COMMITTED = "committed", _("已导入")


def batch_file_path(batch, filename):
    # The uploaded name is kept in ``original_name``; the stored one is never the client's.
    return f"imports/{uuid.uuid4().hex}.xlsx"


class ImportBatch(SchoolScopedModel):
    """One uploaded workbook, kept on disk between the preview and the commit, and
    afterwards as the record of what was imported."""

    kind = models.CharField(_("类别"), max_length=20, choices=ImportKind.choices)
    file = models.FileField(_("文件"), upload_to=batch_file_path)
    original_name = models.CharField(_("原文件名"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上传人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(
        _("状态"), max_length=20, choices=ImportStatus.choices, default=ImportStatus.PENDING
    )
    row_count = models.PositiveIntegerField(_("行数"), default=0)
    created_count = models.PositiveIntegerField(_("新增"), default=0)
    updated_count = models.PositiveIntegerField(_("更新"), default=0)
    error_count = models.PositiveIntegerField(_("错误"), default=0)
    committed_at = models.DateTimeField(_("导入时间"), null=True, blank=True)

    class Meta:
        ordering = ["school", "-created_at"]
        verbose_name = _("导入批次")
        verbose_name_plural = _("导入批次")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=ImportKind.values), name="import_batch_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=ImportStatus.values), name="import_batch_status_valid"
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.original_name}"

    @property
    def is_committed(self):
        return self.status == ImportStatus.COMMITTED
