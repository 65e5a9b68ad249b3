from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from houqin.accounts.roles import Position
from houqin.core.models import ArchivableModel, NamedWithInitialsModel, TimeStampedModel
from houqin.org.models import Campus, Department, District, Grade, School


class User(AbstractUser):
    """A login. The person behind it, with school and positions, is ``user.staff``."""

    password_changed_at = models.DateTimeField(_("密码修改时间"), null=True, blank=True)

    class Meta:
        ordering = ["username"]
        verbose_name = _("账号")
        verbose_name_plural = _("账号")

    def __str__(self):
        staff = getattr(self, "staff", None)
        return staff.name if staff else self.username

    def set_password(self, raw_password):
        super().set_password(raw_password)
        self.password_changed_at = timezone.now()

    def get_additional_data(self):
        """Files the login's audit entries under its school (the audit log is per school)."""
        staff = Staff.objects.filter(user_id=self.pk).values("school_id").first()
        return {"school_id": staff["school_id"] if staff else None}


class Gender(models.TextChoices):
    FEMALE = "F", _("女")
    MALE = "M", _("男")


class StaffQuerySet(models.QuerySet):
    def for_user(self, user):
        from houqin.accounts.access import scope_queryset

        return scope_queryset(self, user)

    def active(self):
        return self.filter(is_active=True)

    def search(self, text):
        text = (text or "").strip()
        if not text:
            return self
        lowered = text.lower()
        return self.filter(
            Q(name__icontains=text)
            | Q(name_initials__startswith=lowered)
            | Q(staff_no__startswith=text)
            | Q(phone__startswith=text)
            | Q(user__username__startswith=lowered)
        )


class Staff(TimeStampedModel, ArchivableModel, NamedWithInitialsModel):
    """A person who works for a school (or, for district officers, a district)."""

    user = models.OneToOneField(
        User,
        verbose_name=_("登录账号"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff",
    )
    school = models.ForeignKey(
        School,
        verbose_name=_("学校"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff",
    )
    district = models.ForeignKey(
        District,
        verbose_name=_("区县"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="officers",
    )
    name = models.CharField(_("姓名"), max_length=50)
    staff_no = models.CharField(_("工号"), max_length=32)
    phone = models.CharField(_("手机号"), max_length=20, blank=True)
    gender = models.CharField(_("性别"), max_length=1, choices=Gender.choices, blank=True)
    department = models.ForeignKey(
        Department,
        verbose_name=_("部门"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="members",
    )
    job_title = models.CharField(_("岗位说明"), max_length=60, blank=True)
    email = models.EmailField(_("电子邮箱"), blank=True)

    objects = StaffQuerySet.as_manager()
    campus_path = None

    class Meta:
        ordering = ["school", "staff_no"]
        verbose_name = _("教职工")
        verbose_name_plural = _("教职工")
        constraints = [
            models.UniqueConstraint(
                fields=["school", "staff_no"],
                condition=Q(school__isnull=False),
                name="staff_no_unique_in_school",
            ),
            models.UniqueConstraint(
                fields=["phone"], condition=~Q(phone=""), name="staff_phone_unique"
            ),
            models.CheckConstraint(
                condition=Q(school__isnull=False) | Q(district__isnull=False),
                name="staff_has_school_or_district",
            ),
            models.CheckConstraint(
                condition=Q(gender__in=["", *Gender.values]), name="staff_gender_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["school", "name_initials"], name="staff_school_initials"),
        ]

    def __str__(self):
        return self.name

    def get_additional_data(self):
        return {"school_id": self.school_id}

    def held_appointments(self):
        """The positions held now; ended ones stay in the table for the record."""
        return [a for a in self.appointments.all() if a.ended_on is None]

    @property
    def positions(self):
        return [appointment.position for appointment in self.held_appointments()]

    def position_labels(self):
        return "、".join(str(a) for a in self.held_appointments())


class AppointmentQuerySet(models.QuerySet):
    def current(self):
        return self.filter(ended_on__isnull=True)


class Appointment(TimeStampedModel):
    """A position a person holds, optionally limited to a campus, department or grade.
    Ending a position sets ``ended_on``; the row is kept, and grants nothing any more."""

    staff = models.ForeignKey(
        Staff, verbose_name=_("教职工"), on_delete=models.CASCADE, related_name="appointments"
    )
    position = models.CharField(_("职务"), max_length=32, choices=Position.choices)
    campus = models.ForeignKey(
        Campus,
        verbose_name=_("限定校区"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        help_text=_("留空表示全校"),
    )
    department = models.ForeignKey(
        Department, verbose_name=_("部门"), null=True, blank=True, on_delete=models.PROTECT
    )
    grade = models.ForeignKey(
        Grade, verbose_name=_("年级"), null=True, blank=True, on_delete=models.PROTECT
    )
    charge = models.CharField(
        _("分管工作"), max_length=60, blank=True, help_text=_("如 后勤、教学、德育")
    )
    ended_on = models.DateField(_("卸任日期"), null=True, blank=True, editable=False)

    objects = AppointmentQuerySet.as_manager()

    class Meta:
        ordering = ["staff", "position"]
        verbose_name = _("任职")
        verbose_name_plural = _("任职")
        constraints = [
            models.CheckConstraint(
                condition=Q(position__in=Position.values), name="appointment_position_valid"
            ),
            models.UniqueConstraint(
                fields=["staff", "position", "campus", "department", "grade"],
                condition=Q(ended_on__isnull=True),
                name="appointment_unique",
            ),
        ]

    def __str__(self):
        label = self.get_position_display()
        scope = self.grade or self.department or self.campus
        detail = self.charge or (str(scope) if scope else "")
        return f"{label}（{detail}）" if detail else str(label)

    def get_additional_data(self):
        return {"school_id": self.staff.school_id}

    def end(self):
        self.ended_on = timezone.localdate()
        self.save(update_fields=["ended_on", "updated_at"])
