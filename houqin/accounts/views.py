from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from houqin.accounts.forms import LoginForm
from houqin.core.forms import StyledFormMixin

login = auth_views.LoginView.as_view(
    template_name="accounts/login.html",
    authentication_form=LoginForm,
    redirect_authenticated_user=True,
)

logout = require_POST(auth_views.LogoutView.as_view())


def locked_out(request, credentials=None, *args, **kwargs):
    """django-axes calls this when an account is locked."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    form = LoginForm(request, initial={"username": (credentials or {}).get("username", "")})
    message = _(
        "连续登录失败次数过多，账号已锁定 %(minutes)d 分钟。请稍后再试，或联系安全管理员解锁。"
    ) % {"minutes": minutes}
    return render(
        request, "accounts/login.html", {"form": form, "locked_message": message}, status=429
    )


class StyledPasswordChangeForm(StyledFormMixin, PasswordChangeForm):
    pass


@login_required
def password_change(request):
    form = StyledPasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        update_session_auth_hash(request, user)
        messages.success(request, _("密码已修改。"))
        return redirect("dashboard:home")
    return render(request, "accounts/password_change.html", {"form": form})
