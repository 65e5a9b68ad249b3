"""Stable QR codes: one short random token per record, printed once and never changed.

The QR encodes ``<base>/q/<token>``; renaming or recoding the record leaves the token (and
every label already stuck on a door) valid."""

import secrets

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext_lazy as _

from houqin.org.models import SchoolScopedModel

# No 0/O, 1/I/L: a token read aloud or typed from a photo cannot be misread.
TOKEN_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
TOKEN_LENGTH = 10


def new_token():
    return "".join(secrets.choice(TOKEN_ALPHABET) for _ in range(TOKEN_LENGTH))


class QrCodeQuerySet(models.QuerySet):
    def for_objects(self, objects):
        """The codes of ``objects`` (all of one model), made now for those that have none.
        Returns ``{object pk: token}``; two queries when every record already has one."""
        objects = list(objects)
        if not objects:
            return {}
        content_type = ContentType.objects.get_for_model(objects[0])
        ids = [obj.pk for obj in objects]
        tokens = dict(
            self.filter(content_type=content_type, object_id__in=ids).values_list(
                "object_id", "token"
            )
        )
        for _attempt in range(5):
            missing = [obj for obj in objects if obj.pk not in tokens]
            if not missing:
                break
            # A token or record that collides (another request made it first) is skipped
            # here and picked up by the query below.
            self.bulk_create(
                [
                    QrCode(
                        school_id=obj.school_id,
                        content_type=content_type,
                        object_id=obj.pk,
                        token=new_token(),
                    )
                    for obj in missing
                ],
                ignore_conflicts=True,
            )
            tokens.update(
                self.filter(
                    content_type=content_type, object_id__in=[obj.pk for obj in missing]
                ).values_list("object_id", "token")
            )
        return tokens

    def for_object(self, obj):
        """The code of one record, made now if it has none."""
        content_type = ContentType.objects.get_for_model(obj)
        existing = self.filter(content_type=content_type, object_id=obj.pk).first()
        if existing:
            return existing
        for _attempt in range(5):
            try:
                with transaction.atomic():
                    return self.create(
                        school_id=obj.school_id,
                        content_type=content_type,
                        object_id=obj.pk,
                        token=new_token(),
                    )
            except IntegrityError:
                existing = self.filter(content_type=content_type, object_id=obj.pk).first()
                if existing:
                    return existing
        raise IntegrityError("could not make a unique QR token")


class QrCode(SchoolScopedModel):
    content_type = models.ForeignKey(
        ContentType, verbose_name=_("记录类型"), on_delete=models.PROTECT, related_name="+"
    )
    object_id = models.PositiveBigIntegerField(_("记录编号"))
    token = models.CharField(_("二维码标识"), max_length=20, unique=True)

    objects = QrCodeQuerySet.as_manager()

    class Meta:
        ordering = ["school", "content_type", "object_id"]
        verbose_name = _("二维码")
        verbose_name_plural = _("二维码")
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id"], name="qrcode_one_per_record"
            ),
        ]

    def __str__(self):
        return self.token
