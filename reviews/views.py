"""The committees' area (/reviews/): thin views over reviews.selectors and reviews.services."""

import os
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_GET

from register.constants import Role
from register.roles import has_role

from . import selectors
from .forms import ReviewFilterForm
from .judgements import judgement_summary
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


@require_GET
@committee_member_required
def review_detail(request, pk: int):
    """The submission under review; the advice has its own page (reviews.views_advice)."""
    review = _review_or_404(request.user, pk)

    context = {
        "review": review,
        "submission": review.submission,
        "registry": review.submission.registry,
        "advice": getattr(review, "advice", None),
        # The variables have their own page (reviews.views_variables): here only the counts.
        "summary": judgement_summary(review),
        "document_links": _document_download_available(),
        **selectors.review_dossier(review=review),
    }
    return render(request, "reviews/review_detail.html", context)


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
