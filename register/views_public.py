"""Public pages: home, the register, one registry, and the obligation checker. No login."""

from django import forms
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from reviews.selectors import public_advice

from . import selectors
from .constants import DecisionOutcome, Purpose
from .models import CareType, ProviderCategory, Registry, Requirement, Variable

REGISTRIES_PER_PAGE = 25
VARIABLES_PER_PAGE = 100
PURPOSE_LABELS = dict(Purpose.choices)


class RegistryFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    care_type = forms.ModelChoiceField(
        label=_("Care type"),
        queryset=CareType.objects.all(),
        to_field_name="code",
        required=False,
        empty_label=_("All care types"),
    )
    provider_category = forms.ModelChoiceField(
        label=_("Provider category"),
        queryset=ProviderCategory.objects.all(),
        to_field_name="code",
        required=False,
        empty_label=_("All provider categories"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs.update({"type": "search"})
        self.fields["q"].widget.input_type = "search"
        self.fields["provider_category"].label_from_instance = lambda c: f"{c.code} – {c.name}"


class ObligationForm(forms.Form):
    provider_category = forms.ModelChoiceField(
        label=_("Provider category"),
        queryset=ProviderCategory.objects.all(),
        to_field_name="code",
        empty_label=_("Choose a provider category"),
    )
    care_type = forms.ModelMultipleChoiceField(
        label=_("Care types you deliver"),
        queryset=CareType.objects.all(),
        to_field_name="code",
        widget=forms.CheckboxSelectMultiple,
    )
    on = forms.DateField(
        label=_("Date"),
        required=False,
        help_text=_("The obligations in force on this date (default: today)."),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["provider_category"].label_from_instance = lambda c: f"{c.code} – {c.name}"


@require_safe
def home(request):
    return render(request, "public/home.html")


@require_safe
def registry_list(request):
    form = RegistryFilterForm(request.GET or None)
    criteria = {}
    if form.is_bound:
        form.is_valid()
        # Valid filters still apply when another one is wrong; the wrong one is shown as an error.
        criteria = form.cleaned_data
    registries = selectors.included_registries(
        search=(criteria.get("q") or "").strip(),
        care_type=criteria["care_type"].code if criteria.get("care_type") else "",
        provider_category=(
            criteria["provider_category"].code if criteria.get("provider_category") else ""
        ),
    )
    page_obj = Paginator(registries, REGISTRIES_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "public/registry_list.html",
        {
            "form": form,
            "page_obj": page_obj,
            "registries": page_obj.object_list,
            "filtered": bool(criteria and any(criteria.values())),
            "today": timezone.localdate(),
        },
    )


@require_safe
def registry_detail(request, acronym):
    try:
        registry = selectors.registry_public_detail(acronym=acronym)
    except Registry.DoesNotExist:
        raise Http404(_("No registry with this acronym.")) from None
    included = registry.current_outcome == DecisionOutcome.INCLUDE
    current_decision = next(
        (d for d in registry.published_decisions if d.pk == registry.current_decision_id), None
    )
    context = {
        "registry": registry,
        "included": included,
        "current_decision": current_decision,
        "today": timezone.localdate(),
        # The committees' advice: the outcome only with the registry's consent (one query).
        "advice": public_advice(registry, included=included),
    }
    if included:
        context.update(_accountability_table(request, registry.current_dataset_version_id))
    return render(request, "public/registry_detail.html", context)


def _accountability_table(request, dataset_version_id: int) -> dict:
    """The table of the included version, 100 variables a page; only categories it asks of."""
    variables = Variable.objects.filter(dataset_version_id=dataset_version_id).order_by("code")
    page_obj = Paginator(variables, VARIABLES_PER_PAGE).get_page(request.GET.get("page"))
    table = selectors.requirement_table(variables=page_obj.object_list)
    used = set(
        Requirement.objects.filter(variable__dataset_version_id=dataset_version_id)
        .values_list("provider_category_id", flat=True)
        .distinct()
    )
    keep = [i for i, category in enumerate(table.categories) if category.pk in used]
    rows = [
        {
            "variable": row.variable,
            "purposes": [PURPOSE_LABELS.get(p, p) for p in row.variable.purposes or []],
            "cells": [row.cells[i] for i in keep],
        }
        for row in table.rows
    ]
    return {
        "categories": [table.categories[i] for i in keep],
        "rows": rows,
        "page_obj": page_obj,
        "variable_count": page_obj.paginator.count,
    }


@require_safe
def obligations(request):
    today = timezone.localdate()
    # Bound only once the form was sent, so a first visit shows no errors.
    sent = any(key in request.GET for key in ("provider_category", "care_type", "on"))
    form = ObligationForm(request.GET if sent else None, initial={"on": today})
    context = {"form": form, "today": today}
    if sent and form.is_valid():
        on = form.cleaned_data["on"] or today
        category_codes = [form.cleaned_data["provider_category"].code]
        care_type_codes = [c.code for c in form.cleaned_data["care_type"]]
        current = selectors.obligations(
            category_codes=category_codes, care_type_codes=care_type_codes, on=on
        )
        context.update(
            {
                "results": True,
                "on": on,
                "category": form.cleaned_data["provider_category"],
                "chosen_care_types": form.cleaned_data["care_type"],
                "current": current,
                "upcoming": selectors.upcoming_obligations(
                    category_codes=category_codes,
                    care_type_codes=care_type_codes,
                    on=on,
                    current=current,
                ),
            }
        )
    return render(request, "public/obligations.html", context)
