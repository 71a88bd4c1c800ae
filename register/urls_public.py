from django.urls import path

from . import views_public

app_name = "public"

urlpatterns = [
    path("register/", views_public.registry_list, name="registry_list"),
    path("obligations/", views_public.obligations, name="obligations"),
]
