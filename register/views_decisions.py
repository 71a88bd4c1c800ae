"""Zorginstituut's area (/decisions/): applications, decisions and their publication.

Thin views over register.selectors and register.services; a refusal of a service becomes an
error on the field it names, never a 500.
"""

import os
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from . import selectors, services
from .constants import SubmissionStatus
from .exceptions import DomainError
from .forms import DecisionForm, VariableSearchForm
from .models import Decision, Submission
from .permissions import can_decide

DECISIONS_PER_PAGE = 25


def zin_required(view):
    """Signed in (else to the login page) and Zorginstituut (else 403)."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not can_decide(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


@require_GET
@zin_required
def application_list(request):
    page = Paginator(selectors.recent_decisions(), DECISIONS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "register/application_list.html",
        {
            "applications": selectors.applications_awaiting_decision(),
            "page_obj": page,
            "decisions": page.object_list,
        },
    )


def _submission_or_404(pk: int) -> Submission:
    try:
        return selectors.decision_submission(pk=pk)
    except Submission.DoesNotExist:
        raise Http404 from None


@require_http_methods(["GET", "POST"])
@zin_required
def submission_detail(request, pk: int):
    submission = _submission_or_404(pk)
    decision = getattr(submission, "decision", None)
    form = (
        DecisionForm()
        if submission.status == SubmissionStatus.APPLIED and decision is None
        else None
    )
    status = 200
    if request.method == "POST":
        if form is None:
            form = DecisionForm(request.POST)
            form.add_error(
                None,
                _(
                    "A decision can only be recorded on an application that waits for one (this one is %(status)s)."
                )
                % {"status": submission.get_status_display()},
            )
            status = 409
        else:
            form = DecisionForm(request.POST)
            status = 400
            if form.is_valid():
                try:
                    services.decision_record(
                        submission=submission, actor=request.user, **form.cleaned_data
                    )
                except (DomainError, ValidationError) as error:
                    form.add_domain_error(error)
                    if isinstance(error, DomainError) and not error.field:
                        status = error.status_code
                else:
                    messages.success(
                        request,
                        _(
                            "The decision has been recorded. Publish it to put it in the register and send the letter."
                        ),
                    )
                    return redirect("decisions:submission_detail", pk=submission.pk)
    search_form = VariableSearchForm(request.GET)
    search = search_form.cleaned_data["q"] if search_form.is_valid() else ""
    page, table = selectors.version_table_page(
        dataset_version_id=submission.dataset_version_id,
        search=search,
        page_number=request.GET.get("page"),
    )
    reviews = list(submission.reviews.all())
    return render(
        request,
        "register/decision_submission.html",
        {
            "submission": submission,
            "registry": submission.registry,
            "version": submission.dataset_version,
            "reviews": reviews,
            "decision": decision,
            "form": form,
            "search_form": search_form,
            "search": search,
            "page_obj": page,
            "table": table,
            "documents": selectors.documents_with_history(submission.documents.all()),
        },
        status=status,
    )


def _decision_or_404(pk: int) -> Decision:
    try:
        return selectors.recent_decisions().get(pk=pk)
    except Decision.DoesNotExist:
        raise Http404 from None


@require_GET
@zin_required
def decision_detail(request, pk: int):
    decision = _decision_or_404(pk)
    if decision.submission_id:
        return redirect("decisions:submission_detail", pk=decision.submission_id)
    return render(
        request,
        "register/decision_detail.html",
        {"decision": decision, "registry": decision.registry},
    )


@require_POST
@zin_required
def decision_publish(request, pk: int):
    decision = _decision_or_404(pk)
    try:
        services.decision_publish(decision=decision, actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _(
                "The decision has been published in the register. The letter is being sent to the registry holder."
            ),
        )
    return redirect("decisions:decision_detail", pk=decision.pk)


@require_GET
@login_required
def decision_letter(request, pk: int):
    """The decision letter (PDF): Zorginstituut and the registry's staff; else 404."""
    decision = selectors.decision_for_letter(request.user, pk=pk)
    if decision is None:
        raise Http404
    try:
        handle = decision.letter.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=os.path.basename(decision.letter.name),
        content_type="application/pdf",
    )
    patch_cache_control(response, private=True, no_store=True)
    return response
