from django.http import HttpResponse
from django.urls import path

app_name = "dossiers"

urlpatterns = [
    path("", lambda request: HttpResponse("TODO"), name="registry_list"),
]
