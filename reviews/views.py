"""The committees' area (/reviews/): thin views over reviews.selectors and reviews.services."""

import os
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from register.constants import Role
from register.exceptions import DomainError
from register.roles import has_role
from register.selectors import version_table_page

from . import selectors, services
from .forms import AdviceForm, ReviewFilterForm, VariableSearchForm
from .models import Review

REVIEWS_PER_PAGE = 25


def committee_member_required(view):
    """Signed in (else to the login page) and an IGC or DGC member (else 403)."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not (has_role(request.user, Role.IGC) or has_role(request.user, Role.DGC)):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


@require_GET
@committee_member_required
def review_list(request):
    form = ReviewFilterForm(request.GET)
    status = form.cleaned_data["status"] if form.is_valid() else ""
    reviews = selectors.reviews_for_user(request.user, status=status)
    page = Paginator(reviews, REVIEWS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "reviews/review_list.html",
        {"filter_form": form, "page_obj": page, "reviews": page.object_list, "status": status},
    )


@require_http_methods(["GET", "POST"])
@committee_member_required
def review_detail(request, pk: int):
    review = _review_or_404(request.user, pk)

    advice_form = None if hasattr(review, "advice") else AdviceForm()
    status = 200
    if request.method == "POST":
        advice_form = AdviceForm(request.POST)
        if hasattr(review, "advice"):
            # A concluded advice cannot be changed (the service refuses it too).
            advice_form.add_error(None, _("This review has already been concluded with advice."))
            status = 409
        elif advice_form.is_valid():
            try:
                services.advice_record(
                    review=review, actor=request.user, **advice_form.cleaned_data
                )
            except (DomainError, ValidationError) as error:
                advice_form.add_domain_error(error)
                if isinstance(error, DomainError) and not error.field:
                    status = error.status_code  # e.g. 409: concluded by a colleague meanwhile
                review = _review_or_404(request.user, pk)
            else:
                messages.success(request, _("The advice has been recorded."))
                return redirect("reviews:review_detail", pk=review.pk)

    search_form = VariableSearchForm(request.GET)
    search = search_form.cleaned_data["q"] if search_form.is_valid() else ""
    page, table = version_table_page(
        dataset_version_id=review.submission.dataset_version_id,
        search=search,
        page_number=request.GET.get("page"),
    )
    context = {
        "review": review,
        "submission": review.submission,
        "registry": review.submission.registry,
        "advice": getattr(review, "advice", None),
        "advice_form": advice_form,
        "search_form": search_form,
        "search": search,
        "page_obj": page,
        "table": table,
        "document_links": _document_download_available(),
        **selectors.review_dossier(review=review),
    }
    return render(request, "reviews/review_detail.html", context, status=status)


@require_GET
@login_required
def advice_document(request, pk: int):
    """The advice PDF, for whoever may read it (reviews.permissions.can_view_advice); else 404."""
    advice = selectors.advice_for_download(request.user, review_pk=pk)
    if advice is None:
        raise Http404
    response = FileResponse(
        advice.document.open("rb"),
        as_attachment=True,
        filename=os.path.basename(advice.document.name),
        content_type="application/pdf",
    )
    patch_cache_control(response, private=True, no_store=True)
    return response


def _review_or_404(user, pk: int) -> Review:
    try:
        return selectors.review_for_user(user, pk=pk)
    except Review.DoesNotExist:
        raise Http404 from None  # another committee's review: nothing to see, nothing to write


def _document_download_available() -> bool:
    """The dossier's download view is built alongside; link to it only once it exists."""
    try:
        reverse("dossiers:document_download", kwargs={"pk": 1})
    except NoReverseMatch:
        return False
    return True
