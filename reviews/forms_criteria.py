"""Forms of the criteria pages. They collect input; the rules live in reviews.criteria, whose
problems (each naming the criterion or row and the field) come back here as field errors."""

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from register.forms import ErrorSummaryMixin

from .constants import CommitteeCode, CriterionRating
from .criteria import (
    MINIMUM_MET_REQUIRED,
    RATING_REQUIRED,
    CriteriaSummary,
    assessment_problems,
    catalogue_problems,
)

YES_NO = [("yes", gettext_lazy("yes")), ("no", gettext_lazy("no"))]


class CriteriaAssessmentForm(ErrorSummaryMixin, forms.Form):
    """Every criterion of the review's catalogue in one form; one save for all.

    Per criterion: IGC a rating, DGC whether the minimum is met and a growth-path note; both a
    motivation. A criterion left entirely blank is not assessed yet (it is skipped).
    """

    label_suffix = ""

    def __init__(self, *args, summary: CriteriaSummary, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.summary = summary
        self.igc = summary.committee_code == CommitteeCode.IGC
        self.entries: list[dict] = []
        for row in summary.rows:
            criterion, assessment = row.criterion, row.assessment
            prefix = self.prefix_for(criterion)
            if self.igc:
                self.fields[f"{prefix}rating"] = forms.ChoiceField(
                    label=_("Rating of %(code)s") % {"code": criterion.code},
                    choices=CriterionRating.choices,
                    widget=forms.RadioSelect,
                    required=False,
                    initial=assessment.rating if assessment else None,
                    error_messages={"invalid_choice": RATING_REQUIRED % {"code": criterion.code}},
                )
            else:
                met = None if assessment is None else assessment.minimum_met
                self.fields[f"{prefix}minimum_met"] = forms.ChoiceField(
                    label=_("%(code)s: minimum requirement met?") % {"code": criterion.code},
                    choices=YES_NO,
                    widget=forms.RadioSelect,
                    required=False,
                    initial={True: "yes", False: "no"}.get(met),
                    error_messages={
                        "invalid_choice": MINIMUM_MET_REQUIRED % {"code": criterion.code}
                    },
                )
                self.fields[f"{prefix}growth_path_note"] = forms.CharField(
                    label=_("Growth path for %(code)s") % {"code": criterion.code},
                    widget=forms.Textarea(attrs={"rows": 2}),
                    required=False,
                    initial=assessment.growth_path_note if assessment else "",
                    help_text=_("What the registry should grow towards, and by when."),
                )
            self.fields[f"{prefix}motivation"] = forms.CharField(
                label=_("Motivation for %(code)s") % {"code": criterion.code},
                widget=forms.Textarea(attrs={"rows": 3}),
                required=False,
                initial=assessment.motivation if assessment else "",
            )

    @staticmethod
    def prefix_for(criterion) -> str:
        return f"c{criterion.pk}_"

    def rows(self) -> list[dict]:
        """Per criterion: the verdict row and its bound fields, for the template."""
        result = []
        for row in self.summary.rows:
            prefix = self.prefix_for(row.criterion)
            fields = {
                name: self[prefix + name]
                for name in ("rating", "minimum_met", "growth_path_note", "motivation")
                if prefix + name in self.fields
            }
            result.append(
                {"row": row, **fields, "has_errors": any(f.errors for f in fields.values())}
            )
        return result

    def clean(self):
        data = super().clean()
        self.entries = []
        for row in self.summary.rows:
            prefix = self.prefix_for(row.criterion)
            values = {
                "rating": data.get(prefix + "rating", ""),
                "minimum_met": data.get(prefix + "minimum_met", ""),
                "growth_path_note": data.get(prefix + "growth_path_note", ""),
                "motivation": data.get(prefix + "motivation", ""),
            }
            if not any((value or "").strip() for value in values.values()):
                continue  # not assessed yet
            minimum_met = {"yes": True, "no": False}.get(values["minimum_met"])
            for problem in assessment_problems(
                committee_code=self.summary.committee_code,
                criterion=row.criterion,
                rating=values["rating"],
                minimum_met=minimum_met,
            ):
                self.add_error(prefix + problem.field, problem.message)
            self.entries.append({"criterion": row.criterion, **values, "minimum_met": minimum_met})
        return data

    def add_problems(self, problems) -> None:
        """The service's refusal (reviews.criteria.AssessmentsInvalid) as field errors."""
        by_code = {row.criterion.code: row.criterion for row in self.summary.rows}
        for problem in problems:
            criterion = by_code.get(getattr(problem, "criterion_code", None))
            name = criterion and self.prefix_for(criterion) + (problem.field or "")
            self.add_error(name if name in self.fields else None, problem.message)

    def error_summary(self) -> list[dict]:
        """The messages name the criterion and the field themselves: no label before them."""
        return [{**item, "label": ""} for item in super().error_summary()]


# --- Catalogue editing (the secretariat) -------------------------------------------------------


class CatalogueNoteForm(ErrorSummaryMixin, forms.Form):
    label_suffix = ""

    note = forms.CharField(
        label=gettext_lazy("What changed in this version"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,  # reviews.criteria.catalogue_problems names it when empty
        help_text=gettext_lazy("Shown with the version, for the committees and the registries."),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class CriterionRowForm(forms.Form):
    """One criterion of the new version. Every rule (and its message naming the row and field)
    is in reviews.criteria.catalogue_problems, so the fields themselves require nothing."""

    label_suffix = ""

    code = forms.CharField(
        label=gettext_lazy("Code"),
        required=False,
        widget=forms.TextInput(attrs={"maxlength": 16, "size": 10}),
    )
    title = forms.CharField(
        label=gettext_lazy("Criterion"),
        required=False,
        widget=forms.TextInput(attrs={"maxlength": 300}),
    )
    description = forms.CharField(
        label=gettext_lazy("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    minimum_requirement = forms.CharField(
        label=gettext_lazy("Minimum requirement"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    growth_path = forms.CharField(
        label=gettext_lazy("Growth path"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    knockout = forms.BooleanField(
        label=gettext_lazy("Knock-out: not met makes a positive advice impossible"), required=False
    )
    position = forms.CharField(
        label=gettext_lazy("Order"),
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "size": 3}),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return not any(
            (data.get(name) or "").strip()
            for name in ("code", "title", "description", "minimum_requirement", "growth_path")
        )


class BaseCriterionFormSet(forms.BaseFormSet):
    """The criteria of the new version: prefilled rows, empty rows to add, delete to drop."""

    def clean(self):
        super().clean()
        if any(form.errors for form in self.forms):
            return
        self.kept = []  # (form, criterion dict) in the new order
        ordered = []
        for index, form in enumerate(self.forms):
            if self.can_delete and self._should_delete_form(form):
                continue
            if not form.has_changed() and index >= self.initial_form_count():
                continue  # an empty extra row
            if form.is_blank() and not form.cleaned_data.get("knockout"):
                continue  # a row emptied entirely is dropped too
            raw = (form.cleaned_data.get("position") or "").strip()
            position = None
            if raw:
                try:
                    position = int(raw)
                except ValueError:
                    form.add_error(
                        "position",
                        _("Row %(number)d — position: give a whole number.")
                        % {"number": index + 1},
                    )
                    continue
            ordered.append((position if position is not None else 10**9, index, form))
        ordered.sort(key=lambda item: (item[0], item[1]))
        for _position, index, form in ordered:
            data = form.cleaned_data
            self.kept.append(
                (
                    form,
                    index + 1,
                    {
                        "code": data.get("code", ""),
                        "title": data.get("title", ""),
                        "description": data.get("description", ""),
                        "minimum_requirement": data.get("minimum_requirement", ""),
                        "growth_path": data.get("growth_path", ""),
                        "knockout": bool(data.get("knockout")),
                    },
                )
            )

    @property
    def criteria(self) -> list[dict]:
        return [row for _form, _number, row in getattr(self, "kept", [])]

    def add_problems(self, problems) -> None:
        """reviews.criteria problems (with ``row``: index into ``criteria``) as field errors."""
        kept = getattr(self, "kept", [])
        for problem in problems:
            row = getattr(problem, "row", None)
            if row is not None and row < len(kept) and problem.field in kept[row][0].fields:
                kept[row][0].add_error(problem.field, problem.message)
            elif problem.field != "note":
                self._non_form_errors.append(problem.message)

    def check(self, note_form: CatalogueNoteForm) -> bool:
        """Apply the service's rules now, so every problem shows at once. True when none."""
        problems = catalogue_problems(
            self.criteria,
            note=note_form.cleaned_data.get("note", ""),
            row_numbers=[number for _form, number, _row in getattr(self, "kept", [])],
        )
        for problem in problems:
            if problem.field == "note":
                note_form.add_error("note", problem.message)
        self.add_problems(problems)
        return not problems

    def error_summary(self) -> list[dict]:
        items = [{"anchor": "", "message": error} for error in self.non_form_errors()]
        for form in self.forms:
            for name in form.fields:
                for error in form[name].errors:
                    items.append({"anchor": form[name].auto_id, "message": error})
        return items


CriterionFormSet = forms.formset_factory(
    CriterionRowForm, formset=BaseCriterionFormSet, extra=3, can_delete=True, can_delete_extra=False
)
