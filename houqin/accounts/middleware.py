import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from houqin.accounts.access import school_of
from houqin.org.school_settings import BY_KEY

SESSION_KEY = "houqin_last_seen"
# The shortest idle timeout a school may set: a session idle for less is never over it,
# so most requests skip reading the school's setting.
SHORTEST_TIMEOUT_SECONDS = BY_KEY["security.idle_timeout_minutes"].min_value * 60


def idle_timeout_seconds(user):
    school = school_of(user)
    if school is not None:
        return school.setting("security.idle_timeout_minutes") * 60
    return _default_timeout()


def _default_timeout():
    return settings.HOUQIN_IDLE_TIMEOUT_MINUTES * 60


class IdleTimeoutMiddleware:
    """Signs out a session left idle longer than the school's idle timeout (等保)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = int(time.time())
            last_seen = request.session.get(SESSION_KEY)
            if (
                last_seen is not None
                and now - last_seen > min(SHORTEST_TIMEOUT_SECONDS, _default_timeout())
                and now - last_seen > idle_timeout_seconds(user)
            ):
                logout(request)
                messages.info(
                    request, _("您已长时间未操作，为保护账号安全已自动退出，请重新登录。")
                )
                login_url = reverse(settings.LOGIN_URL)
                if request.headers.get("HX-Request"):
                    response = redirect(login_url)
                    response["HX-Redirect"] = login_url
                    return response
                return redirect(f"{login_url}?next={request.path}")
            if last_seen is None or now - last_seen >= 30:
                request.session[SESSION_KEY] = now
        return self.get_response(request)
