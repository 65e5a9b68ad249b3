import pytest
from django import forms

from houqin.core.forms import StyledForm


class NarrowedForm(StyledForm):
    colour = forms.ChoiceField(choices=[("red", "红"), ("blue", "蓝")])
    size = forms.IntegerField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["colour"].choices = [("blue", "蓝")]


def test_it_validates_against_choices_narrowed_after_init():
    form = NarrowedForm({"colour": "red", "size": "x"})
    assert not form.is_valid()
    assert "colour" in form.errors
    assert "is-invalid" in form.fields["colour"].widget.attrs["class"]
    assert "form-select" in form.fields["colour"].widget.attrs["class"]


def test_it_marks_only_fields_with_errors_invalid():
    form = NarrowedForm({"colour": "blue", "size": "3"})
    assert form.is_valid()
    assert "is-invalid" not in form.fields["size"].widget.attrs["class"]


@pytest.mark.django_db
@pytest.mark.parametrize("posted", ["abc", "1.5", "", None, "9" * 30])
def test_it_shows_a_posted_value_that_is_not_an_id_as_nothing_chosen(posted):
    from houqin.accounts.models import Staff
    from houqin.core.widgets import PickerWidget

    widget = PickerWidget("accounts:pick_people", Staff)
    context = widget.get_context("person", posted, {})
    assert context["widget"]["label"] == ""
