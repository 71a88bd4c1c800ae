"""Forms of the review's variable list (/reviews/<pk>/variables/): filters, bulk and one variable.

They collect input; the rules live in reviews.judgements, whose refusals (DomainError with a
``field``) come back here as errors on the field they name.
"""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from register.forms import (
    BulkScopeMixin,
    ErrorSummaryMixin,
    VariableIdsField,
    bulk_scope_field,
)

from .constants import Verdict
from .judgements import VariableFilters, judgement_problems

NOT_JUDGED = "none"


class VariableFilterForm(forms.Form):
    """The filters of the variable list (GET). An invalid value is shown as an error and ignored.

    "Changed since the first review" is offered only in a review that has a first review to
    compare with (``with_changes``).
    """

    label_suffix = ""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        help_text=_("On code or name."),
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    judgement = forms.ChoiceField(
        label=_("Judgement"),
        required=False,
        choices=[("", _("any")), (NOT_JUDGED, _("not yet judged")), *Verdict.choices],
    )
    plus = forms.BooleanField(label=_("Plus set only"), required=False)
    personal = forms.BooleanField(
        label=_("Personal data only (directly or indirectly identifying)"), required=False
    )
    quasi = forms.BooleanField(label=_("Quasi-identifiers only"), required=False)
    changed = forms.BooleanField(label=_("Changed since the first review"), required=False)

    def __init__(self, *args, with_changes: bool = False, **kwargs):
        kwargs.setdefault("auto_id", "filter_%s")
        super().__init__(*args, **kwargs)
        if not with_changes:
            del self.fields["changed"]

    def filters(self) -> VariableFilters:
        """The valid filters, for reviews.judgements.review_variables."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        judgement = data.get("judgement") or ""
        return VariableFilters(
            search=data.get("q") or "",
            plus_only=bool(data.get("plus")),
            personal_only=bool(data.get("personal")),
            quasi_only=bool(data.get("quasi")),
            changed_only=bool(data.get("changed")),
            unjudged_only=judgement == NOT_JUDGED,
            verdict=judgement if judgement in Verdict.values else "",
        )

    @property
    def checkboxes(self):
        return [
            self[name] for name in ("plus", "personal", "quasi", "changed") if name in self.fields
        ]


def _nps_field(label, help_text) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class _JudgementFields(ErrorSummaryMixin, forms.Form):
    label_suffix = ""

    verdict = forms.ChoiceField(
        label=_("Judgement"),
        choices=Verdict.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose accept, reject or question.")},
    )
    necessity = _nps_field(_("Necessity"), _("Is the variable needed for the registry's purposes?"))
    proportionality = _nps_field(
        _("Proportionality"),
        _("Does its use weigh up against the burden and the privacy risk?"),
    )
    subsidiarity = _nps_field(
        _("Subsidiarity"), _("Is there no less intrusive way to the same end?")
    )

    def clean(self):
        """Show every problem at once; the service applies the same rules when recording."""
        data = super().clean()
        if "verdict" in self.errors:
            return data
        for problem in judgement_problems(
            verdict=data.get("verdict", ""),
            necessity=data.get("necessity", ""),
            proportionality=data.get("proportionality", ""),
            subsidiarity=data.get("subsidiarity", ""),
        ):
            if problem.field not in self.errors:
                self.add_error(problem.field, problem.message)
        return data

    def judgement(self) -> dict:
        """The verdict and motivation, as keyword arguments of the judgement services."""
        return {
            name: self.cleaned_data.get(name, "")
            for name in ("verdict", "necessity", "proportionality", "subsidiarity")
        }


class JudgementForm(_JudgementFields):
    """The committee's judgement of one variable, with its NPS motivation.

    ``variable`` carries the id of the variable the page showed: if the registry submitted a
    revised version in the meantime, the service refuses it by name instead of judging another.
    """

    variable = forms.IntegerField(widget=forms.HiddenInput, required=False)
    field_order = ["variable", "verdict", "necessity", "proportionality", "subsidiarity"]

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "judgement_%s")
        super().__init__(*args, **kwargs)

    def clean(self):
        data = super().clean()
        if not data.get("variable"):
            # A hidden input has no place to show an error: the form says it.
            self.errors.pop("variable", None)
            self.add_error(
                None, _("The form does not say which variable it judges; open the page again.")
            )
        return data

    def add_domain_error(self, error) -> None:
        """A refusal about the variable itself is the form's, not the hidden input's."""
        if getattr(error, "field", None) == "variable":
            self.add_error(None, error.message)
        else:
            super().add_domain_error(error)


class JudgementBulkForm(BulkScopeMixin, _JudgementFields):
    """One judgement for many variables: the rows selected on the page, or all matching."""

    def whole_table_label(self, count: int) -> str:
        return ngettext(
            "the %(count)s variable of the version under review",
            "all %(count)s variables of the version under review",
            count,
        )

    no_selection_message = _(
        "Select at least one variable in the table, or judge all variables matching the filter."
    )
    variables = VariableIdsField(label=_("Variables"), required=False)
    scope = bulk_scope_field(_("Choose which variables to judge."))
    field_order = ["variables", "scope", "verdict", "necessity", "proportionality", "subsidiarity"]

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "bulk_%s")
        super().__init__(*args, **kwargs)
