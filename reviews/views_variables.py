"""The review's variables (/reviews/<pk>/variables/): judge them one by one or many at once.

A filtered, paginated list of the version under review (50 a page, the filters kept in every
link), with per variable the registry's NPS texts, purposes and requirement cells beside the
committee's judgement; a bulk form (the rows selected on the page, or every variable matching
the filter); and a page per variable with the registry's full texts beside the committee's
three motivation fields. Plain forms that work without JavaScript (static/js/table_edit.js adds
"select all on this page"). A constant number of queries per page, whatever the table size.
"""

from django.contrib import messages
from django.http import Http404, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from register.exceptions import DomainError
from register.forms import BULK_MATCHING
from register.models import Variable

from . import judgements
from .constants import Verdict
from .forms_variables import JudgementBulkForm, JudgementForm, VariableFilterForm
from .models import Review
from .views import _review_or_404, committee_member_required


@require_http_methods(["GET", "POST"])
@committee_member_required
def review_variables(request, pk: int):
    review = _review_or_404(request.user, pk)
    changes = judgements.review_changes(review)
    # The POST goes to this same URL, query string included: it sees the filters of the page.
    filter_form = VariableFilterForm(request.GET, with_changes=changes is not None)
    filters = filter_form.filters()
    can_judge = review.status in judgements.JUDGING_STATES
    posted = request.POST if request.method == "POST" else None
    bulk_form = (
        JudgementBulkForm(posted, filter_valid=filter_form.is_valid()) if can_judge else None
    )
    refusal, status = "", 200
    if request.method == "POST":
        if bulk_form is None:
            refusal, status = _not_judging_message(review), 409
        elif not bulk_form.is_valid():
            status = 400
        else:
            data = bulk_form.cleaned_data
            chosen = (
                {
                    "variables": judgements.review_variables_filtered(
                        review, filters=filters, changes=changes
                    )
                }
                if data["scope"] == BULK_MATCHING
                else {"variable_ids": data["variables"]}
            )
            try:
                result = judgements.judgements_bulk(
                    review=review, actor=request.user, **bulk_form.judgement(), **chosen
                )
            except DomainError as error:
                bulk_form.add_domain_error(error)
                status = 400 if error.field else error.status_code
            else:
                messages.success(request, _bulk_message(result, data["verdict"]))
                return redirect(request.get_full_path())

    listing = judgements.review_variables(
        review, filters=filters, page=request.GET.get("page"), changes=changes
    )
    selected = set(request.POST.getlist("variables")) if bulk_form is not None else set()
    for row in listing.table.rows:
        row.selected = str(row.variable.pk) in selected
    if bulk_form is not None:
        bulk_form.set_matching_count(listing.page.paginator.count, filtered=filters.active)
    context = {
        **_review_context(review),
        "filter_form": filter_form,
        "filtered": filters.active,
        "bulk_form": bulk_form,
        "refusal": refusal,
        "page_obj": listing.page,
        "table": listing.table,
        "changes": changes,
        "summary": judgements.judgement_summary(review),
        "return_query": request.GET.urlencode(),
    }
    return render(request, "reviews/variables.html", context, status=status)


@require_http_methods(["GET", "POST"])
@committee_member_required
def variable_judgement(request, pk: int, code: str):
    review = _review_or_404(request.user, pk)
    return_query = _plain_query(request.POST.get("return") or request.GET.get("return", ""))
    try:
        variable = judgements.review_variable(review, code=code)
    except Variable.DoesNotExist:
        if request.method == "GET":
            raise Http404 from None
        # A POST for a code the version under review lacks (removed in a revision, or another
        # registry's): say so, write nothing.
        return render(
            request,
            "reviews/variables_refused.html",
            {
                **_review_context(review),
                "message": _(
                    "Variable %(code)s is not in the version under review (version %(number)s): "
                    "nothing has been judged."
                )
                % {"code": code, "number": _version(review).number},
                "return_query": return_query,
            },
            status=400,
        )

    can_judge = review.status in judgements.JUDGING_STATES
    form, refusal, status = None, "", 200
    if can_judge:
        posted = request.POST if request.method == "POST" else None
        form = JudgementForm(posted, initial=_initial(variable))
    if request.method == "POST":
        if form is None:
            refusal, status = _not_judging_message(review), 409
        elif not form.is_valid():
            status = 400
        else:
            try:
                judgements.judgement_record(
                    review=review,
                    actor=request.user,
                    variable_id=form.cleaned_data["variable"],
                    **form.judgement(),
                )
            except DomainError as error:
                form.add_domain_error(error)
                status = 400 if error.field else error.status_code
            else:
                messages.success(
                    request,
                    _("Your judgement of %(code)s has been recorded.") % {"code": variable.code},
                )
                url = reverse("reviews:review_variables", kwargs={"pk": review.pk})
                query = f"?{return_query}" if return_query else ""
                return redirect(f"{url}{query}#variable-{variable.code}")
    return render(
        request,
        "reviews/variable_judgement.html",
        {
            **_review_context(review),
            "variable": variable,
            "judgement": variable.judgement,
            "form": form,
            "nps_rows": _nps_rows(variable, form),
            "refusal": refusal,
            "return_query": return_query,
        },
        status=status,
    )


def _review_context(review: Review) -> dict:
    return {
        "review": review,
        "submission": review.submission,
        "registry": review.submission.registry,
        "version": _version(review),
    }


def _version(review: Review):
    """The version under review: a revision submitted in a clarification round, or the
    submitted one."""
    if review.dataset_version_id in (None, review.submission.dataset_version_id):
        return review.submission.dataset_version
    return review.dataset_version


def _nps_rows(variable, form) -> list[dict]:
    """Necessity, proportionality, subsidiarity: the registry's text beside the committee's."""
    labels = {
        "necessity": _("Necessity"),
        "proportionality": _("Proportionality"),
        "subsidiarity": _("Subsidiarity"),
    }
    return [
        {
            "label": label,
            "registry": getattr(variable, name),
            "committee": getattr(variable.judgement, name, ""),
            "field": form[name] if form is not None else None,
        }
        for name, label in labels.items()
    ]


def _initial(variable) -> dict:
    initial = {"variable": variable.pk}
    if variable.judgement is not None:
        judgement = variable.judgement
        initial.update(
            verdict=judgement.verdict,
            necessity=judgement.necessity,
            proportionality=judgement.proportionality,
            subsidiarity=judgement.subsidiarity,
        )
    return initial


def _plain_query(value: str) -> str:
    """The list's filters to return to, re-encoded: only a query string, never a URL."""
    return QueryDict(value.lstrip("?")).urlencode() if value else ""


def _not_judging_message(review: Review) -> str:
    return _("Variables can no longer be judged: the review is %(status)s.") % {
        "status": review.get_status_display()
    }


def _bulk_message(result: judgements.BulkJudgementResult, verdict: str) -> str:
    return ngettext(
        "%(count)s variable judged: %(verdict)s.",
        "%(count)s variables judged: %(verdict)s.",
        result.variable_count,
    ) % {
        "count": result.variable_count,
        "verdict": Verdict(verdict).label,
    }
