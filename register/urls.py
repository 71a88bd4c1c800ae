from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from . import views_public

urlpatterns = [
    path("", views_public.home, name="home"),
    path("", include("register.urls_public")),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("dossiers/", include("register.urls_dossiers")),
    path("decisions/", include("register.urls_decisions")),
    path("reviews/", include("reviews.urls")),
    path("provider/", include("providers.urls")),
    path("api/v1/", include("register.api.urls")),
    path("admin/", admin.site.urls),
]
# Media files are never served directly: documents and letters go through views that check
# permissions.
