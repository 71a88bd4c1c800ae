from django.urls import path, register_converter

from . import views


class AgbConverter:
    """An AGB code: 8 digits."""

    regex = r"\d{8}"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(AgbConverter, "agb")

app_name = "provider"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("<agb:agb>/", views.provider_detail, name="provider_detail"),
    path(
        "<agb:agb>/registries/<slug:acronym>/",
        views.obligation_detail,
        name="obligation_detail",
    ),
    path(
        "<agb:agb>/registries/<slug:acronym>/participation/",
        views.participation_edit,
        name="participation_edit",
    ),
]
