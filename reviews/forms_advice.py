"""Forms of the advice: they collect input; the rules live in reviews.advice."""

from django import forms
from django.utils.translation import gettext_lazy as _

from register.forms import ErrorSummaryMixin

from .advice import advice_problems
from .constants import AdviceOutcome, Position


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class AdviceDraftForm(ErrorSummaryMixin, forms.Form):
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
    reaction_deadline = forms.DateField(
        label=_("Reaction deadline"),
        widget=DateInput(),
        help_text=_(
            "The registry may react until this date. Without a reaction the draft becomes "
            "definitive after it."
        ),
        error_messages={
            "required": _("Give the date until which the registry may react."),
            "invalid": _("Enter the reaction deadline as a date, for example 2026-12-31."),
        },
    )

    def clean(self):
        """Show every problem at once; the service applies the same rules when it records."""
        data = super().clean()
        for problem in advice_problems(
            outcome=data.get("outcome", ""),
            motivation=data.get("motivation", ""),
            conditions=data.get("conditions", ""),
        ):
            if problem.field not in self.errors:
                self.add_error(problem.field, problem.message)
        return data


class PositionForm(ErrorSummaryMixin, forms.Form):
    label_suffix = ""

    position = forms.ChoiceField(
        label=_("Your position on the draft advice"),
        choices=[(Position.AGREE, _("I agree")), (Position.DISAGREE, _("I disagree"))],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose whether you agree with the draft.")},
    )
    note = forms.CharField(
        label=_("Note for the committee"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Internal to the committee; the registry never sees it."),
    )


class ConflictForm(ErrorSummaryMixin, forms.Form):
    label_suffix = ""

    reason = forms.CharField(
        label=_("Conflict of interest"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Describe your interest. From then on you do not take part in this review and can "
            "no longer open it."
        ),
        error_messages={"required": _("Describe the conflict of interest.")},
    )


class ReactionForm(ErrorSummaryMixin, forms.Form):
    label_suffix = ""

    reaction = forms.CharField(
        label=_("Your reaction to the draft advice"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("The committee weighs your reaction before it concludes its advice."),
        error_messages={"required": _("Write your reaction to the draft advice.")},
    )
