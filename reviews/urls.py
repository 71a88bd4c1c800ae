from django.http import HttpResponse
from django.urls import path

app_name = "reviews"

urlpatterns = [
    path("", lambda request: HttpResponse("TODO"), name="review_list"),
]
