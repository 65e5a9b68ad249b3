from django import forms
from django.core.exceptions import ValidationError


class PickerWidget(forms.Widget):
    """A search box that finds records over htmx (by name, pinyin initials or code) and
    stores the chosen id in a hidden input. ``search_url`` returns
    ``core/picker_options.html`` rendered with ``options`` [(id, label, detail)]."""

    template_name = "core/picker.html"

    def __init__(self, search_url_name, model, attrs=None):
        super().__init__(attrs)
        self.search_url_name = search_url_name
        self.model = model

    def get_context(self, name, value, attrs):
        from django.urls import reverse

        context = super().get_context(name, value, attrs)
        label = ""
        if value not in (None, ""):
            # A posted value that is not an id shows as nothing chosen; the field itself
            # says it is not a valid choice.
            try:
                obj = self.model._default_manager.filter(pk=value).first()
            except (ValueError, TypeError, ValidationError):
                obj = None
            label = str(obj) if obj else ""
        context["widget"].update({"search_url": reverse(self.search_url_name), "label": label})
        return context
