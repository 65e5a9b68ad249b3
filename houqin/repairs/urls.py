app_name = "repairs"

urlpatterns = []
