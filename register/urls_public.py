from django.urls import path

from . import views_public

app_name = "public"

urlpatterns = [
    path("register/", views_public.registry_list, name="registry_list"),
    path("register/<slug:acronym>/", views_public.registry_detail, name="registry_detail"),
    path("obligations/", views_public.obligations, name="obligations"),
]
