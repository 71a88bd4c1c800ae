"""The accountability table at real size (/dossiers/<acronym>/versions/<n>/table/).

Filter and page a version's variables, and set base / plus / not requested for many variables ×
provider categories at once: the selected rows of a page, or every variable matching the
filter. Plain forms (GET filters, POST bulk change) that work without JavaScript;
static/js/table_edit.js adds "select all on this page" and shift-click ranges. A constant
number of queries per page, whatever the size of the table.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from . import selectors, services
from .constants import Purpose
from .exceptions import DatasetLocked, DomainError
from .forms import BULK_MATCHING, TableBulkForm, TableFilterForm
from .views_dossiers import (
    _error_status,
    _locked_response,
    _registry_or_404,
    _version_or_404,
    registry_staff_required,
)


@require_http_methods(["GET", "POST"])
@registry_staff_required
def version_table_edit(request, acronym: str, number: int):
    registry = _registry_or_404(request.user, acronym)
    version = _version_or_404(registry, number)
    if request.method == "POST" and version.is_locked:
        return _locked_response(request, registry, version)
    categories = selectors.provider_categories()
    # The POST goes to this same URL, query string included: it sees the filters of the page.
    filter_form = TableFilterForm(request.GET, categories=categories)
    variables = selectors.version_variables_filtered(
        dataset_version_id=version.pk, **filter_form.filters()
    )
    bulk_form = None
    status = 200
    if not version.is_locked:
        bulk_form = TableBulkForm(
            request.POST if request.method == "POST" else None,
            categories=categories,
            filter_valid=filter_form.is_valid(),
        )
        if request.method == "POST":
            status = 400
            if bulk_form.is_valid():
                data = bulk_form.cleaned_data
                chosen = (
                    {"variables": variables}
                    if data["scope"] == BULK_MATCHING
                    else {"variable_ids": data["variables"]}
                )
                try:
                    result = services.requirements_bulk_set(
                        dataset_version=version,
                        actor=request.user,
                        category_codes=data["categories"],
                        value=bulk_form.service_value(),
                        **chosen,
                    )
                except DatasetLocked:
                    return _locked_response(request, registry, version)
                except (DomainError, ValidationError) as error:
                    bulk_form.add_domain_error(error)
                    status = _error_status(error)
                else:
                    messages.success(
                        request, _success_message(result, data["value"], data["categories"])
                    )
                    return redirect(request.get_full_path())

    page = Paginator(variables, filter_form.page_size()).get_page(request.GET.get("page"))
    table = selectors.requirement_table(variables=page.object_list)
    selected = set(request.POST.getlist("variables")) if bulk_form is not None else set()
    purpose_labels = dict(Purpose.choices)
    for row in table.rows:
        row.selected = str(row.variable.pk) in selected
        row.variable.purpose_labels = [
            purpose_labels.get(p, p) for p in row.variable.purposes or []
        ]
    if bulk_form is not None:
        bulk_form.set_matching_count(page.paginator.count, filtered=filter_form.is_filtered())
    return render(
        request,
        "register/version_table_edit.html",
        {
            "registry": registry,
            "version": version,
            "editable": not version.is_locked,
            "filter_form": filter_form,
            "filtered": filter_form.is_filtered(),
            "bulk_form": bulk_form,
            "page_obj": page,
            "table": table,
        },
        status=status,
    )


def _success_message(result: services.BulkSetResult, value: str, category_codes) -> str:
    labels = {"base": _("base set"), "plus": _("plus set"), "none": _("not requested")}
    return ngettext(
        "Cells changed: %(changed)s of %(total)s (%(variables)s variable; provider categories "
        "%(categories)s; set to %(value)s).",
        "Cells changed: %(changed)s of %(total)s (%(variables)s variables; provider categories "
        "%(categories)s; set to %(value)s).",
        result.variable_count,
    ) % {
        "changed": result.cells_changed,
        "total": result.variable_count * result.category_count,
        "variables": result.variable_count,
        "categories": ", ".join(sorted(category_codes)),
        "value": labels.get(value, value),
    }
