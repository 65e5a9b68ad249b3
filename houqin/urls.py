from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("houqin.dashboard.urls")),
    path("accounts/", include("houqin.accounts.urls")),
    path("org/", include("houqin.org.urls")),
    path("imports/", include("houqin.imports.urls")),
    path("approvals/", include("houqin.approvals.urls")),
    path("notifications/", include("houqin.notifications.urls")),
    path("schedules/", include("houqin.schedules.urls")),
    path("files/", include("houqin.files.urls")),
    path("q/", include("houqin.qr.urls")),
    path("repairs/", include("houqin.repairs.urls")),
    path("leave/", include("houqin.leave.urls")),
    path("hazards/", include("houqin.hazards.urls")),
    path("patrols/", include("houqin.patrols.urls")),
    path("assets/", include("houqin.assets.urls")),
    path("stocktakes/", include("houqin.stocktakes.urls")),
    path("supplies/", include("houqin.supplies.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("sysadmin/", admin.site.urls),
]

handler403 = "houqin.core.views.permission_denied"
handler404 = "houqin.core.views.page_not_found"
handler500 = "houqin.core.views.server_error"
