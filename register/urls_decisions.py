from django.urls import path

from . import views_decisions as views

app_name = "decisions"

urlpatterns = [
    path("", views.application_list, name="application_list"),
    path("submissions/<int:pk>/", views.submission_detail, name="submission_detail"),
    path("<int:pk>/", views.decision_detail, name="decision_detail"),
    path("<int:pk>/publish/", views.decision_publish, name="decision_publish"),
    path("<int:pk>/letter/", views.decision_letter, name="decision_letter"),
]
