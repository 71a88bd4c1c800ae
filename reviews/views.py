"""The committees' area (/reviews/): thin views over reviews.selectors and reviews.services."""

import os
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from register.constants import Role
from register.exceptions import DomainError
from register.roles import has_role

from . import notes, selectors
from .forms import ReviewFilterForm
from .forms_notes import ReviewNoteForm
from .judgements import judgement_summary
from .models import Review
from .permissions import can_review

REVIEWS_PER_PAGE = 25
NOTES_PER_PAGE = 20


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
    return _review_detail_page(request, review)


@require_POST
@committee_member_required
def review_note_add(request, pk: int):
    """Add an internal note (reviews.notes); back to the overview's notes, or the overview
    again with the error (400)."""
    review = _review_or_404(request.user, pk)
    form = ReviewNoteForm(request.POST)
    status = 400
    if form.is_valid():
        try:
            notes.review_note_add(review=review, actor=request.user, text=form.cleaned_data["text"])
        except DomainError as error:
            form.add_domain_error(error)
            status = 400 if error.field else error.status_code
        else:
            messages.success(request, _("Your note has been added. Only the committee sees it."))
            return redirect(reverse("reviews:review_detail", kwargs={"pk": review.pk}) + "#notes")
    return _review_detail_page(request, review, note_form=form, status=status)


def _review_detail_page(request, review: Review, *, note_form=None, status: int = 200):
    may_note = can_review(request.user, review)
    notes_page = Paginator(notes.review_notes(review=review), NOTES_PER_PAGE).get_page(
        request.GET.get("notes_page")
    )
    context = {
        "review": review,
        "submission": review.submission,
        "registry": review.submission.registry,
        "advice": getattr(review, "advice", None),
        # The variables have their own page (reviews.views_variables): here only the counts.
        "summary": judgement_summary(review),
        "document_links": _document_download_available(),
        **selectors.review_dossier(review=review),
        # Internal to the committee (reviews.notes): never on the registry's pages.
        "notes_page": notes_page,
        "notes": notes_page.object_list,
        "note_form": (note_form or ReviewNoteForm()) if may_note else None,
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
