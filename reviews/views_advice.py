"""The advice page of one review (/reviews/<pk>/advice/): conflicts of interest, the draft,
members' positions and unanimity, the chair's conclusion and the PDF. Thin views over
reviews.advice; each POST names its ``action``."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from register.exceptions import DomainError

from . import advice as advice_services
from .constants import AdviceStatus, RenderStatus, ReviewStatus
from .criteria import positive_advice_possible
from .forms_advice import AdviceDraftForm, ConflictForm, PositionForm
from .models import Advice, Review
from .selectors import review_for_user
from .views import committee_member_required

ACTIONS = {"conflict", "draft", "withdraw", "position", "conclude", "render"}


@require_http_methods(["GET", "POST"])
@committee_member_required
def review_advice(request, pk: int):
    try:
        review = review_for_user(request.user, pk=pk)
    except Review.DoesNotExist:
        raise Http404 from None  # another committee's review, or a declared conflict of interest
    advice = _advice(review)
    forms = {}
    page_error = ""
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action not in ACTIONS:
            page_error, status = _("Unknown action: nothing has been changed."), 400
        else:
            handler = HANDLERS[action]
            try:
                result = handler(request, review, advice, forms)
            except DomainError as error:
                form = forms.get(action)
                if form is not None:
                    form.add_domain_error(error)
                else:
                    page_error = error.message
                status = 400 if (error.field and form is not None) else error.status_code
            else:
                if result is not None:
                    return result
                status = 400  # a form with errors
            review = review_for_user(request.user, pk=pk)
            advice = _advice(review)
    return render(
        request,
        "reviews/advice_detail.html",
        _context(request, review, advice, forms, page_error),
        status=status,
    )


def _advice(review: Review) -> Advice | None:
    return Advice.objects.select_related("given_by", "concluded_by").filter(review=review).first()


def _context(request, review: Review, advice: Advice | None, forms: dict, page_error: str):
    user = request.user
    out = advice is not None and review.status == ReviewStatus.DRAFT_ADVICE
    definitive = advice is not None and advice.status == AdviceStatus.DEFINITIVE
    unanimity = advice_services.advice_unanimity(advice) if advice is not None else None
    draftable = review.status in (ReviewStatus.OPEN, ReviewStatus.DRAFT_ADVICE) and not definitive
    draft_form = forms.get("draft")
    if draft_form is None and draftable:
        if advice is not None:
            initial = {
                "outcome": advice.outcome,
                "motivation": advice.motivation,
                "conditions": advice.conditions,
                "reaction_deadline": advice.reaction_deadline
                if out
                else advice_services.advice_default_deadline(),
            }
        else:
            initial = {"reaction_deadline": advice_services.advice_default_deadline()}
        draft_form = AdviceDraftForm(initial=initial)
    participant = advice_services.is_participant(user, review)
    position_form = forms.get("position")
    own_position = None
    if unanimity is not None:
        own_position = next(
            (m.position for m in unanimity.participants if m.user_id == user.pk), None
        )
    if position_form is None and out and participant:
        position_form = PositionForm(
            initial={"position": own_position.position, "note": own_position.note}
            if own_position
            else None
        )
    rendering = definitive and advice.render_status in (RenderStatus.PENDING, RenderStatus.RUNNING)
    failed_form = next((form for form in forms.values() if form.errors), None)
    return {
        "review": review,
        "submission": review.submission,
        "registry": review.submission.registry,
        "advice": advice,
        "advice_out": out,
        "definitive": definitive,
        "unanimity": unanimity,
        "draft_form": draft_form if draftable else None,
        "position_form": position_form if out and participant else None,
        "own_position": own_position,
        "conflict_form": forms.get("conflict") or ConflictForm(),
        "conflicts": review.conflicts.select_related("member").order_by("declared_at"),
        "is_chair": advice_services.is_chair(user, review),
        "concludable": out and advice_services.advice_concludable(advice),
        "positive_possible": positive_advice_possible(review),
        "rendering": rendering,
        "failed_form": failed_form,
        "page_error": page_error,
        "today": timezone.localdate(),
    }


# --- The actions ---------------------------------------------------------------------------------


def _conflict(request, review, advice, forms):
    form = forms["conflict"] = ConflictForm(request.POST)
    if not form.is_valid():
        return None
    advice_services.conflict_declare(
        review=review, actor=request.user, reason=form.cleaned_data["reason"]
    )
    messages.success(
        request,
        _("Your conflict of interest has been recorded: you no longer take part in this review."),
    )
    return redirect("reviews:review_list")


def _draft(request, review, advice, forms):
    form = forms["draft"] = AdviceDraftForm(request.POST)
    if not form.is_valid():
        return None
    revising = review.status == ReviewStatus.DRAFT_ADVICE
    advice_services.advice_draft(review=review, actor=request.user, **form.cleaned_data)
    messages.success(
        request,
        _("The draft advice has been revised.")
        if revising
        else _("The draft advice has been sent to the registry."),
    )
    return redirect("reviews:review_advice", pk=review.pk)


def _withdraw(request, review, advice, forms):
    if advice is None:
        raise DomainError(_("There is no draft advice to take back."))
    advice_services.advice_withdraw(advice=advice, actor=request.user)
    messages.success(
        request, _("The draft advice has been taken back; revise it and send it again.")
    )
    return redirect("reviews:review_advice", pk=review.pk)


def _position(request, review, advice, forms):
    form = forms["position"] = PositionForm(request.POST)
    if not form.is_valid():
        return None
    if advice is None:
        raise DomainError(_("There is no draft advice to take a position on."))
    advice_services.position_record(advice=advice, actor=request.user, **form.cleaned_data)
    messages.success(request, _("Your position has been recorded."))
    return redirect("reviews:review_advice", pk=review.pk)


def _conclude(request, review, advice, forms):
    if advice is None:
        raise DomainError(_("There is no draft advice to conclude."))
    advice_services.advice_conclude(advice=advice, actor=request.user)
    messages.success(request, _("The advice is definitive. Its PDF is being rendered."))
    return redirect("reviews:review_advice", pk=review.pk)


def _render(request, review, advice, forms):
    if advice is None:
        raise DomainError(_("There is no advice to render."))
    advice_services.advice_render_request(advice=advice, actor=request.user)
    messages.success(request, _("The advice document is being rendered again."))
    return redirect("reviews:review_advice", pk=review.pk)


HANDLERS = {
    "conflict": _conflict,
    "draft": _draft,
    "withdraw": _withdraw,
    "position": _position,
    "conclude": _conclude,
    "render": _render,
}
