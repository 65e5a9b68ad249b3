from django import forms
from django.utils.translation import gettext_lazy as _


class StyledFormMixin:
    """Gives every widget its Bootstrap class and marks fields with errors invalid.

    Errors are read only after validation (``full_clean``), so a subclass may still narrow
    its choices in ``__init__`` after calling ``super().__init__()``.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select | forms.SelectMultiple):
                css = "form-select"
            elif isinstance(widget, forms.HiddenInput):
                continue
            else:
                css = "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                attrs = self.fields[name].widget.attrs
                if "is-invalid" not in attrs.get("class", ""):
                    attrs["class"] = f"{attrs.get('class', '')} is-invalid".strip()


class StyledForm(StyledFormMixin, forms.Form):
    pass


class StyledModelForm(StyledFormMixin, forms.ModelForm):
    pass


class ArchiveForm(StyledForm):
    """Why a record is archived: nothing is deleted from the UI, and the reason is kept."""

    reason = forms.CharField(label=_("停用原因"), max_length=200)


class StatusFilterMixin:
    """For a list's filter form with a ``status`` field and a ``building`` field: the
    status is "open" (the default), "all" or one status; the buildings are the user's."""

    OPEN, ALL = "open", "all"

    def set_status_choices(self, open_label, statuses):
        self.fields["status"].choices = [
            (self.OPEN, open_label),
            (self.ALL, _("全部状态")),
            *statuses,
        ]

    def set_buildings(self, user):
        from houqin.org.models import Building

        building = self.fields["building"]
        building.queryset = Building.objects.for_user(user).order_by("campus__code", "code")
        building.choices = [("", _("全部楼宇")), *building.choices]

    def filter_status(self, queryset, open_statuses):
        """``queryset`` narrowed to the status chosen: "open" ``open_statuses``, "all"
        every one, else that status. Call after ``is_valid()``."""
        status = self.cleaned_data["status"] or self.OPEN
        if status == self.OPEN:
            return queryset.filter(status__in=open_statuses)
        if status != self.ALL:
            return queryset.filter(status=status)
        return queryset
