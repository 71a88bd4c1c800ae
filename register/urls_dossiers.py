from django.urls import path

from . import (
    views_advice_reaction,
    views_check,
    views_diff,
    views_documents,
    views_process,
    views_registry_reviews,
    views_table_edit,
    views_table_import,
    views_table_pdf,
)
from . import views_dossiers as views

app_name = "dossiers"

version = "<slug:acronym>/versions/<int:number>/"

urlpatterns = [
    path("", views.registry_list, name="registry_list"),
    path("documents/<int:pk>/download/", views.document_download, name="document_download"),
    path("<slug:acronym>/", views.registry_detail, name="registry_detail"),
    path("<slug:acronym>/advice-consent/", views_process.advice_consent, name="advice_consent"),
    path("<slug:acronym>/versions/new/", views.version_create, name="version_create"),
    path("<slug:acronym>/versions/compare/", views_diff.version_diff, name="version_diff"),
    path("<slug:acronym>/import/", views_table_import.table_import, name="table_import"),
    path(
        "<slug:acronym>/import/<int:pk>/",
        views_table_import.table_import_status,
        name="table_import_status",
    ),
    path(
        "<slug:acronym>/import/<int:pk>/errors.csv",
        views_table_import.table_import_errors,
        name="table_import_errors",
    ),
    path("<slug:acronym>/documents/new/", views.document_add, name="document_add"),
    path(
        "<slug:acronym>/documents/<int:pk>/replace/",
        views_documents.document_replace,
        name="document_replace",
    ),
    path(
        "<slug:acronym>/documents/<int:pk>/confidential/",
        views_documents.document_confidential,
        name="document_confidential",
    ),
    path(
        "<slug:acronym>/submissions/<int:pk>/apply/",
        views.submission_apply,
        name="submission_apply",
    ),
    # What the registry sees of a review: simple status, questions to answer, the advice.
    path(
        "<slug:acronym>/reviews/<int:pk>/",
        views_registry_reviews.review_status,
        name="review_status",
    ),
    # F: the registry reacts to a committee's draft advice (register/views_advice_reaction.py).
    path(
        "<slug:acronym>/advice/<int:pk>/react/",
        views_advice_reaction.advice_react,
        name="advice_react",
    ),
    path(version, views.version_detail, name="version_detail"),
    path(version + "table/", views_table_edit.version_table_edit, name="version_table_edit"),
    path(version + "variables/new/", views.variable_edit, name="variable_create"),
    path(version + "variables/<str:code>/edit/", views.variable_edit, name="variable_edit"),
    path(version + "variables/<str:code>/delete/", views.variable_delete, name="variable_delete"),
    path(version + "indicators/new/", views.indicator_create, name="indicator_create"),
    path(version + "pseudonyms/new/", views.pseudonym_add, name="pseudonym_add"),
    path(version + "submit/", views.version_submit, name="version_submit"),
    path(version + "export.<str:format>", views_table_import.version_export, name="version_export"),
    path(version + "check/", views_check.version_check, name="version_check"),
    path(version + "pdf/", views_table_pdf.version_pdf, name="version_pdf"),
    path(version + "pdf/request/", views_table_pdf.version_pdf_request, name="version_pdf_request"),
]
