"""A version with blocking findings in the dossier check cannot be submitted (register.checks).

Each blocking rule on its own refuses the submission, and the refusal writes nothing; warnings
do not block; the supplementary review needs its four documents, the first review does not.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from register.api.exceptions import exception_handler
from register.checks import SUPPLEMENTARY_DOCUMENTS, dossier_check
from register.constants import DatasetStatus, SubmissionStage
from register.exceptions import DossierIncomplete
from register.models import AuditEntry, PseudonymRequest, Submission
from register.services import dataset_version_create, dataset_version_submit
from reviews.models import Review
from tests.factories import DocumentFactory, VariableFactory, clean_dossier

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

# A variable the check has nothing against: a purpose, a necessity, coded, in the EHR.
GOOD = {
    "purposes": ["learn_improve"],
    "necessity": "Nodig voor de uitkomstindicator.",
    "code_system": "snomed",
    "ehr_source": "yes",
    "personal_data": "none",
}


@pytest.fixture
def draft(registry, registry_user):
    version = dataset_version_create(registry=registry, actor=registry_user, copy_previous=False)
    VariableFactory(dataset_version=version, code="ASA", name="ASA-classificatie", **GOOD)
    return version


def add_documents(registry, kinds=SUPPLEMENTARY_DOCUMENTS):
    for kind in kinds:
        DocumentFactory(registry=registry, kind=kind)


def written():
    """What a submission writes: submissions, reviews, and the submit audit entry."""
    return (
        Submission.objects.count(),
        Review.objects.count(),
        AuditEntry.objects.filter(action="dataset_version.submit").count(),
    )


def assert_refused(draft, user, stage, rules):
    """The submit raises DossierIncomplete naming ``rules`` and leaves everything as it was."""
    before = written()
    with pytest.raises(DossierIncomplete) as refused:
        dataset_version_submit(dataset_version=draft, actor=user, stage=stage)
    assert sorted(finding.rule for finding in refused.value.findings) == sorted(rules)
    assert written() == before
    draft.refresh_from_db()
    assert draft.status == DatasetStatus.DRAFT and draft.submitted_at is None
    return refused.value


# --- Each blocking rule on its own -------------------------------------------------------


def _update(variable, **fields):
    for name, value in fields.items():
        setattr(variable, name, value)
    variable.save()


BLOCKING_CASES = {
    # rule: (the defect, the fix), each applied to a fresh variable of the clean draft
    "direct_identifier": ({"personal_data": "direct"}, {"personal_data": "quasi"}),
    "no_purpose": ({"purposes": []}, {"purposes": ["case_mix"]}),
    "no_necessity": ({"necessity": "  "}, {"necessity": "Nodig voor casemixcorrectie."}),
    "plus_without_instrument": (
        {"purposes": ["learn_improve"]},
        {"purposes": ["learn_improve", "instrument"]},
    ),
}


@pytest.mark.parametrize("rule", sorted(BLOCKING_CASES))
@pytest.mark.parametrize("stage", [SubmissionStage.FIRST, SubmissionStage.SUPPLEMENTARY])
def test_each_variable_rule_alone_blocks_submission(draft, registry, registry_user, rule, stage):
    add_documents(registry)
    defect, fix = BLOCKING_CASES[rule]
    requirements = {"UMC": "plus"} if rule == "plus_without_instrument" else {"AZ": "base"}
    variable = VariableFactory(
        dataset_version=draft,
        code="LEEFTIJD",
        name="Leeftijd",
        **{**GOOD, **defect},
        requirements=requirements,
    )

    error = assert_refused(draft, registry_user, stage, [rule])
    assert [finding.variable_code for finding in error.findings] == ["LEEFTIJD"]

    _update(variable, **fix)  # the one defect fixed, the same version goes through
    submission = dataset_version_submit(dataset_version=draft, actor=registry_user, stage=stage)
    assert submission.stage == stage
    assert written() == (1, 2, 1)


def test_pseudonym_type_b_alone_blocks_without_bsn_permission(draft, registry, registry_user):
    # Written directly: the service refuses type B already (PseudonymNotAllowed); the check is
    # the net for a version that got one otherwise (an import, an earlier permission).
    request = PseudonymRequest.objects.create(
        dataset_version=draft, type="B", justification="Koppeling."
    )
    assert_refused(draft, registry_user, SubmissionStage.FIRST, ["pseudonym_b"])

    request.delete()
    dataset_version_submit(dataset_version=draft, actor=registry_user, stage="first")
    assert written() == (1, 2, 1)


def test_pseudonym_type_b_is_allowed_for_a_registry_that_may_process_the_bsn(
    draft, registry, registry_user
):
    registry.bsn_allowed = True
    registry.save()
    PseudonymRequest.objects.create(dataset_version=draft, type="B", justification="Wkz.")
    dataset_version_submit(dataset_version=draft, actor=registry_user, stage="first")
    draft.refresh_from_db()
    assert draft.status == DatasetStatus.SUBMITTED


@pytest.mark.parametrize("missing", SUPPLEMENTARY_DOCUMENTS)
def test_each_missing_document_alone_blocks_the_supplementary_review(
    draft, registry, registry_user, missing
):
    add_documents(registry, [kind for kind in SUPPLEMENTARY_DOCUMENTS if kind != missing])
    error = assert_refused(
        draft, registry_user, SubmissionStage.SUPPLEMENTARY, ["missing_document"]
    )
    assert [finding.document_kind for finding in error.findings] == [missing]

    add_documents(registry, [missing])
    dataset_version_submit(dataset_version=draft, actor=registry_user, stage="supplementary")
    assert written() == (1, 2, 1)


# --- Stages, warnings, the refusal itself -----------------------------------------------


def test_supplementary_review_needs_the_four_documents_the_first_review_does_not(
    draft, registry, registry_user
):
    dataset_version_submit(dataset_version=draft, actor=registry_user, stage="first")
    draft.refresh_from_db()
    assert draft.status == DatasetStatus.SUBMITTED and not registry.documents.exists()

    supplementary = dataset_version_create(registry=registry, actor=registry_user)
    error = assert_refused(
        supplementary, registry_user, SubmissionStage.SUPPLEMENTARY, ["missing_document"] * 4
    )
    assert sorted(f.document_kind for f in error.findings) == sorted(SUPPLEMENTARY_DOCUMENTS)

    add_documents(registry)
    submission = dataset_version_submit(
        dataset_version=supplementary, actor=registry_user, stage="supplementary"
    )
    assert submission.stage == SubmissionStage.SUPPLEMENTARY


def test_annual_update_needs_no_documents(draft, registry_user):
    submission = dataset_version_submit(
        dataset_version=draft, actor=registry_user, stage=SubmissionStage.ANNUAL_UPDATE
    )
    assert submission.stage == SubmissionStage.ANNUAL_UPDATE


def test_warnings_do_not_block(draft, registry_user):
    # Birth date, full postcode, no code system, not in the EHR, and four quasi-identifiers.
    warn = {**GOOD, "personal_data": "quasi", "code_system": "none", "ehr_source": "no"}
    VariableFactory(dataset_version=draft, code="GEBDAT", name="Geboortedatum", **warn)
    VariableFactory(dataset_version=draft, code="PC6", name="Postcode", **warn)
    VariableFactory(dataset_version=draft, code="GESLACHT", name="Geslacht", **warn)
    VariableFactory(dataset_version=draft, code="OPNDAT", name="Opnamedatum", **warn)
    report = dossier_check(dataset_version=draft, stage=SubmissionStage.FIRST)
    assert {f.rule for f in report.warnings} == {
        "birth_date",
        "postcode_6",
        "quasi_identifiers",
        "no_code_system",
        "not_in_ehr",
    }
    assert report.blocking == []

    submission = dataset_version_submit(dataset_version=draft, actor=registry_user, stage="first")
    assert written() == (1, 2, 1) and submission.dataset_version_id == draft.pk


def test_refusal_counts_the_findings_and_points_to_the_check_for_the_stage(
    draft, registry, registry_user
):
    VariableFactory(dataset_version=draft, code="X1", **{**GOOD, "purposes": []})
    VariableFactory(dataset_version=draft, code="X2", **{**GOOD, "necessity": ""})
    error = assert_refused(
        draft,
        registry_user,
        SubmissionStage.SUPPLEMENTARY,
        ["no_purpose", "no_necessity"] + ["missing_document"] * 4,
    )
    assert error.status_code == 409 and error.field is None
    assert error.stage == SubmissionStage.SUPPLEMENTARY
    assert "6 blocking findings for the supplementary review" in error.message
    assert "dossier check" in error.message
    check = reverse(
        "dossiers:version_check", kwargs={"acronym": registry.acronym, "number": draft.number}
    )
    assert error.check_url == f"{check}?stage=supplementary"


def test_one_finding_is_named_in_the_singular(draft, registry_user):
    VariableFactory(dataset_version=draft, code="X1", **{**GOOD, "purposes": []})
    error = assert_refused(draft, registry_user, SubmissionStage.FIRST, ["no_purpose"])
    assert "1 blocking finding for the first review" in error.message


def test_the_check_at_submission_takes_the_same_queries_for_a_large_table(
    registry, other_registry, registry_user, other_registry_user
):
    def refused_queries(registry, user, variables):
        version = dataset_version_create(registry=registry, actor=user, copy_previous=False)
        for n in range(variables):
            VariableFactory(dataset_version=version, code=f"V{n:03d}", **GOOD)
        VariableFactory(dataset_version=version, code="ZZ", **{**GOOD, "purposes": []})
        with CaptureQueriesContext(connection) as queries, pytest.raises(DossierIncomplete):
            dataset_version_submit(dataset_version=version, actor=user, stage="supplementary")
        return len(queries)

    assert refused_queries(registry, registry_user, 3) == refused_queries(
        other_registry, other_registry_user, 80
    )


def test_api_answers_a_refusal_with_409_not_500(draft, registry_user):
    """There is no submit endpoint in the API (yet); its one exception handler is ready."""
    VariableFactory(dataset_version=draft, code="X1", **{**GOOD, "purposes": []})
    with pytest.raises(DossierIncomplete) as refused:
        dataset_version_submit(dataset_version=draft, actor=registry_user, stage="first")
    response = exception_handler(refused.value, {})
    assert response.status_code == 409
    assert "1 blocking finding" in response.data["detail"]


def test_clean_dossier_gives_a_quick_table_what_it_needs(draft, registry, registry_user):
    VariableFactory(dataset_version=draft, code="X1", purposes=[], necessity="")
    VariableFactory(
        dataset_version=draft, code="X2", purposes=["case_mix"], requirements={"UMC": "plus"}
    )
    documents = clean_dossier(draft, SubmissionStage.SUPPLEMENTARY)
    assert sorted(d.kind for d in documents) == sorted(SUPPLEMENTARY_DOCUMENTS)
    dataset_version_submit(dataset_version=draft, actor=registry_user, stage="supplementary")
    assert written() == (1, 2, 1)


def test_clean_dossier_keeps_what_a_test_chose_and_says_why_it_blocks(draft):
    VariableFactory(dataset_version=draft, code="BSN", **{**GOOD, "personal_data": "direct"})
    with pytest.raises(AssertionError, match="BSN is a direct identifier"):
        clean_dossier(draft, SubmissionStage.FIRST)


# --- The version page ----------------------------------------------------------------------


def version_url(version, name="version_detail"):
    return reverse(
        f"dossiers:{name}",
        kwargs={"acronym": version.registry.acronym, "number": version.number},
    )


def test_submit_form_shows_the_refusal_and_links_to_the_check_for_the_stage(
    client, draft, registry_user
):
    VariableFactory(dataset_version=draft, code="X1", **{**GOOD, "purposes": []})
    client.force_login(registry_user)

    response = client.post(version_url(draft, "version_submit"), {"stage": "supplementary"})

    assert response.status_code == 409
    content = response.content.decode()
    assert "5 blocking findings for the supplementary review" in content
    assert "error-summary" in content
    check = f"{version_url(draft, 'version_check')}?stage=supplementary"
    assert f'<p class="errorlist" id="submit-refusal"><a href="{check}">' in content
    assert (
        "See the 5 blocking findings in the dossier check for the supplementary review" in content
    )
    assert response.context["submit_refusal"]["count"] == 5
    assert written() == (0, 0, 0)
    draft.refresh_from_db()
    assert draft.status == DatasetStatus.DRAFT


def test_submit_form_links_to_the_check_of_every_stage_beforehand(client, draft, registry_user):
    client.force_login(registry_user)
    response = client.get(version_url(draft))
    assert response.status_code == 200
    content = response.content.decode()
    for stage in SubmissionStage:
        url = f"{version_url(draft, 'version_check')}?stage={stage.value}"
        assert f'<a href="{url}">Dossier check for the {stage.label}</a>' in content
    assert "submit_refusal" not in response.context


def test_a_clean_version_is_submitted_from_the_form(client, draft, registry, registry_user):
    add_documents(registry)
    client.force_login(registry_user)
    response = client.post(version_url(draft, "version_submit"), {"stage": "supplementary"})
    assert response.status_code == 302
    assert written() == (1, 2, 1)
