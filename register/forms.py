"""Forms of the registry staff's area (/dossiers/) and Zorginstituut's (/decisions/).

They collect and shape input; the rules live in register.services, whose refusals
(DomainError with a ``field``) come back here as errors on the field they name.
"""

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from .constants import (
    CodeSystem,
    DataType,
    DecisionOutcome,
    DocumentKind,
    EhrSource,
    PersonalDataClass,
    PseudonymType,
    Purpose,
    RequirementSet,
    SubmissionStage,
)
from .documents import document_file_check
from .exceptions import DomainError
from .models import ProviderCategory, code_validator

REQUIREMENT_PREFIX = "req_"


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


# --- Uploads ---------------------------------------------------------------------------------


def validate_document_file(upload) -> None:
    """Early feedback in the form; the rule itself is register.documents (enforced by the service)."""
    try:
        document_file_check(upload)
    except DomainError as error:
        raise ValidationError(error.message, code="invalid_document") from None


class DocumentFileField(forms.FileField):
    default_validators = [validate_document_file]

    def __init__(self, **kwargs):
        kwargs.setdefault(
            "help_text",
            _("PDF, DOCX, XLSX or ODT, at most %(limit)s.")
            % {"limit": filesizeformat(settings.MAX_UPLOAD_BYTES)},
        )
        super().__init__(**kwargs)

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs["accept"] = ".pdf,.docx,.xlsx,.odt"
        return attrs


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleDocumentFileField(DocumentFileField):
    def __init__(self, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


# --- Dataset versions ------------------------------------------------------------------------


class VariableSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Search variables"),
        required=False,
        max_length=100,
        help_text=_("On code or name."),
        widget=forms.TextInput(attrs={"type": "search"}),
    )


class VariableForm(ErrorSummaryMixin, forms.Form):
    """A variable with one base/plus/not-requested select per provider category."""

    code = forms.CharField(
        label=_("Code"),
        max_length=64,
        validators=[code_validator],
        help_text=_("Stable across versions. Letters, digits, '.', '_' or '-'."),
        error_messages={"required": _("Enter the variable's code.")},
    )
    name = forms.CharField(
        label=_("Name"),
        max_length=300,
        error_messages={"required": _("Enter the variable's name.")},
    )
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    data_type = forms.ChoiceField(
        label=_("Data type"), choices=DataType.choices, initial=DataType.TEXT
    )
    unit = forms.CharField(label=_("Unit"), max_length=50, required=False)
    code_system = forms.ChoiceField(
        label=_("Code system"), choices=CodeSystem.choices, initial=CodeSystem.NONE
    )
    code_system_code = forms.CharField(
        label=_("Code in code system"), max_length=100, required=False
    )
    purposes = forms.MultipleChoiceField(
        label=_("Purposes"),
        choices=Purpose.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    personal_data = forms.ChoiceField(
        label=_("Personal data"), choices=PersonalDataClass.choices, initial=PersonalDataClass.NONE
    )
    generalisation = forms.CharField(
        label=_("Generalisation"),
        max_length=200,
        required=False,
        help_text=_("For example birth year instead of birth date, or postcode-4."),
    )
    necessity = forms.CharField(
        label=_("Necessity"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    proportionality = forms.CharField(
        label=_("Proportionality"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    subsidiarity = forms.CharField(
        label=_("Subsidiarity"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    ehr_source = forms.ChoiceField(
        label=_("Source in EHR"), choices=EhrSource.choices, initial=EhrSource.YES
    )
    # Not an input of its own: the provider-category selects below; it carries their errors.
    requirements = forms.CharField(
        label=_("Provider categories"), required=False, widget=forms.HiddenInput
    )

    REQUIREMENT_CHOICES = [("", _("not requested")), *RequirementSet.choices]

    def __init__(self, *args, variable=None, categories=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.variable = variable
        self.categories = list(
            categories if categories is not None else ProviderCategory.objects.all()
        )
        cells = {}
        if variable is not None and not self.is_bound:
            cells = dict(variable.requirements.values_list("provider_category__code", "set"))
        for category in self.categories:
            self.fields[REQUIREMENT_PREFIX + category.code] = forms.ChoiceField(
                label=f"{category.code} — {category.name}",
                choices=self.REQUIREMENT_CHOICES,
                required=False,
                initial=cells.get(category.code, ""),
            )

    def requirement_fields(self):
        return [self[REQUIREMENT_PREFIX + c.code] for c in self.categories]

    def variable_fields(self):
        return [
            self[name]
            for name in self.fields
            if name != "requirements" and not name.startswith(REQUIREMENT_PREFIX)
        ]

    def clean(self):
        cleaned = super().clean()
        requirements = {
            c.code: cleaned.get(REQUIREMENT_PREFIX + c.code) or "" for c in self.categories
        }
        # A category posted that does not exist (any more) goes to the service, which refuses it.
        known = {c.code for c in self.categories}
        for key, value in self.data.items():
            if (
                key.startswith(REQUIREMENT_PREFIX)
                and key[len(REQUIREMENT_PREFIX) :] not in known
                and value
            ):
                requirements[key[len(REQUIREMENT_PREFIX) :]] = value
        cleaned["requirement_cells"] = requirements
        return cleaned

    def service_data(self) -> dict:
        from .services import VARIABLE_FIELDS

        return {name: self.cleaned_data[name] for name in VARIABLE_FIELDS}


class IndicatorForm(ErrorSummaryMixin, forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=64,
        validators=[code_validator],
        error_messages={"required": _("Enter the indicator's code.")},
    )
    name = forms.CharField(
        label=_("Name"),
        max_length=300,
        error_messages={"required": _("Enter the indicator's name.")},
    )
    kind = forms.CharField(
        label=_("Kind"),
        max_length=100,
        required=False,
        help_text=_("For example process, outcome or structure."),
    )
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    variables = forms.MultipleChoiceField(
        label=_("Variables"),
        required=False,
        help_text=_(
            "The variables the indicator is computed from. Hold Ctrl (or Cmd) to choose several."
        ),
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )

    def __init__(self, *args, variable_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["variables"].choices = [
            (code, f"{code} — {name}") for code, name in variable_choices
        ]
        self.auto_id = "indicator_%s"


class PseudonymRequestForm(ErrorSummaryMixin, forms.Form):
    type = forms.ChoiceField(label=_("Pseudonym type"), choices=[("", "—"), *PseudonymType.choices])
    justification = forms.CharField(
        label=_("Justification"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Why the registry needs this pseudonym (linkage over time, between registries, feedback)."
        ),
        error_messages={"required": _("Give the justification for this pseudonym.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.auto_id = "pseudonym_%s"
        self.fields["type"].error_messages["required"] = _("Choose a pseudonym type.")


class SubmitForm(ErrorSummaryMixin, forms.Form):
    stage = forms.ChoiceField(
        label=_("Review stage"),
        choices=[("", "—"), *SubmissionStage.choices],
        error_messages={"required": _("Choose the review stage.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.auto_id = "submit_%s"


DOSSIER_DOCUMENT_KINDS = [
    (value, label)
    for value, label in DocumentKind.choices
    if value not in {DocumentKind.APPLICATION_FORM, DocumentKind.EVIDENCE}
]


class DocumentForm(ErrorSummaryMixin, forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[("", "—"), *DOSSIER_DOCUMENT_KINDS],
        error_messages={"required": _("Choose the kind of document.")},
    )
    title = forms.CharField(
        label=_("Title"), max_length=200, error_messages={"required": _("Enter a title.")}
    )
    file = DocumentFileField(
        label=_("File"), error_messages={"required": _("Choose a file to upload.")}
    )
    confidential = forms.BooleanField(
        label=_("Confidential"),
        required=False,
        help_text=_(
            "Only the registry, the committees reviewing it and Zorginstituut can read it."
        ),
    )


class DocumentReplaceForm(ErrorSummaryMixin, forms.Form):
    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        required=False,
        help_text=_("Leave empty to keep the current title."),
    )
    file = DocumentFileField(
        label=_("New version"), error_messages={"required": _("Choose a file to upload.")}
    )


class ApplicationForm(ErrorSummaryMixin, forms.Form):
    application_form = DocumentFileField(
        label=_("Application form"),
        error_messages={"required": _("Attach the application form.")},
    )
    evidence = MultipleDocumentFileField(
        label=_("Supporting evidence"),
        required=False,
    )


# --- Zorginstituut ---------------------------------------------------------------------------


class DecisionForm(ErrorSummaryMixin, forms.Form):
    outcome = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            (DecisionOutcome.INCLUDE.value, _("include in the register")),
            (DecisionOutcome.REFUSE.value, _("refuse")),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose include or refuse.")},
    )
    reasoning = forms.CharField(
        label=_("Reasoning"),
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_(
            "The legal criteria and the advice the decision rests on; it appears in the letter."
        ),
        error_messages={"required": _("Give the reasoning for the decision.")},
    )
    effective_from = forms.DateField(
        label=_("Effective from"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("From this date providers must deliver the dataset (for an inclusion)."),
        error_messages={
            "required": _("Enter the date the decision takes effect."),
            "invalid": _("Enter a date such as 2026-12-01."),
        },
    )


# --- Editing the accountability table at real size -------------------------------------------

TABLE_PAGE_SIZES = [50, 100, 200]
BULK_SELECTED, BULK_MATCHING = "selected", "matching"
BULK_MAX_SELECTED = 1000  # more than a page holds; "all matching" covers any number


class TableFilterForm(forms.Form):
    """The bulk editor's filters (GET). An invalid value is shown as an error and ignored."""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        help_text=_("On code or name."),
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    purpose = forms.ChoiceField(
        label=_("Purpose"), required=False, choices=[("", _("any purpose")), *Purpose.choices]
    )
    personal_data = forms.ChoiceField(
        label=_("Personal data"),
        required=False,
        choices=[("", _("any")), *PersonalDataClass.choices],
    )
    requested = forms.ChoiceField(
        label=_("Requested as"),
        required=False,
        choices=[
            ("", _("anything")),
            ("requested", _("base or plus set")),
            (RequirementSet.BASE.value, _("base set")),
            (RequirementSet.PLUS.value, _("plus set")),
            ("none", _("not requested")),
        ],
    )
    category = forms.ChoiceField(
        label=_("In provider category"),
        required=False,
        help_text=_("Without a choice in “Requested as”: variables requested for this category."),
    )
    per_page = forms.TypedChoiceField(
        label=_("Rows per page"),
        required=False,
        coerce=int,
        empty_value=TABLE_PAGE_SIZES[0],
        choices=[(size, str(size)) for size in TABLE_PAGE_SIZES],
    )

    def __init__(self, *args, categories=(), **kwargs):
        kwargs.setdefault("auto_id", "filter_%s")
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [
            ("", _("any category")),
            *[(c.code, f"{c.code} — {c.name}") for c in categories],
        ]

    def filters(self) -> dict:
        """The valid filters, as keyword arguments of selectors.version_variables_filtered."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {
            "search": data.get("q") or "",
            "purpose": data.get("purpose") or "",
            "personal_data": data.get("personal_data") or "",
            "requested": data.get("requested") or "",
            "category": data.get("category") or "",
        }

    def page_size(self) -> int:
        self.is_valid()
        return getattr(self, "cleaned_data", {}).get("per_page") or TABLE_PAGE_SIZES[0]

    def is_filtered(self) -> bool:
        return any(self.filters().values())


class VariableIdsField(forms.Field):
    """The row checkboxes of the grid (name ``variables``, value the variable's id). The
    template draws them in the table; which version they belong to is the service's check."""

    widget = forms.CheckboxSelectMultiple  # reads a list; gives the error summary its anchor

    def to_python(self, value):
        if not value:
            return []
        try:
            ids = sorted({int(item) for item in value})
        except (TypeError, ValueError):
            raise ValidationError(_("Choose variables from the table."), code="invalid") from None
        if len(ids) > BULK_MAX_SELECTED:
            raise ValidationError(
                _(
                    "Choose at most %(max)s variables, or apply the change to all variables matching the filter."
                )
                % {"max": BULK_MAX_SELECTED},
                code="too_many",
            )
        return ids


class BulkScopeMixin:
    """A bulk form's scope: the rows selected on the page, or all variables matching the filter.

    Subclasses give ``whole_table_label(count)`` (the label for an unfiltered table, with
    ``%(count)s``) and ``no_selection_message``.
    """

    no_selection_message: str

    def __init__(self, *args, filter_valid: bool = True, **kwargs):
        # "All matching" with an invalid filter would reach every variable of the table: the
        # form refuses it instead of dropping the bad filter silently.
        self.filter_valid = filter_valid
        super().__init__(*args, **kwargs)

    def whole_table_label(self, count: int) -> str:
        raise NotImplementedError

    def set_matching_count(self, count: int, *, filtered: bool) -> None:
        """Name in the label of "all matching" how many variables it covers."""
        from django.utils.translation import ngettext

        if filtered:
            label = ngettext(
                "the %(count)s variable matching the filter",
                "all %(count)s variables matching the filter",
                count,
            )
        else:
            label = self.whole_table_label(count)
        self.fields["scope"].choices = [
            (BULK_SELECTED, _("the variables selected in the table")),
            (BULK_MATCHING, label % {"count": count}),
        ]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("scope") == BULK_SELECTED and not cleaned.get("variables"):
            if "variables" not in self.errors:
                self.add_error("variables", self.no_selection_message)
        if cleaned.get("scope") == BULK_MATCHING and not self.filter_valid:
            self.add_error(
                "scope",
                _(
                    "The filter above is not valid, so “all matching” cannot be applied: correct "
                    "the filter first. Nothing has been changed."
                ),
            )
        return cleaned


def bulk_scope_field(required_message: str) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=_("Apply to"),
        choices=[
            (BULK_SELECTED, _("the variables selected in the table")),
            (BULK_MATCHING, _("all variables matching the filter")),
        ],
        initial=BULK_SELECTED,
        widget=forms.RadioSelect,
        error_messages={"required": required_message},
    )


class TableBulkForm(BulkScopeMixin, ErrorSummaryMixin, forms.Form):
    """Set base / plus / not requested for many variables × provider categories at once."""

    def whole_table_label(self, count: int) -> str:
        from django.utils.translation import ngettext

        return ngettext(
            "the %(count)s variable of this version",
            "all %(count)s variables of this version",
            count,
        )

    no_selection_message = _(
        "Select at least one variable in the table, or apply the change to all variables matching the filter."
    )
    variables = VariableIdsField(label=_("Variables"), required=False)
    scope = bulk_scope_field(_("Choose which variables to change."))
    categories = forms.MultipleChoiceField(
        label=_("Provider categories"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one provider category.")},
    )
    value = forms.ChoiceField(
        label=_("Set to"),
        choices=[
            (RequirementSet.BASE.value, _("base set")),
            (RequirementSet.PLUS.value, _("plus set")),
            ("none", _("not requested")),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose base set, plus set or not requested.")},
    )

    def __init__(self, *args, categories=(), **kwargs):
        kwargs.setdefault("auto_id", "bulk_%s")
        super().__init__(*args, **kwargs)
        self.fields["categories"].choices = [(c.code, f"{c.code} — {c.name}") for c in categories]

    def service_value(self) -> str:
        """The value for services.requirements_bulk_set: "" means not requested."""
        value = self.cleaned_data["value"]
        return "" if value == "none" else value
