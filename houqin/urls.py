from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("houqin.dashboard.urls")),
    path("accounts/", include("houqin.accounts.urls")),
    path("org/", include("houqin.org.urls")),
    path("imports/", include("houqin.imports.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("sysadmin/", admin.site.urls),
]

handler403 = "houqin.core.views.permission_denied"
handler404 = "houqin.core.views.page_not_found"
handler500 = "houqin.core.views.server_error"
