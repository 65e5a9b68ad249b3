from django.urls import path

from houqin.files import views

app_name = "files"

urlpatterns = [
    path("<int:pk>/", views.view, name="view"),
    path("<int:pk>/download/", views.download, name="download"),
    path("<int:pk>/thumb/", views.thumb, name="thumb"),
    path("<int:pk>/remove/", views.remove, name="remove"),
    path("<int:pk>/restore/", views.restore, name="restore"),
    # model: the record's "app_label.model", e.g. org.place
    path("<str:model>/<int:object_id>/upload/", views.upload, name="upload"),
]
