"""Criteria pages: a committee assesses a review's criteria; the secretariat keeps the
catalogues. Thin views over reviews.criteria."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from register.exceptions import DomainError

from . import criteria
from .forms_criteria import CatalogueNoteForm, CriteriaAssessmentForm, CriterionFormSet
from .models import CriteriaCatalogue, Review
from .views import committee_member_required


def secretariat_required(view):
    """Signed in (else to the login page) and the secretariat SSC-DG (else 403)."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not criteria.can_edit_catalogues(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


# --- The committee: criteria of one review ------------------------------------------------------


@require_http_methods(["GET", "POST"])
@committee_member_required
def review_criteria(request, pk: int):
    try:
        review = criteria.review_for_criteria(request.user, pk=pk)
    except Review.DoesNotExist:
        raise Http404 from None  # another committee's review, or a declared conflict of interest
    editable = review.status in criteria.ASSESSABLE_STATUSES
    summary = criteria.criteria_summary(review)
    form = None
    refusal = ""
    status = 200
    if editable:
        form = CriteriaAssessmentForm(
            request.POST if request.method == "POST" else None, summary=summary
        )
    if request.method == "POST":
        if form is None:
            refusal = _("The criteria of a review that is %(status)s can no longer be changed.") % {
                "status": review.get_status_display()
            }
            status = 409
        elif form.is_valid():
            try:
                criteria.criteria_assess_bulk(
                    review=review, actor=request.user, entries=form.entries
                )
            except criteria.AssessmentsInvalid as error:
                form.add_problems(error.problems)
            except DomainError as error:
                # e.g. 409: a draft advice went out meanwhile; nothing has been saved.
                form.add_error(None, error.message)
                status = error.status_code
            else:
                messages.success(request, _("The criteria have been saved."))
                return redirect("reviews:review_criteria", pk=review.pk)
    return render(
        request,
        "reviews/criteria_review.html",
        {
            "review": review,
            "submission": review.submission,
            "registry": review.submission.registry,
            "summary": summary,
            "form": form,
            "editable": editable,
            "refusal": refusal,
        },
        status=status,
    )


# --- The secretariat: catalogues ---------------------------------------------------------------


@require_GET
@secretariat_required
def catalogue_list(request):
    return render(
        request, "reviews/catalogue_list.html", {"groups": criteria.catalogues_overview()}
    )


@require_GET
@secretariat_required
def catalogue_detail(request, pk: int):
    catalogue = _catalogue_or_404(pk)
    return render(
        request,
        "reviews/catalogue_detail.html",
        {"catalogue": catalogue, "versions": criteria.catalogue_versions(catalogue)},
    )


@require_http_methods(["GET", "POST"])
@secretariat_required
def catalogue_new_version(request, pk: int):
    """A formset prefilled from the catalogue; publishing makes version N+1 of its series."""
    base = _catalogue_or_404(pk)
    initial = [
        {
            "code": c.code,
            "title": c.title,
            "description": c.description,
            "minimum_requirement": c.minimum_requirement,
            "growth_path": c.growth_path,
            "knockout": c.knockout,
            "position": str(number),
        }
        for number, c in enumerate(base.criteria_list, start=1)
    ]
    if request.method == "POST":
        note_form = CatalogueNoteForm(request.POST)
        formset = CriterionFormSet(request.POST, initial=initial, prefix="criteria")
        note_valid = note_form.is_valid()
        # The service's rules run on the rows once they are well-formed: all problems at once.
        if formset.is_valid() and formset.check(note_form) and note_valid:
            try:
                catalogue = criteria.catalogue_publish(
                    committee=base.committee,
                    stage=base.stage,
                    actor=request.user,
                    note=note_form.cleaned_data["note"],
                    criteria=formset.criteria,
                )
            except criteria.CatalogueInvalid as error:
                formset.add_problems(error.problems)
                for problem in error.problems:
                    if problem.field == "note":
                        note_form.add_error("note", problem.message)
            except DomainError as error:
                note_form.add_error(None, error.message)
            else:
                messages.success(
                    request,
                    _("Version %(version)d has been published.") % {"version": catalogue.version},
                )
                return redirect("reviews:catalogue_detail", pk=catalogue.pk)
    else:
        note_form = CatalogueNoteForm()
        formset = CriterionFormSet(initial=initial, prefix="criteria")
    errors = [
        *(
            {"anchor": item["anchor"], "message": item["message"]}
            for item in note_form.error_summary()
        ),
        *formset.error_summary(),
    ]
    return render(
        request,
        "reviews/catalogue_new_version.html",
        {"catalogue": base, "note_form": note_form, "formset": formset, "errors": errors},
    )


def _catalogue_or_404(pk: int) -> CriteriaCatalogue:
    try:
        return criteria.catalogue_detail(pk=pk)
    except CriteriaCatalogue.DoesNotExist:
        raise Http404 from None
