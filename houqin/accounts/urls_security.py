from django.urls import path

from houqin.accounts import views_security

urlpatterns = [
    path("logins/", views_security.login_records, name="login_records"),
    path("logins/unlock/", views_security.unlock, name="unlock"),
    path("audit/", views_security.audit_log, name="audit_log"),
]
