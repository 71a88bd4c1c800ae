"""Importing the accountability table from a file in the browser (/dossiers/<acronym>/import/).

A small file is imported in the request: done → to the new version; errors → the form page
again (400) listing every error. A large one runs in a task behind a status page that refreshes
itself (no JavaScript). Every error list can be downloaded as CSV (sheet, row, column, message).
"""

import csv
import io

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import filesizeformat
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from . import table_imports
from .exceptions import DomainError
from .forms import ErrorSummaryMixin
from .models import TableImport, TableImportStatus
from .table_io import FORMATS, escape_cell, table_export
from .views_dossiers import (
    _error_status,
    _registry_or_404,
    _version_or_404,
    registry_staff_required,
)

STATUS_REFRESH_SECONDS = 2


class TableImportForm(ErrorSummaryMixin, forms.Form):
    file = forms.FileField(label=gettext_lazy("Accountability table file"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The limit is read per form: it is configurable (MAX_UPLOAD_BYTES).
        self.fields["file"].help_text = _(
            "Excel (.xlsx), CSV (.csv) or JSON (.json) in the exchange layout, at most %(limit)s. "
            "Tables of more than %(rows)s rows are imported in the background."
        ) % {
            "limit": filesizeformat(settings.MAX_UPLOAD_BYTES),
            "rows": settings.TABLE_IMPORT_SYNC_ROWS,
        }
        self.fields["file"].widget.attrs["accept"] = ".xlsx,.csv,.json"


def _import_or_404(registry, pk: int) -> TableImport:
    try:
        return registry.table_imports.select_related("created_version", "uploaded_by").get(pk=pk)
    except TableImport.DoesNotExist:
        raise Http404 from None


def _no_store(response):
    patch_cache_control(response, private=True, no_store=True)
    return response


@require_http_methods(["GET", "POST"])
@registry_staff_required
def table_import(request, acronym: str):
    registry = _registry_or_404(request.user, acronym)
    form = TableImportForm(request.POST or None, request.FILES or None)
    status, job = 200, None
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                job = table_imports.table_import_start(
                    registry=registry, actor=request.user, upload=form.cleaned_data["file"]
                )
            except DomainError as error:
                form.add_domain_error(error)
                status = _error_status(error)
            else:
                if table_imports.runs_in_background(job):
                    return redirect(
                        "dossiers:table_import_status", acronym=registry.acronym, pk=job.pk
                    )
                if job.status == TableImportStatus.DONE:
                    version = job.created_version
                    messages.success(
                        request,
                        _(
                            "The table has been imported from %(file)s as version %(number)s "
                            "(draft, %(rows)s rows)."
                        )
                        % {
                            "file": job.original_name,
                            "number": version.number,
                            "rows": job.row_count,
                        },
                    )
                    return redirect(
                        "dossiers:version_detail", acronym=registry.acronym, number=version.number
                    )
    context = {
        "registry": registry,
        "form": form,
        "job": job,
        "error_groups": table_imports.table_import_error_groups(job) if job else [],
        "recent": table_imports.table_imports_recent(registry=registry),
    }
    return _no_store(render(request, "register/table_import_form.html", context, status=status))


@require_GET
@registry_staff_required
def table_import_status(request, acronym: str, pk: int):
    registry = _registry_or_404(request.user, acronym)
    job = _import_or_404(registry, pk)
    context = {
        "registry": registry,
        "job": job,
        "phase": table_imports.table_import_phase(job),
        "refresh": None if job.is_finished else STATUS_REFRESH_SECONDS,
        "error_groups": table_imports.table_import_error_groups(job),
    }
    return _no_store(render(request, "register/table_import_status.html", context))


def _csv_cell(value: str) -> str:
    return value if value == "-" else escape_cell(value)  # "-": no row (the file as a whole)


@require_GET
@registry_staff_required
def table_import_errors(request, acronym: str, pk: int):
    """The import's errors as CSV (UTF-8 with BOM, for spreadsheets): sheet,row,column,message.
    Cells are escaped so a spreadsheet never runs them as formulas."""
    registry = _registry_or_404(request.user, acronym)
    job = _import_or_404(registry, pk)
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["sheet", "row", "column", "message"])
    for cells in job.error_details:
        writer.writerow([_csv_cell(str(cell)) for cell in cells])
    response = HttpResponse(
        out.getvalue().encode("utf-8-sig"), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="import-{registry.acronym}-{job.pk}-errors.csv"'
    )
    response["X-Content-Type-Options"] = "nosniff"
    return _no_store(response)


EXPORT_CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
}


@require_GET
@registry_staff_required
def version_export(request, acronym: str, number: int, format: str):
    """The version's table in the exchange layout: export → import gives the same table."""
    registry = _registry_or_404(request.user, acronym)
    version = _version_or_404(registry, number)
    if format not in FORMATS:
        raise Http404
    response = HttpResponse(
        table_export(version, format=format), content_type=EXPORT_CONTENT_TYPES[format]
    )
    response["Content-Disposition"] = (
        f'attachment; filename="verantwoordingstabel-{registry.acronym}-v{version.number}.{format}"'
    )
    return _no_store(response)
