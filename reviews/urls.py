from django.urls import path

from . import (
    views,
    views_advice,  # F: draft and definitive advice
    views_clarifications,
    views_criteria,
    views_secretariat,
    views_variables,  # E: variable by variable
)

app_name = "reviews"

urlpatterns = [
    path("", views.review_list, name="review_list"),
    path("<int:pk>/", views.review_detail, name="review_detail"),
    # Internal notes on the overview (reviews/notes.py): the committee only.
    path("<int:pk>/notes/", views.review_note_add, name="review_note_add"),
    path("<int:pk>/advice.pdf", views.advice_document, name="advice_document"),
    # F: conflicts of interest, draft advice, positions, conclusion, PDF (reviews/views_advice.py)
    path("<int:pk>/advice/", views_advice.review_advice, name="review_advice"),
    # E: variable by variable (reviews/views_variables.py)
    path("<int:pk>/variables/", views_variables.review_variables, name="review_variables"),
    path(
        "<int:pk>/variables/<str:code>/",
        views_variables.variable_judgement,
        name="variable_judgement",
    ),
    # The secretariat (SSC-DG): the whole pipeline, assigning members, the XLSX overview.
    path("secretariat/", views_secretariat.secretariat_dashboard, name="secretariat_dashboard"),
    path(
        "secretariat/reviews/<int:pk>/assign/",
        views_secretariat.review_assign,
        name="review_assign",
    ),
    path("secretariat/export.xlsx", views_secretariat.pipeline_export, name="pipeline_export"),
    # Criteria, each committee its own way; the secretariat keeps the catalogues.
    path("<int:pk>/criteria/", views_criteria.review_criteria, name="review_criteria"),
    # Clarification rounds: questions to the registry, its answers, the review clock.
    path(
        "<int:pk>/clarifications/",
        views_clarifications.review_clarifications,
        name="review_clarifications",
    ),
    path("catalogues/", views_criteria.catalogue_list, name="catalogue_list"),
    path("catalogues/<int:pk>/", views_criteria.catalogue_detail, name="catalogue_detail"),
    path(
        "catalogues/<int:pk>/new-version/",
        views_criteria.catalogue_new_version,
        name="catalogue_new_version",
    ),
]
