"""Forms of the committees' area. They collect input; the rules live in reviews.services."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from register.exceptions import DomainError

from .constants import AdviceOutcome, ReviewStatus
from .services import advice_problems


class ErrorSummaryMixin:
    """An error summary that names each field and links to its input (WCAG 3.3.1)."""

    def error_summary(self) -> list[dict]:
        items = [{"anchor": "", "label": "", "message": error} for error in self.non_field_errors()]
        for name, field in self.fields.items():
            bound = self[name]
            anchor = bound.auto_id
            if isinstance(field.widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
                anchor = f"{anchor}_0"  # the first option: the group has no single input
            for error in bound.errors:
                items.append({"anchor": anchor, "label": bound.label, "message": error})
        return items

    def add_domain_error(self, error: DomainError | ValidationError) -> None:
        """A refusal from a service becomes a form error on the field it names."""
        if isinstance(error, ValidationError):
            if hasattr(error, "error_dict"):
                for name, messages in error.message_dict.items():
                    self.add_error(name if name in self.fields else None, messages)
            else:
                self.add_error(None, error.messages)
            return
        field = error.field if error.field in self.fields else None
        self.add_error(field, error.message)


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
