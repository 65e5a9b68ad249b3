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
