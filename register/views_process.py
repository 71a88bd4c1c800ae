"""The public overview of the review process, and the registry's consent to publish its advice.

``/register/process/`` shows every registry in the process with its stage in plain words. The
advice of IGC and DGC appears only when it is definitive and the registry consented to its
publication (DOMAIN.md, the process, step 4); the registry's staff give or withdraw that
consent on their dossier page.
"""

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from reviews import pipeline

from . import services
from .exceptions import DomainError
from .views_dossiers import _registry_or_404, registry_staff_required

ROWS_PER_PAGE = 25


class ProcessFilterForm(forms.Form):
    label_suffix = ""

    q = forms.CharField(
        label=gettext_lazy("Search"),
        required=False,
        max_length=100,
        help_text=gettext_lazy("Acronym, name or registry holder."),
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    stage = forms.ChoiceField(
        label=gettext_lazy("Stage"),
        required=False,
        choices=[("", gettext_lazy("All stages")), *pipeline.PUBLIC_STAGES],
    )


@require_safe
def process_overview(request):
    form = ProcessFilterForm(request.GET or None)
    criteria = {}
    if form.is_bound:
        form.is_valid()
        # Valid filters still apply when another one is wrong; the wrong one is shown as an error.
        criteria = form.cleaned_data
    search = (criteria.get("q") or "").strip()
    stage = criteria.get("stage") or ""
    registries = pipeline.process_registries(search=search, stage=stage)
    page_obj = Paginator(registries, ROWS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "public/process.html",
        {
            "form": form,
            "page_obj": page_obj,
            "rows": pipeline.process_rows(page_obj.object_list),
            "committees": pipeline.COMMITTEES,
            "filtered": bool(search or stage),
        },
    )


@require_POST
@registry_staff_required
def advice_consent(request, acronym: str):
    """Give (consent=1) or withdraw (consent=0) the consent to publish the definitive advice."""
    registry = _registry_or_404(request.user, acronym)
    consent = request.POST.get("consent") == "1"
    try:
        services.registry_set_advice_consent(registry=registry, actor=request.user, consent=consent)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        if consent:
            messages.success(
                request,
                _(
                    "Consent given: the definitive advice of IGC and DGC is shown in the public "
                    "overview of the process."
                ),
            )
        else:
            messages.success(
                request,
                _("Consent withdrawn: the advice is no longer shown in the public overview."),
            )
    response = redirect("dossiers:registry_detail", acronym=registry.acronym)
    response["Location"] += "#advice-consent"
    return response
