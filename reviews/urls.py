from django.urls import path

from . import views

app_name = "reviews"

urlpatterns = [
    path("", views.review_list, name="review_list"),
    path("<int:pk>/", views.review_detail, name="review_detail"),
    path("<int:pk>/advice.pdf", views.advice_document, name="advice_document"),
]
