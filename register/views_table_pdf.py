"""The accountability table of a submitted version as a PDF: requested, rendered by a task.

GET answers the PDF once it exists, else a status page that refreshes itself (no JavaScript).
"""

import os

from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_GET, require_POST

from . import services
from .exceptions import DomainError
from .views_dossiers import _registry_or_404, _version_or_404, registry_staff_required


@require_POST
@registry_staff_required
def version_pdf_request(request, acronym: str, number: int):
    registry = _registry_or_404(request.user, acronym)
    version = _version_or_404(registry, number)
    try:
        services.dataset_version_request_pdf(dataset_version=version, actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("dossiers:version_detail", acronym=registry.acronym, number=version.number)
    return redirect("dossiers:version_pdf", acronym=registry.acronym, number=version.number)


@require_GET
@registry_staff_required
def version_pdf(request, acronym: str, number: int):
    registry = _registry_or_404(request.user, acronym)
    version = _version_or_404(registry, number)
    if version.table_pdf:
        try:
            handle = version.table_pdf.open("rb")
        except FileNotFoundError:
            raise Http404 from None
        response = FileResponse(
            handle, as_attachment=True, filename=os.path.basename(version.table_pdf.name)
        )
        patch_cache_control(response, private=True, no_store=True)
        response["X-Content-Type-Options"] = "nosniff"
        return response
    response = render(
        request,
        "register/version_pdf_status.html",
        {"registry": registry, "version": version, "preparing": version.is_locked},
    )
    patch_cache_control(response, private=True, no_store=True)
    return response
