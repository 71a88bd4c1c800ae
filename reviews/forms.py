"""Forms of the committees' area. They collect input; the rules live in reviews.services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from register.forms import ErrorSummaryMixin

from .constants import AdviceOutcome, ReviewStatus
from .services import advice_problems


class ReviewFilterForm(forms.Form):
    label_suffix = ""

    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All reviews")), *ReviewStatus.choices],
    )


class VariableSearchForm(forms.Form):
    label_suffix = ""

    q = forms.CharField(
        label=_("Search variables"),
        required=False,
        max_length=100,
        help_text=_("On code or name."),
        widget=forms.TextInput(attrs={"type": "search"}),
    )


class AdviceForm(ErrorSummaryMixin, forms.Form):
    label_suffix = ""

    outcome = forms.ChoiceField(
        label=_("Advice"),
        choices=AdviceOutcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose an advice.")},
    )
    motivation = forms.CharField(
        label=_("Motivation"),
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("The committee's reasons, as they will appear in the advice."),
        error_messages={"required": _("Give the motivation for the advice.")},
    )
    conditions = forms.CharField(
        label=_("Conditions"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Required when the advice is positive with conditions."),
    )

    def clean(self):
        """Show every problem at once; the service applies the same rules when recording."""
        data = super().clean()
        for problem in advice_problems(
            outcome=data.get("outcome", ""),
            motivation=data.get("motivation", ""),
            conditions=data.get("conditions", ""),
        ):
            if problem.field not in self.errors:
                self.add_error(problem.field, problem.message)
        return data
