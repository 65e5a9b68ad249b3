"""Helpers shared by the workflow services (repairs, hazards, assets…): who may act, who
is told, the next record number, checked input, photos.

Each service keeps its own error class; the helpers that refuse take it as ``error`` and
raise it with the Chinese message given. ``by`` is always the acting ``Staff``.
"""

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.db.models.functions import Length
from django.utils import timezone
from django.utils.translation import gettext as _


def now_or(now):
    return now or timezone.now()


def can(by, perm):
    """The acting staff member has a login holding ``perm``."""
    return by is not None and by.user_id is not None and by.user.has_perm(perm)


def choice_label(choices, value):
    """The label of ``value`` among ``choices`` (a TextChoices), else the value itself."""
    return str(choices(value).label) if value in choices.values else value


def refuse_status(record, message, action_label, *, error):
    """Raise ``error(message)``, its ``%(status)s`` the label of ``record``'s status and
    its ``%(action)s`` the refused ``action_label``."""
    status = record._meta.get_field("status").flatchoices
    label = dict(status).get(record.status, record.status)
    raise error(message % {"status": str(label), "action": action_label})


def required_text(text, message, *, error, max_length=500):
    """``text`` stripped and cut to ``max_length``; ``error(message)`` when empty."""
    text = (text or "").strip()
    if not text:
        raise error(message)
    return text[:max_length]


def parse_money(value, *, error, invalid, negative, too_large):
    """An amount of yuan with two decimals (empty: 0); ``error`` with the message that
    fits when it is not a number, negative or too large."""
    if value is None or value == "":
        return Decimal("0")
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise error(invalid) from None
    if not amount.is_finite() or amount < 0:
        raise error(negative)
    if amount >= Decimal("1e12"):
        raise error(too_large)
    return amount.quantize(Decimal("0.01"))


def attach_photos(obj, photos, *, by, role="", error):
    """Attach the uploaded images to ``obj``; a refused file raises ``error``."""
    if not photos:
        return []
    from houqin.files.services import attach_all

    try:
        return attach_all(obj, photos, by=by.user, role=role, images_only=True)
    except ValidationError as exc:
        raise error("；".join(exc.messages)) from None


def next_number(records, prefix, digits):
    """``prefix`` + the sequence number after the highest of ``records`` (a queryset: the
    school's rows) numbered with that prefix, zero-padded to ``digits``. The longest
    number counts first, so …9999 is followed by …10000. The caller holds a lock (the
    school's row) so two requests at once never draw the same number."""
    last = (
        records.filter(number__startswith=prefix)
        .order_by(Length("number").desc(), "-number")
        .values_list("number", flat=True)
        .first()
    )
    tail = last[len(prefix) :] if last else ""
    sequence = int(tail) + 1 if tail.isdigit() else 1
    return f"{prefix}{sequence:0{digits}d}"


def copy_saved(target, source, relations=None):
    """Copy the saved values of ``source`` (a fresh, locked copy) to the caller's object
    ``target``, with the related objects loaded with them: all of them, or only those
    named in ``relations`` (the others are dropped from ``target``'s cache)."""
    if target is source:
        return target
    for field in type(source)._meta.concrete_fields:
        setattr(target, field.attname, getattr(source, field.attname))
    if relations is None:
        target._state.fields_cache = dict(source._state.fields_cache)
        return target
    for name in relations:
        if name in source._state.fields_cache:
            setattr(target, name, getattr(source, name))
        else:
            target._state.fields_cache.pop(name, None)
    return target


# --- who is told ---------------------------------------------------------------------


def positions_with(perm):
    """The positions whose grants include ``perm``."""
    from houqin.accounts.roles import GRANTS

    return [position for position, granted in GRANTS.items() if perm in granted]


def holders(school, positions, *, campus_id=None, charge=None):
    """Active staff of ``school`` holding one of ``positions`` now: for the whole school,
    or for ``campus_id`` when the appointment names a campus; ``charge``, only those whose
    charge (分管) includes it."""
    from houqin.accounts.models import Staff

    queryset = Staff.objects.filter(
        school=school,
        is_active=True,
        appointments__position__in=list(positions),
        appointments__ended_on__isnull=True,
    )
    if campus_id is not None:
        queryset = queryset.filter(
            Q(appointments__campus__isnull=True) | Q(appointments__campus_id=campus_id)
        )
    if charge:
        queryset = queryset.filter(appointments__charge__contains=charge)
    return list(queryset.distinct().order_by("staff_no", "pk"))


def notify_people(recipients, *, event, title, body="", url, school, exclude=None):
    """Tell the active people with a login among ``recipients``, once each, never
    ``exclude`` (the one acting)."""
    from houqin.notifications.services import notify

    people = {}
    for person in recipients:
        if person is None or not person.user_id or not person.is_active:
            continue
        if exclude is not None and person.pk == exclude.pk:
            continue
        people[person.pk] = person
    if not people:
        return []
    return notify(
        list(people.values()), event=event, title=title, body=body, url=url, school=school
    )


def attach_client_photo(photo_model, subject_field, subject, photo_uuid, file, *, user, error):
    """Attach a photo a phone took offline to ``subject`` through ``photo_model`` (a row
    of ``client_uuid``, the subject under ``subject_field`` and the attachment), once per
    ``photo_uuid``: a retried upload returns the first. Returns ``(attachment,
    created)``; a bad upload or a uuid of another subject raises ``error``."""
    from houqin.files.services import attach

    photos = photo_model.objects.select_related("attachment")
    for photo in photos.filter(client_uuid=photo_uuid):
        if getattr(photo, f"{subject_field}_id") != subject.pk:
            raise error(_("照片编号重复。"))
        return photo.attachment, False
    if file is None:
        raise error(_("请选择照片。"))
    attachment = None
    try:
        with transaction.atomic():
            attachment = attach(subject, file, by=user)
            photo_model.objects.create(
                client_uuid=photo_uuid, attachment=attachment, **{subject_field: subject}
            )
    except ValidationError as exc:
        raise error("；".join(exc.messages)) from None
    except IntegrityError:
        # The same upload arrived twice at once: the other one's photo stands, and the
        # file this one stored goes (its row was rolled back).
        if attachment is not None:
            for stored in (attachment.file, attachment.thumbnail):
                if stored:
                    stored.storage.delete(stored.name)
        return photos.get(client_uuid=photo_uuid).attachment, False
    return attachment, True
