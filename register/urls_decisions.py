from django.http import HttpResponse
from django.urls import path

app_name = "decisions"

urlpatterns = [
    path("", lambda request: HttpResponse("TODO"), name="application_list"),
]
