from django.urls import path

from . import views_process, views_public

app_name = "public"

urlpatterns = [
    path("register/", views_public.registry_list, name="registry_list"),
    # The registries in the review process; before <acronym>, which would match "process".
    path("register/process/", views_process.process_overview, name="process"),
    path("register/<slug:acronym>/", views_public.registry_detail, name="registry_detail"),
    path("obligations/", views_public.obligations, name="obligations"),
]
