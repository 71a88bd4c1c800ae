"""The registry's view of one review of its submission (/dossiers/<acronym>/reviews/<pk>/).

Only what the registry may see: the simple status (with the committee, waiting for you, advice
given), the questions addressed to it with the answer form, earlier rounds, and the advice once
sent. Never the committee's internal notes, criteria assessments, judgements or positions.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from reviews import clarifications
from reviews.advice import advice_for_registry
from reviews.forms_clarifications import ClarificationAnswerForm
from reviews.models import Review
from reviews.workflow import registry_status

from .exceptions import DomainError, DossierIncomplete
from .views_dossiers import _registry_or_404, registry_staff_required


@require_http_methods(["GET", "POST"])
@registry_staff_required
def review_status(request, acronym: str, pk: int):
    registry = _registry_or_404(request.user, acronym)
    try:
        review = clarifications.registry_review(registry=registry, pk=pk)
    except Review.DoesNotExist:
        raise Http404 from None
    today = timezone.localdate()
    rounds = clarifications.clarification_rounds(review=review)
    current = clarifications.open_round(rounds)
    form_kwargs = {}
    if current is not None:
        form_kwargs = {
            "request": current,
            "questions": list(current.questions.all()),
            "draft_versions": clarifications.registry_draft_versions(registry=registry),
        }
    form = ClarificationAnswerForm(**form_kwargs) if current else None
    status, check_url = 200, ""

    if request.method == "POST":
        if current is None:
            messages.error(request, _("There are no open questions to answer."))
            return redirect("dossiers:review_status", acronym=registry.acronym, pk=review.pk)
        form = ClarificationAnswerForm(request.POST, **form_kwargs)
        sending = request.POST.get("action") == "send"
        if form.is_valid():
            try:
                if sending:
                    problems = clarifications.clarification_answer_problems(
                        request=current, answers=form.answers()
                    )
                    if problems:
                        for problem in problems:
                            form.add_domain_error(problem)
                    else:
                        result = clarifications.clarification_answer(
                            request=current,
                            actor=request.user,
                            answers=form.answers(),
                            revised_version=form.cleaned_data["revised_version"],
                            today=today,
                        )
                        messages.success(request, _answered_message(result))
                        return redirect(
                            "dossiers:review_status", acronym=registry.acronym, pk=review.pk
                        )
                else:
                    clarifications.clarification_answers_save(
                        request=current,
                        actor=request.user,
                        answers=form.answers(),
                        revised_version=form.cleaned_data["revised_version"],
                    )
                    messages.success(
                        request,
                        _(
                            "Your answers have been saved as a draft. The committee sees them "
                            "only once you send them."
                        ),
                    )
                    return redirect(
                        "dossiers:review_status", acronym=registry.acronym, pk=review.pk
                    )
            except DossierIncomplete as error:
                form.add_error("revised_version", error.message)
                check_url = error.check_url
            except (DomainError, ValidationError) as error:
                form.add_domain_error(error)
                if isinstance(error, DomainError) and not error.field:
                    status = error.status_code
        if status == 200:
            status = 400

    advice = advice_for_registry(getattr(review, "advice", None))
    context = {
        "registry": registry,
        "review": review,
        "simple_status": registry_status(review),
        "current": current,
        "current_late": current is not None and today > current.deadline,
        "earlier_rounds": [r for r in reversed(rounds) if r is not current],
        "form": form,
        "check_url": check_url,
        "advice": advice,
    }
    return render(request, "register/review_status.html", context, status=status)


def _answered_message(result) -> str:
    request = result.request
    parts = [
        _("Your answers to round %(number)d have been sent to the committee.")
        % {"number": request.number}
    ]
    if result.late:
        parts.append(
            _(
                "They came after the deadline of %(deadline)s: they have been recorded as late, "
                "and the committee decides how to take them into account."
            )
            % {"deadline": request.deadline.strftime("%d-%m-%Y")}
        )
    if result.revised_version is not None:
        parts.append(
            _(
                "Version %(number)s has been submitted with them: the review continues on that "
                "version."
            )
            % {"number": result.revised_version.number}
        )
    return " ".join(parts)
