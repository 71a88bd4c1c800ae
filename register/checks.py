"""The dossier check: what blocks submission and what deserves a second look.

Rules come from DOMAIN.md (the accountability table, pseudonymisation, the supplementary
review) and the Dutch DPA's report on SBG (seeds/003): removing direct identifiers is not
anonymisation, and many quasi-identifiers together can single a person out.
"""

import re
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils.translation import gettext as _

from .constants import (
    CodeSystem,
    DocumentKind,
    EhrSource,
    PersonalDataClass,
    PseudonymType,
    Purpose,
    RequirementSet,
    SubmissionStage,
)
from .models import DatasetVersion, Document, Requirement

BLOCKING = "blocking"
WARNING = "warning"

# From this many quasi-identifiers on, the combination needs a strong justification.
QUASI_IDENTIFIER_LIMIT = 4

SUPPLEMENTARY_DOCUMENTS = [
    DocumentKind.DPIA,
    DocumentKind.DPIA_ASSESSMENT,
    DocumentKind.PARTICIPATION_AGREEMENT,
    DocumentKind.IMPLEMENTATION_PLAN,
]

BIRTH_DATE = re.compile(r"geboorte\s*datum|geboortedatum|birth\s*date|date of birth", re.I)
POSTCODE = re.compile(r"postcode|postal\s*code|zip", re.I)
POSTCODE_4 = re.compile(r"(pc|postcode|postal\s*code)[\s_-]*4|4\s*(cijfers|digits|positie)", re.I)


def quasi_identifier_q() -> Q:
    """The variables that are quasi-identifiers: indirectly identifying personal data.

    Removing direct identifiers is not anonymisation (the DPA's SBG report): combinations of
    these can single a person out, so the dossier check counts them and the committees filter
    on them (reviews.judgements).
    """
    return Q(personal_data=PersonalDataClass.QUASI)


def is_quasi_identifier(variable) -> bool:
    """``quasi_identifier_q`` for one variable in memory."""
    return variable.personal_data == PersonalDataClass.QUASI


@dataclass
class Finding:
    severity: str
    rule: str
    message: str
    variable_code: str = ""
    document_kind: str = ""


@dataclass
class CheckReport:
    findings: list[Finding] = field(default_factory=list)
    variable_count: int = 0
    coded_count: int = 0

    @property
    def blocking(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == BLOCKING]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == WARNING]

    @property
    def can_submit(self) -> bool:
        return not self.blocking

    @property
    def standards_coverage(self) -> int:
        """Share of variables bound to a code system, in whole percent."""
        return round(100 * self.coded_count / self.variable_count) if self.variable_count else 0


def dossier_check(*, dataset_version: DatasetVersion, stage: str) -> CheckReport:
    """Check a version before submission. A fixed number of queries, whatever the table size."""
    registry = dataset_version.registry
    report = CheckReport()
    add = report.findings.append

    requested = set(
        Requirement.objects.filter(variable__dataset_version=dataset_version).values_list(
            "variable_id", "set"
        )
    )
    plus_ids = {variable_id for variable_id, req_set in requested if req_set == RequirementSet.PLUS}
    quasi = []
    for variable in dataset_version.variables.order_by("code"):
        report.variable_count += 1
        code = variable.code
        purposes = set(variable.purposes or [])
        if variable.code_system != CodeSystem.NONE:
            report.coded_count += 1
        if variable.personal_data == PersonalDataClass.DIRECT:
            add(
                Finding(
                    BLOCKING,
                    "direct_identifier",
                    _(
                        "%(code)s is a direct identifier requested in the clear; providers deliver it pseudonymised at the source."
                    )
                    % {"code": code},
                    code,
                )
            )
        if not purposes:
            add(
                Finding(
                    BLOCKING, "no_purpose", _("%(code)s has no purpose.") % {"code": code}, code
                )
            )
        if not variable.necessity.strip():
            add(
                Finding(
                    BLOCKING,
                    "no_necessity",
                    _("%(code)s has no necessity text.") % {"code": code},
                    code,
                )
            )
        if variable.pk in plus_ids and Purpose.INSTRUMENT not in purposes:
            add(
                Finding(
                    BLOCKING,
                    "plus_without_instrument",
                    _(
                        "%(code)s is in the plus set, but its purposes lack further development of the measurement instrument."
                    )
                    % {"code": code},
                    code,
                )
            )
        label = f"{variable.code} {variable.name}"
        generalised = bool(variable.generalisation.strip())
        if BIRTH_DATE.search(label) and not generalised:
            add(
                Finding(
                    WARNING,
                    "birth_date",
                    _(
                        "%(code)s asks for the birth date; would the birth year do? Say why in the generalisation field."
                    )
                    % {"code": code},
                    code,
                )
            )
        if POSTCODE.search(label) and not POSTCODE_4.search(label) and not generalised:
            add(
                Finding(
                    WARNING,
                    "postcode_6",
                    _(
                        "%(code)s asks for the full postcode; would postcode-4 do? Say why in the generalisation field."
                    )
                    % {"code": code},
                    code,
                )
            )
        if is_quasi_identifier(variable):
            quasi.append(code)
        if variable.code_system == CodeSystem.NONE:
            add(
                Finding(
                    WARNING,
                    "no_code_system",
                    _("%(code)s is not bound to a code system.") % {"code": code},
                    code,
                )
            )
        if variable.ehr_source == EhrSource.NO:
            add(
                Finding(
                    WARNING,
                    "not_in_ehr",
                    _("%(code)s is not recorded in the EHR: it adds registration burden.")
                    % {"code": code},
                    code,
                )
            )
    if len(quasi) >= QUASI_IDENTIFIER_LIMIT:
        add(
            Finding(
                WARNING,
                "quasi_identifiers",
                _(
                    "Together these %(count)d quasi-identifiers can single a person out: %(codes)s. Justify the combination."
                )
                % {"count": len(quasi), "codes": ", ".join(quasi)},
            )
        )

    if (
        not registry.bsn_allowed
        and dataset_version.pseudonym_requests.filter(type=PseudonymType.B).exists()
    ):
        add(
            Finding(
                BLOCKING,
                "pseudonym_b",
                _(
                    "Pseudonym type B (BSN) is requested, but only LADIS and LNAZ may process the BSN."
                ),
            )
        )

    if stage == SubmissionStage.SUPPLEMENTARY:
        present = set(
            Document.objects.filter(
                registry=registry, kind__in=SUPPLEMENTARY_DOCUMENTS
            ).values_list("kind", flat=True)
        )
        for kind in SUPPLEMENTARY_DOCUMENTS:
            if kind not in present:
                add(
                    Finding(
                        BLOCKING,
                        "missing_document",
                        _("The supplementary review needs: %(kind)s.")
                        % {"kind": DocumentKind(kind).label},
                        document_kind=kind,
                    )
                )
    return report
