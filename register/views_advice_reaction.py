"""The registry's reaction to a committee's draft advice (/dossiers/<acronym>/advice/<pk>/react/).

Thin view over reviews.advice.advice_react. The registry sees the draft and, later, the
definitive advice; never the members' positions or the committee's notes. A registry the user
does not manage, or an advice it may not see, answers 404 before anything is written.
"""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from reviews.advice import advice_react as advice_react_service
from reviews.forms_advice import ReactionForm
from reviews.selectors import registry_advice

from .exceptions import DomainError
from .views_dossiers import _registry_or_404, registry_staff_required


@require_http_methods(["GET", "POST"])
@registry_staff_required
def advice_react(request, acronym: str, pk: int):
    registry = _registry_or_404(request.user, acronym)
    advice = registry_advice(registry, pk=pk)
    if advice is None:
        raise Http404
    form = ReactionForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                advice_react_service(
                    advice=advice, actor=request.user, reaction=form.cleaned_data["reaction"]
                )
            except DomainError as error:
                # Too late, or reacted already: the text stays in the form, nothing is lost.
                form.add_domain_error(error)
                status = error.status_code
            else:
                messages.success(request, _("Your reaction has been sent to the committee."))
                return redirect("dossiers:advice_react", acronym=registry.acronym, pk=advice.pk)
        advice = registry_advice(registry, pk=pk) or advice
    return render(
        request,
        "reviews/advice_react.html",
        {"registry": registry, "review": advice.review, "advice": advice, "reaction_form": form},
        status=status,
    )
