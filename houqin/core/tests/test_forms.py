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
