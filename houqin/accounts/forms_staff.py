"""Forms for people (教职工), their logins, and the audit log's filters. Each takes the
acting school; nothing here reads the school from the request body."""

from django import forms
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from houqin.accounts.models import Appointment, Staff, User
from houqin.accounts.roles import Position
from houqin.core.forms import ArchiveForm as CoreArchiveForm
from houqin.core.forms import StyledForm, StyledFormMixin
from houqin.core.pinyin import full_pinyin
from houqin.org.models import Campus, Department, Grade


def unique_username(name):
    """Full pinyin of the name, with a digit suffix when taken: 周静 → zhoujing, zhoujing2."""
    base = "".join(ch for ch in full_pinyin(name) if ch.isascii() and ch.isalnum()) or "user"
    base = base[:140]
    taken = set(User.objects.filter(username__istartswith=base).values_list("username", flat=True))
    taken = {username.lower() for username in taken}
    if base not in taken:
        return base
    suffix = 2
    while f"{base}{suffix}" in taken:
        suffix += 1
    return f"{base}{suffix}"


class LimitedChoicesMixin:
    """Calls ``limit_choices`` once the fields exist and before StyledFormMixin styles them:
    styling reads ``self.errors``, which validates a bound form there and then."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.limit_choices()

    def limit_choices(self):
        pass


class StaffForm(StyledFormMixin, LimitedChoicesMixin, forms.ModelForm):
    class Meta:
        model = Staff
        fields = ["name", "staff_no", "phone", "gender", "department", "job_title", "email"]

    def __init__(self, *args, school, **kwargs):
        self.school = school
        super().__init__(*args, **kwargs)

    def limit_choices(self):
        school = self.school
        self.fields["department"].queryset = Department.objects.filter(
            school=school, is_active=True
        )
        self.fields["department"].empty_label = _("（无）")
        self.fields["gender"].choices = [("", _("（不填）")), *self.fields["gender"].choices[1:]]

    def clean_staff_no(self):
        staff_no = self.cleaned_data["staff_no"].strip()
        others = Staff.objects.filter(school=self.school, staff_no=staff_no)
        if self.instance.pk:
            others = others.exclude(pk=self.instance.pk)
        if others.exists():
            raise ValidationError(_("本校已有工号为 %(no)s 的教职工。"), params={"no": staff_no})
        return staff_no

    def clean_phone(self):
        phone = self.cleaned_data["phone"].strip()
        if not phone:
            return phone
        if not phone.isdigit() or not 7 <= len(phone) <= 20:
            raise ValidationError(_("请填写正确的手机号。"))
        others = Staff.objects.filter(phone=phone)
        if self.instance.pk:
            others = others.exclude(pk=self.instance.pk)
        if others.exists():
            raise ValidationError(_("手机号 %(phone)s 已被其他人使用。"), params={"phone": phone})
        return phone


class StaffCreateForm(StaffForm):
    """A new person and their login, with a first position if given."""

    username = forms.CharField(
        label=_("登录用户名"),
        max_length=150,
        required=False,
        help_text=_("留空则使用姓名全拼，重名时自动加数字。"),
    )
    password = forms.CharField(
        label=_("初始密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html,
    )
    position = forms.ChoiceField(
        label=_("职务"), choices=[("", _("（暂不设置）")), *Position.choices], required=False
    )

    def clean_username(self):
        username = self.cleaned_data["username"].strip()
        if not username:
            return ""
        try:
            User.username_validator(username)
        except ValidationError:
            raise ValidationError(_("用户名只能包含字母、数字和 @/./+/-/_ 字符。")) from None
        if User.objects.filter(username__iexact=username).exists():
            raise ValidationError(
                _("用户名 %(username)s 已被使用。"), params={"username": username}
            )
        return username

    def clean(self):
        cleaned = super().clean()
        password = cleaned.get("password")
        if password and "name" in cleaned:
            username = cleaned.get("username") or unique_username(cleaned["name"])
            cleaned["username"] = username
            probe = User(username=username, email=cleaned.get("email", ""))
            try:
                password_validation.validate_password(password, probe)
            except ValidationError as error:
                self.add_error("password", error)
        return cleaned


class SetPasswordForm(StyledForm):
    """An administrator sets a new password for someone else's login."""

    new_password1 = forms.CharField(
        label=_("新密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html,
    )
    new_password2 = forms.CharField(
        label=_("再次输入新密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_new_password2(self):
        first = self.cleaned_data.get("new_password1")
        second = self.cleaned_data["new_password2"]
        if first and first != second:
            raise ValidationError(_("两次输入的密码不一致。"))
        if first:
            password_validation.validate_password(first, self.user)
        return second


# 三员分立: one person never holds two of these.
SEPARATED_ADMINS = {Position.SYSTEM_ADMIN, Position.SECURITY_ADMIN, Position.AUDIT_ADMIN}


class AppointmentForm(StyledFormMixin, LimitedChoicesMixin, forms.ModelForm):
    class Meta:
        model = Appointment
        fields = ["position", "campus", "department", "grade", "charge"]

    def __init__(self, *args, staff, **kwargs):
        self.staff = staff
        super().__init__(*args, **kwargs)

    def limit_choices(self):
        school = self.staff.school
        self.fields["campus"].queryset = Campus.objects.filter(school=school, is_active=True)
        self.fields["department"].queryset = Department.objects.filter(
            school=school, is_active=True
        )
        self.fields["grade"].queryset = Grade.objects.filter(
            school=school, is_active=True
        ).select_related("campus")
        for name in ("campus", "department", "grade"):
            self.fields[name].empty_label = _("（不限）")
        self.fields["department"].help_text = _("部门负责人请选择所负责的部门")
        self.fields["grade"].help_text = _("年级组长请选择所负责的年级")

    def clean(self):
        cleaned = super().clean()
        position = cleaned.get("position")
        if position:
            held = Appointment.objects.current().filter(
                staff=self.staff,
                position=position,
                campus=cleaned.get("campus"),
                department=cleaned.get("department"),
                grade=cleaned.get("grade"),
            )
            if held.exists():
                raise ValidationError(_("此人已担任该职务（范围相同）。"))
            if position in SEPARATED_ADMINS:
                others = SEPARATED_ADMINS - {position}
                if (
                    Appointment.objects.current()
                    .filter(staff=self.staff, position__in=others)
                    .exists()
                ):
                    raise ValidationError(
                        _("三员分立：系统管理员、安全管理员、审计管理员不能由同一人兼任。")
                    )
        grade, campus = cleaned.get("grade"), cleaned.get("campus")
        if grade and campus and grade.campus_id != campus.pk:
            self.add_error("grade", _("所选年级不属于所选校区。"))
        return cleaned


class ArchiveForm(CoreArchiveForm):
    reason = forms.CharField(
        label=_("停用原因"),
        max_length=200,
        help_text=_("如 调离、退休、离职"),
    )


class AuditLogFilterForm(StyledForm):
    """The audit log's filters (GET). ``actor`` is a Staff id of the school."""

    model = forms.ChoiceField(label=_("对象类型"), required=False)
    actor = forms.IntegerField(label=_("操作人"), required=False, widget=forms.HiddenInput)
    date_from = forms.DateField(
        label=_("起始日期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    date_to = forms.DateField(
        label=_("截止日期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args, model_choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["model"].choices = [("", _("全部类型")), *model_choices]
