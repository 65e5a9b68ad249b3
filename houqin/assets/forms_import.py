"""The ledger import's forms: the upload, and the column mapping."""

from django import forms
from django.utils.translation import gettext_lazy as _

from houqin.assets.importer import (
    FIELDS,
    MAX_BYTES,
    XLSX_CONTENT_TYPE,
    LedgerError,
    missing_required,
    read_header,
)
from houqin.core.forms import StyledForm


class LedgerUploadForm(StyledForm):
    file = forms.FileField(
        label=_("资产台账（Excel）"),
        help_text=_("第一张工作表；.xlsx 格式，不超过 50 MB，最多 100,000 行。"),
        widget=forms.ClearableFileInput(attrs={"accept": f".xlsx,{XLSX_CONTENT_TYPE}"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(_("文件太大，不能超过 50 MB。"))
        if not upload.name.lower().endswith(".xlsx"):
            raise forms.ValidationError(_("请上传 Excel（.xlsx）文件。"))
        try:
            self.header_row, self.headers, self.mapping = read_header(upload)
        except LedgerError as error:
            raise forms.ValidationError(str(error)) from error
        upload.seek(0)
        return upload


class MappingForm(StyledForm):
    """One choice per ledger field: which column of the file holds it (or none)."""

    def __init__(self, *args, batch, **kwargs):
        super().__init__(*args, **kwargs)
        columns = [("", _("（不导入）"))] + [
            (str(index), header or _("第 %(number)d 列") % {"number": index + 1})
            for index, header in enumerate(batch.headers)
        ]
        for ledger_field in FIELDS:
            index = batch.mapping.get(ledger_field.key)
            self.fields[ledger_field.key] = forms.ChoiceField(
                label=ledger_field.label,
                choices=columns,
                required=False,
                initial="" if index is None else str(index),
            )

    def clean(self):
        cleaned = super().clean()
        mapping = {key: int(value) for key, value in cleaned.items() if value not in ("", None)}
        used = {}
        for key, index in mapping.items():
            if index in used:
                labels = {f.key: f.label for f in FIELDS}
                raise forms.ValidationError(
                    _("“%(first)s”和“%(second)s”选了同一列，每列只能对应一项。")
                    % {"first": labels[used[index]], "second": labels[key]}
                )
            used[index] = key
        missing = missing_required(mapping)
        if missing:
            raise forms.ValidationError(
                _("请为这些项选择列：%(fields)s。") % {"fields": "、".join(map(str, missing))}
            )
        self.mapping = mapping
        return cleaned
