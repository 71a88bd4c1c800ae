"""The committee's clarification rounds of one review (/reviews/<pk>/clarifications/)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from register.exceptions import DomainError

from . import clarifications
from .constants import ClarificationStatus, ReviewStatus
from .forms_clarifications import (
    ClarificationCloseForm,
    ClarificationDeadlineForm,
    add_send_problems,
    formset_rows,
    posted_question_rows,
    question_formset,
    send_error_summary,
)
from .permissions import can_review
from .views import _review_or_404, committee_member_required
from .workflow import registry_status


@require_http_methods(["GET", "POST"])
@committee_member_required
def review_clarifications(request, pk: int):
    review = _review_or_404(request.user, pk)
    today = timezone.localdate()
    may_send = review.status == ReviewStatus.OPEN and can_review(request.user, review)
    form, formset, status = ClarificationDeadlineForm(), question_formset(), 200
    close_form = ClarificationCloseForm()

    if request.method == "POST" and request.POST.get("action") == "close":
        close_form = ClarificationCloseForm(request.POST)
        response, status = _close_round(request, review, close_form, today)
        if response is not None:
            return response
    elif request.method == "POST":
        if not may_send:
            # Another round is open or the review moved on; nothing is written.
            messages.error(
                request,
                _(
                    "Questions can only be sent while the committee is reviewing and no round is open."
                ),
            )
            return redirect("reviews:review_clarifications", pk=review.pk)
        if "add_question" in request.POST:
            rows = posted_question_rows(request.POST)
            form = ClarificationDeadlineForm(initial={"deadline": request.POST.get("deadline")})
            formset = question_formset(rows=rows, extra=1)
        else:
            form = ClarificationDeadlineForm(request.POST)
            formset = question_formset(request.POST)
            if form.is_valid() and formset.is_valid():
                questions = formset_rows(formset)
                problems = clarifications.clarification_send_problems(
                    review=review,
                    deadline=form.cleaned_data["deadline"],
                    questions=questions,
                    today=today,
                )
                if not problems:
                    try:
                        sent = clarifications.clarification_send(
                            review=review,
                            actor=request.user,
                            deadline=form.cleaned_data["deadline"],
                            questions=questions,
                            today=today,
                        )
                    except (DomainError, ValidationError) as error:
                        form.add_domain_error(error)
                    else:
                        messages.success(
                            request,
                            _(
                                "Round %(number)d has been sent. The registry gets an e-mail "
                                "that there are questions in the portal; the review clock "
                                "stops until it answers."
                            )
                            % {"number": sent.number},
                        )
                        return redirect("reviews:review_clarifications", pk=review.pk)
                add_send_problems(form, formset, problems)
            status = 400

    rounds = clarifications.clarification_rounds(review=review)
    current = clarifications.open_round(rounds)
    # A round the registry leaves unanswered: after its deadline the committee may close it.
    may_close = (
        current is not None and today > current.deadline and can_review(request.user, review)
    )
    context = {
        "review": review,
        "submission": review.submission,
        "registry": review.submission.registry,
        "rounds": list(reversed(rounds)),
        "open_round": current,
        "may_close": may_close,
        "close_form": close_form,
        "clock": clarifications.review_clock(review, today=today),
        "registry_sees": registry_status(review),
        "may_send": may_send,
        "form": form,
        "formset": formset,
        "error_summary": send_error_summary(form, formset),
        "today": today,
    }
    return render(request, "reviews/clarification_list.html", context, status=status)


def _close_round(request, review, form, today):
    """Close the open round without answers; (redirect, 302) or (None, the error's status)."""
    current = review.clarifications.filter(status=ClarificationStatus.OPEN).first()
    if current is None:
        messages.error(request, _("There is no open round to close: nothing has been changed."))
        return redirect("reviews:review_clarifications", pk=review.pk), 302
    if not form.is_valid():
        return None, 400
    try:
        closed = clarifications.clarification_close_unanswered(
            request=current, actor=request.user, reason=form.cleaned_data["reason"], today=today
        )
    except DomainError as error:
        form.add_domain_error(error)
        return None, 400 if error.field else error.status_code
    messages.success(
        request,
        _(
            "Round %(number)d has been closed without answers. The registry gets an e-mail; "
            "the review clock runs again."
        )
        % {"number": closed.number},
    )
    url = reverse("reviews:review_clarifications", kwargs={"pk": review.pk})
    return redirect(url + f"#round-{closed.number}"), 302
