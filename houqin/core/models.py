"""Domain-free building blocks shared by every app."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from houqin.core.pinyin import initials


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        abstract = True


class ArchivableModel(models.Model):
    """Nothing a user made is deleted from the UI: it is archived, with who and why."""

    is_active = models.BooleanField(_("在用"), default=True)
    archived_at = models.DateTimeField(_("停用时间"), null=True, blank=True, editable=False)
    archived_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("停用人"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="+",
    )
    archive_reason = models.CharField(_("停用原因"), max_length=200, blank=True, editable=False)

    class Meta:
        abstract = True

    def archive(self, *, by, reason=""):
        self.is_active = False
        self.archived_at = timezone.now()
        self.archived_by = by
        self.archive_reason = reason
        self.save(update_fields=["is_active", "archived_at", "archived_by", "archive_reason"])

    def restore(self):
        self.is_active = True
        self.archived_at = None
        self.archived_by = None
        self.archive_reason = ""
        self.save(update_fields=["is_active", "archived_at", "archived_by", "archive_reason"])


class NamedWithInitialsModel(models.Model):
    """A name searchable by pinyin initials: typing ``zj`` finds 周静."""

    name_initials = models.CharField(_("拼音首字母"), max_length=64, blank=True, editable=False)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self.name_initials = initials(self.name)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "name" in update_fields:
            kwargs["update_fields"] = {*update_fields, "name_initials"}
        super().save(*args, **kwargs)


class AppendOnlyModel(models.Model):
    """Rows written once: saving an existing row or deleting one is refused. A subclass
    with its own error overrides ``refuse``."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None:
            self.refuse("changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        self.refuse("deleted")

    def refuse(self, change):
        """Raise for ``change`` ("changed" or "deleted")."""
        raise ValueError(f"{type(self).__name__} rows are never {change}.")


class EventModel(AppendOnlyModel, TimeStampedModel):
    """One line of a record's history: what was done (``action``, the subclass's
    choices), by whom, with a note. Written by the services only; never changed.

    ``subject_field`` names the subclass's foreign key to the record."""

    subject_field = ""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    note = models.CharField(_("说明"), max_length=500, blank=True)

    class Meta:
        abstract = True

    @classmethod
    def record(cls, subject, action, by, *, at=None, note="", **fields):
        """Write one event of ``subject`` done by the Staff ``by`` (None: the system)."""
        return cls.objects.create(
            **{cls.subject_field: subject},
            action=action,
            actor=by.user if by is not None else None,
            note=(note or "")[:500],
            created_at=at or timezone.now(),
            **fields,
        )


class StatusEvent(EventModel):
    """An event that may move its record from one status to another."""

    from_status = models.CharField(_("原状态"), max_length=20, blank=True)
    to_status = models.CharField(_("新状态"), max_length=20, blank=True)

    class Meta:
        abstract = True

    @classmethod
    def move(cls, subject, status, action, by, **fields):
        """Move ``subject`` to ``status``, save it (with whatever else the caller set on
        it) and write the step from the status it had, done by the Staff ``by``."""
        from_status = subject.status
        subject.status = status
        subject.save()
        return cls.record(
            subject, action, by, from_status=from_status, to_status=subject.status, **fields
        )


class StatusRecordMixin:
    """A workflow record (a repair request, a hazard…) with a ``status`` field, its
    ``events`` (a StatusEvent subclass) and a page of its own. Not a model: adds no
    field. The subclass names ``detail_url`` (the URL name of its page, taking its pk)
    and ``open_statuses``."""

    detail_url = ""
    open_statuses = ()

    def get_absolute_url(self):
        return reverse(self.detail_url, args=[self.pk])

    @property
    def is_open(self):
        return self.status in self.open_statuses

    def timeline(self):
        """The record's events, oldest first, each with ``to_status_label`` (the label of
        the status it moved to) and its actor loaded."""
        events = list(self.events.select_related("actor__staff"))
        labels = dict(self._meta.get_field("status").flatchoices)
        for event in events:
            event.to_status_label = labels.get(event.to_status, event.to_status)
        return events
