"""Forms of the clarification rounds: they collect input, reviews.clarifications has the rules.

The committee's form has a row per question (a formset); "Add another question" is a submit
button that returns the form with one more empty row, so no JavaScript is needed.
"""

from django import forms
from django.forms import formset_factory
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from register.exceptions import DomainError
from register.forms import ErrorSummaryMixin

from .clarifications import MAX_QUESTIONS

QUESTION_ROWS = 3
QUESTIONS_PREFIX = "questions"


class ClarificationDeadlineForm(ErrorSummaryMixin, forms.Form):
    label_suffix = ""

    deadline = forms.DateField(
        label=_lazy("Deadline for the answers"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d", "%d-%m-%Y"],
        help_text=_lazy(
            "A date after today. The review clock stops until the registry answers; late "
            "answers are accepted and marked late."
        ),
        error_messages={
            "required": _lazy("Enter the deadline for the answers."),
            "invalid": _lazy("Enter the deadline as a date, for example 31-12-2026."),
        },
    )


class QuestionForm(forms.Form):
    label_suffix = ""

    text = forms.CharField(
        label=_lazy("Question"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    variable_code = forms.CharField(
        label=_lazy("About variable (code, optional)"),
        required=False,
        max_length=64,
        help_text=_lazy("The code of a variable of the version under review, e.g. LEEFTIJD."),
    )


QuestionFormSet = formset_factory(
    QuestionForm,
    extra=QUESTION_ROWS,
    max_num=MAX_QUESTIONS,
    absolute_max=MAX_QUESTIONS,
)


def question_formset(data=None, *, rows: list[dict] | None = None, extra: int = QUESTION_ROWS):
    """Bound to ``data``; or unbound, holding ``rows`` and ``extra`` empty rows after them."""
    if data is not None:
        return QuestionFormSet(data, prefix=QUESTIONS_PREFIX)
    factory = formset_factory(
        QuestionForm, extra=extra, max_num=MAX_QUESTIONS, absolute_max=MAX_QUESTIONS
    )
    return factory(initial=rows or [], prefix=QUESTIONS_PREFIX)


def posted_question_rows(data) -> list[dict]:
    """The question rows of a POST, as typed (for "add another question": nothing validated)."""
    try:
        total = int(data.get(f"{QUESTIONS_PREFIX}-TOTAL_FORMS", 0))
    except (TypeError, ValueError):
        total = 0
    rows = []
    for n in range(min(max(total, 0), MAX_QUESTIONS)):
        rows.append(
            {
                "text": data.get(f"{QUESTIONS_PREFIX}-{n}-text", ""),
                "variable_code": data.get(f"{QUESTIONS_PREFIX}-{n}-variable_code", ""),
            }
        )
    return rows


def formset_rows(formset) -> list[dict]:
    """The cleaned rows of a valid formset, in order (empty rows included: the service skips
    them, and its messages count rows as the form shows them)."""
    return [
        {
            "text": form.cleaned_data.get("text", ""),
            "variable_code": form.cleaned_data.get("variable_code", ""),
        }
        for form in formset.forms
    ]


def add_send_problems(form, formset, problems: list[DomainError]) -> None:
    """Put the service's problems on the fields they name (``questions-<row>-<field>``)."""
    for problem in problems:
        field = problem.field or ""
        if field.startswith(f"{QUESTIONS_PREFIX}-"):
            _prefix, row, name = field.split("-", 2)
            question_form = formset.forms[int(row)] if int(row) < len(formset.forms) else None
            if question_form is not None and name in question_form.fields:
                question_form.add_error(name, problem.message)
                continue
        if field == QUESTIONS_PREFIX and formset.forms:
            formset.forms[0].add_error("text", problem.message)
            continue
        form.add_error(field if field in form.fields else None, problem.message)


def send_error_summary(form, formset) -> list[dict]:
    """One error summary for the deadline and every question row, each linking to its input."""
    items = form.error_summary() if form.is_bound else []
    if formset.is_bound:
        for error in formset.non_form_errors():
            items.append({"anchor": "", "label": "", "message": error})
        for n, question_form in enumerate(formset.forms, start=1):
            for name in ("text", "variable_code"):
                for error in question_form.errors.get(name, []):
                    label = (
                        _("Question %(number)d") % {"number": n}
                        if name == "text"
                        else _("Question %(number)d, variable code") % {"number": n}
                    )
                    items.append(
                        {
                            "anchor": question_form[name].auto_id,
                            # The service's messages name the question already.
                            "label": "" if str(error).startswith(label.split(",")[0]) else label,
                            "message": error,
                        }
                    )
    return items


class ClarificationCloseForm(ErrorSummaryMixin, forms.Form):
    """The committee closes an open round without answers once its deadline has passed."""

    label_suffix = ""

    # Not required here: the service names a missing reason.
    reason = forms.CharField(
        label=_lazy("Reason for closing the round without answers"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_lazy(
            "The registry sees this reason on its page. The review clock runs again from today."
        ),
    )


class ClarificationAnswerForm(ErrorSummaryMixin, forms.Form):
    """The registry's answers to one round: a field per question, and an optional revised
    version (one of its drafts)."""

    label_suffix = ""

    def __init__(self, *args, request, questions, draft_versions, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = questions
        for question in questions:
            name = f"answer_{question.pk}"
            self.fields[name] = forms.CharField(
                label=_("Your answer to question %(number)d") % {"number": question.position},
                required=False,
                initial=question.answer,
                widget=forms.Textarea(
                    attrs={"rows": 5, "aria-describedby": f"question-{question.pk}-text"}
                ),
            )
            question.field_name = name
        self.fields["revised_version"] = forms.ModelChoiceField(
            label=_("Revised dataset version (optional)"),
            queryset=draft_versions,
            required=False,
            initial=request.revised_version_id,
            empty_label=_("No revised version: answers only"),
            help_text=_(
                "A draft version of your accountability table to submit with your answers. It "
                "is checked as a submission is and then locked; the committees continue on it."
            ),
        )
        self.fields["revised_version"].label_from_instance = lambda version: (
            _("Version %(number)s (draft)") % {"number": version.number}
        )

    def answer_fields(self):
        return [(question, self[question.field_name]) for question in self.questions]

    def answers(self) -> dict[int, str]:
        return {
            question.pk: self.cleaned_data.get(question.field_name, "")
            for question in self.questions
        }
