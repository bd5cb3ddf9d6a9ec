app_name = "concept"
urlpatterns = []
