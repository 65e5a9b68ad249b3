"""Views every app shares: error pages in the user's language, archive and restore."""

from django.contrib import messages
from django.http import HttpResponseServerError
from django.shortcuts import render
from django.template import loader
from django.utils.translation import gettext as _

from houqin.core.forms import ArchiveForm


def permission_denied(request, exception=None):
    return render(request, "403.html", status=403)


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    # No context processors that could fail again: render the bare template.

    return HttpResponseServerError(loader.get_template("500.html").render())


def archive_from_post(request, obj, *, label):
    """Archive ``obj`` with the reason posted in an ArchiveForm; say what happened."""
    form = ArchiveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写停用原因。"))
    elif obj.is_active:
        obj.archive(by=request.user, reason=form.cleaned_data["reason"])
        messages.success(request, _("已停用“%(name)s”。") % {"name": label})


def restore_from_post(request, obj, *, label):
    if not obj.is_active:
        obj.restore()
        messages.success(request, _("已恢复“%(name)s”。") % {"name": label})
