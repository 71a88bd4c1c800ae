"""The dossier check page (/dossiers/<acronym>/versions/<number>/check/) for registry staff.

A read-only view of register.checks.dossier_check for one review stage: standards coverage,
then the blocking findings and the warnings, each linking to where it can be fixed. Many
findings of one rule (a large table without code systems) collapse into one list of codes.
Submission itself is not blocked here; see services.dataset_version_submit.
"""

from dataclasses import dataclass, field
from urllib.parse import quote, urlencode

from django import forms
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from .checks import BLOCKING, WARNING, Finding, dossier_check
from .constants import SubmissionStage
from .models import DatasetVersion, Registry
from .views_dossiers import _registry_or_404, _version_or_404, registry_staff_required

DEFAULT_STAGE = SubmissionStage.SUPPLEMENTARY

# From this many findings of one rule on, they show as one heading with a list of codes.
GROUP_FROM = 5

# Headings for a group of findings of one rule.
RULE_TITLES = {
    "direct_identifier": gettext_lazy("Direct identifiers requested in the clear"),
    "no_purpose": gettext_lazy("Variables without a purpose"),
    "no_necessity": gettext_lazy("Variables without a necessity text"),
    "plus_without_instrument": gettext_lazy(
        "Plus-set variables whose purposes lack further development of the measurement instrument"
    ),
    "birth_date": gettext_lazy("Birth dates where the birth year may do"),
    "postcode_6": gettext_lazy("Full postcodes where postcode-4 may do"),
    "no_code_system": gettext_lazy("Variables not bound to a code system"),
    "not_in_ehr": gettext_lazy("Variables not recorded in the EHR"),
}


class CheckStageForm(forms.Form):
    stage = forms.ChoiceField(label=gettext_lazy("Review stage"), choices=SubmissionStage.choices)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.auto_id = "check_%s"


@dataclass
class Item:
    """One finding shown on its own, with the link to where it can be fixed."""

    finding: Finding
    url: str
    link_text: str
    is_group = False


@dataclass
class Group:
    """Many findings of one rule: one heading, the codes as links."""

    rule: str
    title: str
    items: list[Item] = field(default_factory=list)
    is_group = True


@dataclass
class Section:
    severity: str
    entries: list  # of Item and Group, in the order of the first finding of each
    count: int


def _variable_url(registry: Registry, version: DatasetVersion, code: str) -> str:
    """The variable's edit page on a draft, else its row in the (searched) version table."""
    if not version.is_locked:
        return reverse(
            "dossiers:variable_edit",
            kwargs={"acronym": registry.acronym, "number": version.number, "code": code},
        )
    url = reverse(
        "dossiers:version_detail", kwargs={"acronym": registry.acronym, "number": version.number}
    )
    return f"{url}?{urlencode({'q': code})}#variable-{quote(code, safe='')}"


def _item(registry: Registry, version: DatasetVersion, finding: Finding) -> Item:
    if finding.variable_code:
        code = finding.variable_code
        url = _variable_url(registry, version, code)
        if version.is_locked:
            return Item(finding, url, _("Show %(code)s in the table") % {"code": code})
        return Item(finding, url, _("Edit %(code)s") % {"code": code})
    if finding.document_kind:
        url = reverse("dossiers:document_add", kwargs={"acronym": registry.acronym})
        return Item(finding, url, _("Upload a document"))
    url = reverse(
        "dossiers:version_detail", kwargs={"acronym": registry.acronym, "number": version.number}
    )
    if finding.rule == "pseudonym_b":
        return Item(finding, url + "#pseudonyms", _("Go to the pseudonym requests"))
    return Item(finding, url + "#accountability-table", _("Go to the accountability table"))


def _section(registry, version, severity: str, findings: list[Finding]) -> Section:
    per_rule: dict[str, int] = {}
    for finding in findings:
        if finding.variable_code:
            per_rule[finding.rule] = per_rule.get(finding.rule, 0) + 1
    entries: list = []
    groups: dict[str, Group] = {}
    for finding in findings:
        item = _item(registry, version, finding)
        rule = finding.rule
        if finding.variable_code and rule in RULE_TITLES and per_rule[rule] >= GROUP_FROM:
            if rule not in groups:
                groups[rule] = Group(rule, RULE_TITLES[rule])
                entries.append(groups[rule])
            groups[rule].items.append(item)
        else:
            entries.append(item)
    return Section(severity, entries, len(findings))


@require_GET
@registry_staff_required
def version_check(request, acronym: str, number: int):
    registry = _registry_or_404(request.user, acronym)
    version = _version_or_404(registry, number)
    form = CheckStageForm({"stage": request.GET.get("stage", DEFAULT_STAGE)})
    if not form.is_valid():  # an unknown stage: show the default one
        form = CheckStageForm({"stage": DEFAULT_STAGE})
        form.is_valid()
    stage = form.cleaned_data["stage"]
    report = dossier_check(dataset_version=version, stage=stage)
    return render(
        request,
        "register/version_check.html",
        {
            "registry": registry,
            "version": version,
            "editable": not version.is_locked,
            "form": form,
            "stage_label": SubmissionStage(stage).label,
            "report": report,
            "sections": [
                _section(registry, version, BLOCKING, report.blocking),
                _section(registry, version, WARNING, report.warnings),
            ],
        },
    )
