from django.urls import path

from houqin.supplies import views

app_name = "supplies"

urlpatterns = [
    path("", views.mine, name="mine"),
    path("request/", views.request_items, name="request"),
    path("queue/", views.queue, name="queue"),
    path("r/<int:pk>/", views.detail, name="detail"),
    path("r/<int:pk>/issue/", views.issue, name="issue"),
    path("r/<int:pk>/return/", views.take_back, name="take_back"),
    path("r/<int:pk>/close/", views.close, name="close"),
    path("items/", views.items, name="items"),
    path("items/new/", views.item_new, name="item_new"),
    path("items/<int:pk>/", views.item_detail, name="item_detail"),
    path("items/<int:pk>/edit/", views.item_edit, name="item_edit"),
    path("items/<int:pk>/archive/", views.item_archive, name="item_archive"),
    path("items/<int:pk>/restore/", views.item_restore, name="item_restore"),
    path("stores/", views.stores, name="stores"),
    path("stores/new/", views.store_new, name="store_new"),
    path("stores/<int:pk>/", views.store_detail, name="store_detail"),
    path("stores/<int:pk>/edit/", views.store_edit, name="store_edit"),
    path("stores/<int:pk>/transfer/", views.store_transfer, name="store_transfer"),
    path("stock-in/", views.stock_ins, name="stock_ins"),
    path("stock-in/new/", views.stock_in_new, name="stock_in_new"),
    path("stock-in/<int:pk>/", views.stock_in_detail, name="stock_in_detail"),
    path("returns/", views.returns, name="returns"),
    path("returns/export/", views.returns_export, name="returns_export"),
    path("counts/", views.counts, name="counts"),
    path("counts/new/", views.count_new, name="count_new"),
    path("counts/<int:pk>/", views.count_detail, name="count_detail"),
    path("counts/<int:pk>/cancel/", views.count_cancel, name="count_cancel"),
    path("reports/", views.report, name="reports"),
]
