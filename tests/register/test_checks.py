import pytest

from register.checks import dossier_check
from register.constants import SubmissionStage
from register.models import Document, PseudonymRequest
from tests.factories import DatasetVersionFactory, UserFactory, VariableFactory

pytestmark = pytest.mark.django_db

GOOD = {
    "purposes": ["learn_improve"],
    "necessity": "Nodig.",
    "code_system": "snomed",
    "ehr_source": "yes",
}


@pytest.fixture
def version(registry):
    return DatasetVersionFactory(registry=registry)


def rules(report, severity):
    return sorted({(f.rule, f.variable_code) for f in getattr(report, severity)})


def test_clean_first_review_table_has_no_findings(version):
    VariableFactory(
        dataset_version=version,
        code="ASA",
        name="ASA-classificatie",
        **GOOD,
        requirements={"AZ": "base"},
    )
    report = dossier_check(dataset_version=version, stage=SubmissionStage.FIRST)
    assert report.findings == []
    assert report.can_submit and report.standards_coverage == 100


def test_blocking_rules_each_name_the_variable(version):
    VariableFactory(
        dataset_version=version, code="BSN", name="BSN", **{**GOOD, "personal_data": "direct"}
    )
    VariableFactory(dataset_version=version, code="NODOEL", name="x", **{**GOOD, "purposes": []})
    VariableFactory(dataset_version=version, code="NONPS", name="y", **{**GOOD, "necessity": " "})
    VariableFactory(
        dataset_version=version, code="PLUS", name="z", **GOOD, requirements={"UMC": "plus"}
    )
    VariableFactory(
        dataset_version=version,
        code="PLUSOK",
        name="w",
        **{**GOOD, "purposes": ["instrument"]},
        requirements={"UMC": "plus"},
    )
    report = dossier_check(dataset_version=version, stage=SubmissionStage.FIRST)
    assert rules(report, "blocking") == [
        ("direct_identifier", "BSN"),
        ("no_necessity", "NONPS"),
        ("no_purpose", "NODOEL"),
        ("plus_without_instrument", "PLUS"),
    ]
    assert not report.can_submit


def test_pseudonym_b_blocks_without_bsn_permission(version, registry):
    VariableFactory(dataset_version=version, **GOOD)
    PseudonymRequest.objects.create(dataset_version=version, type="B", justification="x")
    assert [f.rule for f in dossier_check(dataset_version=version, stage="first").blocking] == [
        "pseudonym_b"
    ]
    registry.bsn_allowed = True
    registry.save()
    assert dossier_check(dataset_version=version, stage="first").blocking == []


def test_supplementary_review_needs_the_four_documents(version, registry):
    VariableFactory(dataset_version=version, **GOOD)
    report = dossier_check(dataset_version=version, stage=SubmissionStage.SUPPLEMENTARY)
    assert sorted(f.document_kind for f in report.blocking) == sorted(
        ["dpia", "dpia_assessment", "participation_agreement", "implementation_plan"]
    )
    user = UserFactory()
    for kind in ["dpia", "dpia_assessment", "participation_agreement", "implementation_plan"]:
        Document.objects.create(
            registry=registry, kind=kind, title=kind, file="x.pdf", uploaded_by=user
        )
    assert (
        dossier_check(dataset_version=version, stage=SubmissionStage.SUPPLEMENTARY).blocking == []
    )


def test_warnings_for_birth_date_postcode_quasi_identifiers_standards_and_ehr(version):
    VariableFactory(
        dataset_version=version,
        code="GEBDAT",
        name="Geboortedatum",
        **{**GOOD, "personal_data": "quasi"},
    )
    VariableFactory(
        dataset_version=version,
        code="GEBJR",
        name="Geboortedatum",
        **{**GOOD, "personal_data": "quasi", "generalisation": "alleen geboortejaar"},
    )
    VariableFactory(
        dataset_version=version, code="PC6", name="Postcode", **{**GOOD, "personal_data": "quasi"}
    )
    VariableFactory(
        dataset_version=version,
        code="PC4",
        name="Postcode 4 cijfers",
        **{**GOOD, "personal_data": "quasi"},
    )
    VariableFactory(
        dataset_version=version,
        code="VRIJ",
        name="Vrije tekst",
        **{**GOOD, "code_system": "none", "ehr_source": "no"},
    )
    report = dossier_check(dataset_version=version, stage=SubmissionStage.FIRST)
    assert rules(report, "warnings") == [
        ("birth_date", "GEBDAT"),
        ("no_code_system", "VRIJ"),
        ("not_in_ehr", "VRIJ"),
        ("postcode_6", "PC6"),
        ("quasi_identifiers", ""),
    ]
    quasi = next(f for f in report.warnings if f.rule == "quasi_identifiers")
    assert "GEBDAT, GEBJR, PC4, PC6" in quasi.message
    assert report.standards_coverage == 80
    assert report.can_submit


def test_check_uses_fixed_number_of_queries(version, django_assert_max_num_queries):
    for _ in range(40):
        VariableFactory(dataset_version=version, **GOOD, requirements={"AZ": "base"})
    with django_assert_max_num_queries(5):
        dossier_check(dataset_version=version, stage=SubmissionStage.SUPPLEMENTARY)
