from django.http import HttpResponse
from django.urls import path

app_name = "provider"

urlpatterns = [
    path("", lambda request: HttpResponse("TODO"), name="dashboard"),
]
