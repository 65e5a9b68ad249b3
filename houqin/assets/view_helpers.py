"""The step every asset screen takes with a posted form: check it, make the one service
call, and either say what was done and move on, or keep what was typed and show why the
change was refused (``AssetError``, in Chinese)."""

from django.contrib import messages
from django.shortcuts import redirect

from houqin.assets.services import AssetError


def save_form(request, form, action, *, message, to=None):
    """Run ``action(form.cleaned_data)`` when ``form`` is valid.

    On success flash ``message`` (a string, or a function of what ``action`` returned) and
    redirect to ``to`` (by default the record ``action`` returned). Returns None when the
    form is unbound or invalid, or when the service refused (its message is then the form's
    error), so the caller renders the form again."""
    if not form.is_valid():
        return None
    try:
        result = action(form.cleaned_data)
    except AssetError as error:
        form.add_error(None, str(error))
        return None
    messages.success(request, message(result) if callable(message) else message)
    return redirect(result if to is None else to)
