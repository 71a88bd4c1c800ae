"""The registry staff's area (/dossiers/): thin views over register.selectors and services.

A registry the user does not manage answers 404 (it gives nothing away), before any write.
Refusals of a service become form errors; a submitted (locked) version answers 409.
"""

import os
from functools import wraps
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from . import selectors, services
from .audit import action_label, change_lines
from .constants import Role, SubmissionStage
from .exceptions import DatasetLocked, DomainError, DossierIncomplete
from .forms import (
    ApplicationForm,
    DocumentForm,
    IndicatorForm,
    PseudonymRequestForm,
    SubmitForm,
    VariableForm,
    VariableSearchForm,
)
from .models import DatasetVersion, Registry, Submission, Variable
from .roles import has_role
from .workflow import application_refusal

AUDIT_PER_PAGE = 25


def registry_staff_required(view):
    """Signed in (else to the login page) and in the registry role (else 403)."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not has_role(request.user, Role.REGISTRY):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def _registry_or_404(user, acronym: str) -> Registry:
    try:
        return selectors.dossier_registry(user, acronym=acronym)
    except Registry.DoesNotExist:
        raise Http404 from None


def _version_or_404(registry: Registry, number: int) -> DatasetVersion:
    try:
        return selectors.dossier_version(registry=registry, number=number)
    except DatasetVersion.DoesNotExist:
        raise Http404 from None


def _variable_or_404(version: DatasetVersion, code: str) -> Variable:
    try:
        return version.variables.get(code=code)
    except Variable.DoesNotExist:
        raise Http404 from None


def _locked_response(request, registry, version):
    """A change to a submitted version: refused with 409, nothing written."""
    return render(
        request,
        "register/version_locked.html",
        {"registry": registry, "version": version},
        status=409,
    )


def _error_status(error) -> int:
    if isinstance(error, DomainError) and not error.field:
        return error.status_code
    return 400


# --- Registries ------------------------------------------------------------------------------


@require_GET
@registry_staff_required
def registry_list(request):
    return render(
        request,
        "register/registry_list.html",
        {"registries": selectors.dossier_registries(request.user)},
    )


@require_GET
@registry_staff_required
def registry_detail(request, acronym: str):
    registry = _registry_or_404(request.user, acronym)
    audit_page = Paginator(
        selectors.dossier_audit_trail(registry=registry), AUDIT_PER_PAGE
    ).get_page(request.GET.get("page"))
    for entry in audit_page.object_list:
        entry.change_lines = change_lines(entry.changes)
        entry.action_label = action_label(entry.action)
    return render(
        request,
        "register/registry_detail.html",
        {
            "registry": registry,
            "versions": selectors.dossier_versions(registry=registry),
            "submissions": selectors.dossier_submissions(registry=registry),
            "documents": selectors.dossier_documents(registry=registry),
            "page_obj": audit_page,
            "audit_entries": audit_page.object_list,
        },
    )


@require_POST
@registry_staff_required
def version_create(request, acronym: str):
    registry = _registry_or_404(request.user, acronym)
    try:
        version = services.dataset_version_create(registry=registry, actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("dossiers:registry_detail", acronym=registry.acronym)
    messages.success(
        request,
        _("Version %(number)s has been created as a draft copy of the newest version.")
        % {"number": version.number},
    )
    return redirect("dossiers:version_detail", acronym=registry.acronym, number=version.number)


# --- One version: table, indicators, pseudonyms, submit --------------------------------------


def _stage_check_links(registry: Registry, version: DatasetVersion) -> list[dict]:
    """The dossier check page per review stage, to look before submitting.

    Links, not the check's verdict: running the check here would add its four queries to a
    page held to a fixed budget (tests/register/test_dossier_views.py).
    """
    url = reverse(
        "dossiers:version_check", kwargs={"acronym": registry.acronym, "number": version.number}
    )
    return [
        {
            "stage": stage.value,
            "label": stage.label,
            "url": f"{url}?{urlencode({'stage': stage.value})}",
        }
        for stage in SubmissionStage
    ]


def _render_version(request, registry, version, *, status=200, refusal=None, **forms):
    search_form = VariableSearchForm(request.GET)
    search = search_form.cleaned_data["q"] if search_form.is_valid() else ""
    page, table = selectors.version_table_page(
        dataset_version_id=version.pk, search=search, page_number=request.GET.get("page")
    )
    context = {
        "registry": registry,
        "version": version,
        "search_form": search_form,
        "search": search,
        "page_obj": page,
        "table": table,
        "editable": not version.is_locked,
        **selectors.version_extras(dataset_version=version),
    }
    if not version.is_locked:
        context["indicator_form"] = forms.get("indicator_form") or IndicatorForm(
            variable_choices=selectors.version_variable_codes(dataset_version=version)
        )
        context["pseudonym_form"] = forms.get("pseudonym_form") or PseudonymRequestForm()
        context["submit_form"] = forms.get("submit_form") or SubmitForm()
        context["stage_checks"] = _stage_check_links(registry, version)
        if isinstance(refusal, DossierIncomplete):
            context["submit_refusal"] = {
                "count": len(refusal.findings),
                "label": SubmissionStage(refusal.stage).label,
                "url": refusal.check_url,
            }
    context["error_forms"] = [f for f in forms.values() if f is not None and f.errors]
    return render(request, "register/version_detail.html", context, status=status)


@require_GET
@registry_staff_required
def version_detail(request, acronym: str, number: int):
    registry = _registry_or_404(request.user, acronym)
    version = _version_or_404(registry, number)
    return _render_version(request, registry, version)


def _version_post(
    request, acronym, number, form_class, form_key, action, success_message, form_kwargs=None
):
    """Shared flow of the small forms on the version page."""
    registry = _registry_or_404(request.user, acronym)
    version = _version_or_404(registry, number)
    if version.is_locked:
        return _locked_response(request, registry, version)
    form = form_class(request.POST, **(form_kwargs(version) if form_kwargs else {}))
    if form.is_valid():
        try:
            action(version, form.cleaned_data)
        except DatasetLocked:
            return _locked_response(request, registry, version)
        except (DomainError, ValidationError) as error:
            form.add_domain_error(error)
            return _render_version(
                request,
                registry,
                version,
                status=_error_status(error),
                refusal=error,
                **{form_key: form},
            )
        messages.success(request, success_message)
        return redirect("dossiers:version_detail", acronym=registry.acronym, number=version.number)
    return _render_version(request, registry, version, status=400, **{form_key: form})


@require_POST
@registry_staff_required
def indicator_create(request, acronym: str, number: int):
    def action(version, data):
        services.indicator_save(
            dataset_version=version,
            actor=request.user,
            code=data["code"],
            name=data["name"],
            kind=data["kind"],
            description=data["description"],
            variable_codes=data["variables"],
        )

    return _version_post(
        request,
        acronym,
        number,
        IndicatorForm,
        "indicator_form",
        action,
        _("The indicator has been saved."),
        form_kwargs=lambda version: {
            "variable_choices": selectors.version_variable_codes(dataset_version=version)
        },
    )


@require_POST
@registry_staff_required
def pseudonym_add(request, acronym: str, number: int):
    def action(version, data):
        services.pseudonym_request_add(
            dataset_version=version,
            actor=request.user,
            type=data["type"],
            justification=data["justification"],
        )

    return _version_post(
        request,
        acronym,
        number,
        PseudonymRequestForm,
        "pseudonym_form",
        action,
        _("The pseudonym request has been added."),
    )


@require_POST
@registry_staff_required
def version_submit(request, acronym: str, number: int):
    def action(version, data):
        services.dataset_version_submit(
            dataset_version=version, actor=request.user, stage=data["stage"]
        )

    return _version_post(
        request,
        acronym,
        number,
        SubmitForm,
        "submit_form",
        action,
        _(
            "The version has been submitted. It can no longer be changed; the committees have been notified."
        ),
    )


# --- Variables -------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@registry_staff_required
def variable_edit(request, acronym: str, number: int, code: str | None = None):
    registry = _registry_or_404(request.user, acronym)
    version = _version_or_404(registry, number)
    variable = _variable_or_404(version, code) if code is not None else None
    if version.is_locked:
        return _locked_response(request, registry, version)
    initial = {}
    if variable is not None:
        initial = {name: getattr(variable, name) for name in services.VARIABLE_FIELDS}
    form = VariableForm(request.POST or None, initial=initial, variable=variable)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                saved = services.variable_save(
                    dataset_version=version,
                    actor=request.user,
                    data=form.service_data(),
                    requirements=form.cleaned_data["requirement_cells"],
                    variable=variable,
                )
            except DatasetLocked:
                return _locked_response(request, registry, version)
            except (DomainError, ValidationError) as error:
                form.add_domain_error(error)
                status = _error_status(error)
            else:
                messages.success(
                    request, _("Variable %(code)s has been saved.") % {"code": saved.code}
                )
                url = redirect(
                    "dossiers:version_detail", acronym=registry.acronym, number=version.number
                )
                url["Location"] += f"#variable-{saved.code}"
                return url
    return render(
        request,
        "register/variable_form.html",
        {"registry": registry, "version": version, "variable": variable, "form": form},
        status=status,
    )


@require_http_methods(["GET", "POST"])
@registry_staff_required
def variable_delete(request, acronym: str, number: int, code: str):
    registry = _registry_or_404(request.user, acronym)
    version = _version_or_404(registry, number)
    variable = _variable_or_404(version, code)
    if version.is_locked:
        return _locked_response(request, registry, version)
    if request.method == "POST":
        try:
            services.variable_delete(variable=variable, actor=request.user)
        except DatasetLocked:
            return _locked_response(request, registry, version)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Variable %(code)s has been deleted.") % {"code": code})
        return redirect("dossiers:version_detail", acronym=registry.acronym, number=version.number)
    return render(
        request,
        "register/variable_confirm_delete.html",
        {"registry": registry, "version": version, "variable": variable},
    )


# --- Documents -------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@registry_staff_required
def document_add(request, acronym: str):
    registry = _registry_or_404(request.user, acronym)
    form = DocumentForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.document_add(
                    registry=registry,
                    actor=request.user,
                    kind=form.cleaned_data["kind"],
                    title=form.cleaned_data["title"],
                    file=form.cleaned_data["file"],
                    confidential=form.cleaned_data["confidential"],
                )
            except (DomainError, ValidationError) as error:
                form.add_domain_error(error)
                status = _error_status(error)
            else:
                messages.success(request, _("The document has been uploaded."))
                response = redirect("dossiers:registry_detail", acronym=registry.acronym)
                response["Location"] += "#documents"
                return response
    return render(
        request, "register/document_form.html", {"registry": registry, "form": form}, status=status
    )


@require_GET
@login_required
def document_download(request, pk: int):
    """A dossier document through the permission check (selectors.document_for_download)."""
    document = selectors.document_for_download(request.user, pk=pk)
    if document is None:
        raise Http404
    try:
        handle = document.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        handle, as_attachment=True, filename=os.path.basename(document.file.name)
    )
    patch_cache_control(response, private=True, no_store=True)
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- The application to Zorginstituut -------------------------------------------------------


@require_http_methods(["GET", "POST"])
@registry_staff_required
def submission_apply(request, acronym: str, pk: int):
    registry = _registry_or_404(request.user, acronym)
    submissions = {s.pk: s for s in selectors.dossier_submissions(registry=registry)}
    submission: Submission | None = submissions.get(pk)
    if submission is None:
        raise Http404
    form = ApplicationForm(request.POST or None, request.FILES or None)
    status = 200
    refusal = application_refusal(submission)
    if refusal is not None:
        form = None
        status = refusal.status_code if request.method == "POST" else 200
    elif request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.submission_apply(
                    submission=submission,
                    actor=request.user,
                    application_form=form.cleaned_data["application_form"],
                    evidence=form.cleaned_data["evidence"],
                )
            except (DomainError, ValidationError) as error:
                form.add_domain_error(error)
                status = _error_status(error)
            else:
                messages.success(request, _("The application has been filed with Zorginstituut."))
                return redirect("dossiers:registry_detail", acronym=registry.acronym)
    return render(
        request,
        "register/submission_apply.html",
        {
            "registry": registry,
            "submission": submission,
            "reviews": submission.reviews.all(),
            "form": form,
            "refusal": refusal,
        },
        status=status,
    )
