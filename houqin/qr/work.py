"""扫码 among the quick actions on "我的工作"."""

from django.urls import reverse
from django.utils.translation import gettext as _

from houqin.core.work import QuickAction, register_quick_actions


@register_quick_actions
def scan_action(request):
    if not request.user.has_perm("org.view_org"):
        return []
    return [QuickAction(_("扫码"), reverse("qr:scan"), "qr-code-scan")]
