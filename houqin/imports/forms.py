from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from houqin.core.forms import StyledForm
from houqin.imports.importers import XLSX_CONTENT_TYPE, ImportFileError


class UploadForm(StyledForm):
    file = forms.FileField(
        label=_("Excel 文件"),
        widget=forms.ClearableFileInput(attrs={"accept": f".xlsx,{XLSX_CONTENT_TYPE}"}),
    )

    def __init__(self, *args, importer, **kwargs):
        # The styled mixin validates a bound form while initialising: set these first.
        self.importer = importer
        self.rows = []
        super().__init__(*args, **kwargs)
        limit_mb = settings.HOUQIN_IMPORT_MAX_BYTES / 1024 / 1024
        self.fields["file"].help_text = _(
            "请使用导入模板填写，.xlsx 格式，不超过 %(size)s MB。"
        ) % {"size": f"{limit_mb:g}"}

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.HOUQIN_IMPORT_MAX_BYTES:
            limit_mb = settings.HOUQIN_IMPORT_MAX_BYTES / 1024 / 1024
            raise forms.ValidationError(
                _("文件太大，不能超过 %(size)s MB。") % {"size": f"{limit_mb:g}"}
            )
        if not upload.name.lower().endswith(".xlsx"):
            raise forms.ValidationError(_("请上传 Excel（.xlsx）文件。"))
        try:
            self.rows = self.importer.read(upload)
        except ImportFileError as exc:
            raise forms.ValidationError(str(exc)) from exc
        upload.seek(0)
        return upload
