"""Form fields that carry photos and files with a module's own form.

A repair report with photos::

    from houqin.files.forms import PhotosField
    from houqin.files.services import attach_all

    class RepairForm(StyledModelForm):
        photos = PhotosField(max_files=9)  # optional by default; required=True to demand one

        class Meta:
            model = Repair
            fields = ["place", "description"]

    # in the view
    form = RepairForm(request.POST, request.FILES)
    if form.is_valid():
        with transaction.atomic():
            repair = form.save()
            attach_all(repair, form.cleaned_data["photos"], by=request.user, role="report")

The template's ``<form>`` needs ``enctype="multipart/form-data"``; render the field like any
other (``includes/form_fields.html``). On a phone, ``PhotosField`` offers 拍照 (the camera)
and 相册 (the gallery); ``MultipleFileField`` takes photos and documents (PDF, Word, Excel,
PowerPoint). Both check each file with the same rules as the attachments card (size, type
by content, HEIC, oversized images) and give a Chinese message naming the file; the checked
photos are made ready once, and ``attach_all`` stores that result. ``cleaned_data`` holds a
list of uploaded files (empty when none were chosen).
"""

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from houqin.files.uploads import DOCUMENT_ACCEPT, max_upload_bytes, prepare


class MultipleFileInput(forms.FileInput):
    """Two buttons over hidden file inputs of one name: 拍照 opens the camera, the other
    the phone's gallery or files. Both inputs' files arrive under the field's name."""

    template_name = "files/widgets/multiple_file_input.html"
    allow_multiple_selected = True
    capture_label = gettext_lazy("拍照")
    choose_label = gettext_lazy("选择文件")
    accept = "image/*," + DOCUMENT_ACCEPT

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"].update(
            {
                "capture_label": self.capture_label,
                "choose_label": self.choose_label,
                "accept": self.accept,
                "max_bytes": max_upload_bytes(),
                "max_mb": settings.HOUQIN_UPLOAD_MAX_MB,
                "invalid": "is-invalid" in (self.attrs.get("class") or ""),
            }
        )
        return context


class PhotosInput(MultipleFileInput):
    choose_label = gettext_lazy("相册")
    accept = "image/*"


class MultipleFileField(forms.FileField):
    """Several uploads in one field; ``cleaned_data`` is a list of uploaded files."""

    widget = MultipleFileInput
    images_only = False
    default_error_messages = {
        "required": gettext_lazy("请选择要上传的照片或文件。"),
    }

    def __init__(self, *, max_files=None, required=False, **kwargs):
        self.max_files = max_files or settings.DATA_UPLOAD_MAX_NUMBER_FILES
        super().__init__(required=required, **kwargs)

    def to_python(self, data):
        return [item for item in (data or []) if item]

    def clean(self, data, initial=None):
        files = self.to_python(data)
        if not files:
            if self.required:
                raise ValidationError(self.error_messages["required"], code="required")
            return []
        if len(files) > self.max_files:
            raise ValidationError(
                _("一次最多上传 %(count)s 个文件。") % {"count": self.max_files},
                code="too_many",
            )
        errors = []
        for uploaded_file in files:
            try:
                prepare(uploaded_file, images_only=self.images_only)
            except ValidationError as error:
                errors.extend(error.messages)
        if errors:
            raise ValidationError(errors)
        return files

    def has_changed(self, initial, data):
        return bool(self.to_python(data))


class PhotosField(MultipleFileField):
    """Photos only, taken with the phone's camera or picked from its gallery."""

    widget = PhotosInput
    images_only = True
    default_error_messages = {"required": gettext_lazy("请至少拍一张照片。")}

    def __init__(self, **kwargs):
        kwargs.setdefault("label", gettext_lazy("照片"))
        super().__init__(**kwargs)
