app_name = "qr"

urlpatterns = []
