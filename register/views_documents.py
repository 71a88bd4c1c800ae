"""Replacing a dossier document (its history stays) and marking it confidential.

Registry staff of the document's registry only; another registry, or a document not in it,
answers 404 before anything is written.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from . import services
from .exceptions import DomainError
from .forms import DocumentReplaceForm
from .models import Document, Registry
from .views_dossiers import _error_status, _registry_or_404, registry_staff_required


def _document_or_404(registry: Registry, pk: int) -> Document:
    document = Document.objects.filter(registry=registry, pk=pk).select_related("registry").first()
    if document is None:
        raise Http404
    return document


def _to_documents(registry: Registry):
    response = redirect("dossiers:registry_detail", acronym=registry.acronym)
    response["Location"] += "#documents"
    return response


@require_http_methods(["GET", "POST"])
@registry_staff_required
def document_replace(request, acronym: str, pk: int):
    registry = _registry_or_404(request.user, acronym)
    document = _document_or_404(registry, pk)
    form = DocumentReplaceForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.document_replace(
                    document=document,
                    actor=request.user,
                    file=form.cleaned_data["file"],
                    title=form.cleaned_data["title"],
                )
            except (DomainError, ValidationError) as error:
                form.add_domain_error(error)
                status = _error_status(error)
            else:
                messages.success(request, _("The document has been replaced."))
                return _to_documents(registry)
    return render(
        request,
        "register/document_replace.html",
        {"registry": registry, "document": document, "form": form},
        status=status,
    )


@require_POST
@registry_staff_required
def document_confidential(request, acronym: str, pk: int):
    registry = _registry_or_404(request.user, acronym)
    document = _document_or_404(registry, pk)
    confidential = request.POST.get("confidential") == "1"
    try:
        services.document_set_confidential(
            document=document, actor=request.user, confidential=confidential
        )
    except DomainError as error:
        messages.error(request, error.message)
        return _to_documents(registry)
    if confidential:
        messages.success(request, _("The document has been marked confidential."))
    else:
        messages.success(request, _("The document is no longer confidential."))
    return _to_documents(registry)
