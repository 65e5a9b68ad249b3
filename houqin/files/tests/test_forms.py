"""PhotosField and MultipleFileField in a module's own form."""

from django.utils.datastructures import MultiValueDict

from houqin.core.forms import StyledForm
from houqin.files.forms import MultipleFileField, PhotosField
from houqin.files.models import Attachment
from houqin.files.services import attach_all
from houqin.files.tests.factories import exe_upload, heic_upload, jpeg_upload, pdf_upload


class RepairForm(StyledForm):
    photos = PhotosField(max_files=3)


class AcceptanceForm(StyledForm):
    invoices = MultipleFileField(required=True, label="发票")


def _form(form_class, name, files):
    return form_class({}, MultiValueDict({name: files}))


def test_it_is_optional_and_empty_by_default():
    form = RepairForm({}, MultiValueDict())
    assert form.is_valid()
    assert form.cleaned_data["photos"] == []


def test_it_carries_photos_to_attach_all(place, manager):
    form = _form(RepairForm, "photos", [jpeg_upload("一.jpg"), jpeg_upload("二.jpg")])
    assert form.is_valid(), form.errors
    created = attach_all(place, form.cleaned_data["photos"], by=manager.user, role="report")
    assert [a.original_name for a in created] == ["一.jpg", "二.jpg"]
    assert Attachment.objects.filter(role="report").count() == 2


def test_it_names_every_refused_file():
    form = _form(RepairForm, "photos", [jpeg_upload("好.jpg"), pdf_upload(), heic_upload()])
    assert not form.is_valid()
    errors = " ".join(form.errors["photos"])
    assert "“验收单.pdf”不是照片" in errors
    assert "HEIC" in errors
    assert "好.jpg" not in errors


def test_it_limits_the_number_of_photos():
    form = _form(RepairForm, "photos", [jpeg_upload() for _ in range(4)])
    assert not form.is_valid()
    assert "一次最多上传 3 个文件" in form.errors["photos"][0]


def test_it_demands_a_file_when_required():
    form = AcceptanceForm({}, MultiValueDict())
    assert not form.is_valid()
    assert form.errors["invoices"] == ["请选择要上传的照片或文件。"]


def test_it_takes_documents_and_refuses_programs():
    assert _form(AcceptanceForm, "invoices", [pdf_upload()]).is_valid()
    form = _form(AcceptanceForm, "invoices", [exe_upload("发票.pdf")])
    assert not form.is_valid()
    assert "“发票.pdf”的文件类型不支持" in form.errors["invoices"][0]


def test_it_renders_a_camera_and_a_gallery_button():
    html = str(RepairForm()["photos"])
    assert html.count('name="photos"') == 2
    assert 'capture="environment"' in html
    assert 'accept="image/*"' in html
    assert "拍照" in html and "相册" in html
    assert 'id="id_photos"' in html
    assert "houqin/files.js" in html


def test_it_offers_documents_in_the_file_field():
    html = str(AcceptanceForm()["invoices"])
    assert ".pdf" in html and ".xlsx" in html
    assert "选择文件" in html


def test_it_marks_the_form_multipart():
    assert RepairForm().is_multipart()
