"""The registry staff's area (/dossiers/): happy paths, form errors, locks and permissions."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from register.constants import DatasetStatus, SubmissionStage, SubmissionStatus
from register.models import (
    AuditEntry,
    DatasetVersion,
    Document,
    Indicator,
    PseudonymRequest,
    Submission,
    Variable,
)
from register.services import (
    dataset_version_create,
    dataset_version_submit,
    document_add,
    variable_save,
)
from reviews.constants import AdviceOutcome
from tests.factories import UserFactory, VariableFactory, advise, clean_dossier

# The assertions name the English texts; the portal's default language is Dutch.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

PDF = b"%PDF-1.4\n% test\n"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def variable_post(**overrides) -> dict:
    data = {
        "code": "LEEFTIJD",
        "name": "Leeftijd bij opname",
        "description": "",
        "data_type": "number",
        "unit": "jaar",
        "code_system": "snomed",
        "code_system_code": "397669002",
        "purposes": ["learn_improve", "case_mix"],
        "personal_data": "quasi",
        "generalisation": "",
        "necessity": "Nodig voor casemixcorrectie.",
        "proportionality": "Alleen leeftijd in jaren.",
        "subsidiarity": "Geen alternatief.",
        "ehr_source": "yes",
        "req_AZ": "base",
        "req_UMC": "plus",
    }
    data.update(overrides)
    return data


@pytest.fixture
def draft(registry, registry_user):
    return dataset_version_create(registry=registry, actor=registry_user)


@pytest.fixture
def staff_client(client, registry_user):
    client.force_login(registry_user)
    return client


def version_url(version, name="version_detail", **kwargs):
    return reverse(
        f"dossiers:{name}",
        kwargs={"acronym": version.registry.acronym, "number": version.number, **kwargs},
    )


def docx_bytes(part="word/document.xml") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(part, "<document/>")
    return buffer.getvalue()


def odt_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        archive.writestr("content.xml", "<office/>")
    return buffer.getvalue()


# --- Access ----------------------------------------------------------------------------------


def test_anonymous_is_sent_to_login(client, registry):
    response = client.get(reverse("dossiers:registry_list"))
    assert response.status_code == 302 and reverse("login") in response["Location"]


@pytest.mark.parametrize("fixture", ["zin_user", "igc_user", "secretariat_user"])
def test_signed_in_without_registry_role_gets_403(client, request, fixture, registry):
    client.force_login(request.getfixturevalue(fixture))
    assert client.get(reverse("dossiers:registry_list")).status_code == 403
    assert (
        client.get(
            reverse("dossiers:registry_detail", kwargs={"acronym": registry.acronym})
        ).status_code
        == 403
    )


def test_list_shows_only_own_registries(staff_client, registry, other_registry):
    response = staff_client.get(reverse("dossiers:registry_list"))
    assert response.status_code == 200
    assert list(response.context["registries"]) == [registry]
    assert b"Andere registratie" not in response.content


def test_registry_page_shows_versions_submissions_documents_and_audit(
    staff_client, registry, registry_user, draft
):
    variable_save(
        dataset_version=draft,
        actor=registry_user,
        data={"code": "A", "name": "A"},
        requirements={"AZ": "base"},
    )
    document_add(
        registry=registry,
        actor=registry_user,
        kind="dpia",
        title="DPIA 2026",
        file=SimpleUploadedFile("dpia.pdf", PDF),
    )
    response = staff_client.get(
        reverse("dossiers:registry_detail", kwargs={"acronym": registry.acronym})
    )
    assert response.status_code == 200
    assert [v.variable_count for v in response.context["versions"]] == [1]
    assert b"DPIA 2026" in response.content
    assert b"variable added" in response.content
    assert {e.action for e in response.context["audit_entries"]} >= {
        "dataset_version.create",
        "document.add",
    }


def test_other_registry_staff_get_404_and_nothing_is_written(
    client, other_registry_user, registry, draft
):
    client.force_login(other_registry_user)
    audit_before = AuditEntry.objects.count()
    assert (
        client.get(
            reverse("dossiers:registry_detail", kwargs={"acronym": registry.acronym})
        ).status_code
        == 404
    )
    assert client.get(version_url(draft)).status_code == 404
    assert (
        client.post(
            reverse("dossiers:version_create", kwargs={"acronym": registry.acronym})
        ).status_code
        == 404
    )
    assert client.post(version_url(draft, "variable_create"), variable_post()).status_code == 404
    assert (
        client.post(
            version_url(draft, "pseudonym_add"), {"type": "NGG", "justification": "x"}
        ).status_code
        == 404
    )
    assert client.post(version_url(draft, "version_submit"), {"stage": "first"}).status_code == 404
    upload = SimpleUploadedFile("dpia.pdf", PDF)
    response = client.post(
        reverse("dossiers:document_add", kwargs={"acronym": registry.acronym}),
        {"kind": "dpia", "title": "x", "file": upload},
    )
    assert response.status_code == 404
    assert DatasetVersion.objects.filter(registry=registry).count() == 1
    assert not Variable.objects.exists() and not PseudonymRequest.objects.exists()
    assert not Submission.objects.exists() and not Document.objects.exists()
    assert AuditEntry.objects.count() == audit_before


# --- Versions and variables ------------------------------------------------------------------


def test_create_version_copies_the_newest(staff_client, registry, registry_user, draft):
    variable_save(
        dataset_version=draft,
        actor=registry_user,
        data={"code": "A", "name": "A"},
        requirements={"AZ": "base"},
    )
    clean_dossier(draft, SubmissionStage.FIRST)
    dataset_version_submit(dataset_version=draft, actor=registry_user, stage=SubmissionStage.FIRST)
    response = staff_client.post(
        reverse("dossiers:version_create", kwargs={"acronym": registry.acronym})
    )
    new = registry.dataset_versions.get(number=draft.number + 1)
    assert response.status_code == 302 and response["Location"] == version_url(new)
    assert new.based_on == draft and new.status == DatasetStatus.DRAFT
    assert list(new.variables.values_list("code", flat=True)) == ["A"]


def test_add_variable_with_requirements(staff_client, draft):
    response = staff_client.post(version_url(draft, "variable_create"), variable_post())
    assert response.status_code == 302
    variable = draft.variables.get()
    assert variable.code == "LEEFTIJD" and variable.purposes == ["learn_improve", "case_mix"]
    assert variable.code_system == "snomed" and variable.unit == "jaar"
    assert dict(variable.requirements.values_list("provider_category__code", "set")) == {
        "AZ": "base",
        "UMC": "plus",
    }


def test_edit_variable_changes_cells(staff_client, draft, registry_user):
    variable_save(
        dataset_version=draft,
        actor=registry_user,
        data={"code": "LEEFTIJD", "name": "Oud"},
        requirements={"AZ": "base"},
    )
    url = version_url(draft, "variable_edit", code="LEEFTIJD")
    page = staff_client.get(url)
    assert page.status_code == 200 and page.context["form"]["req_AZ"].value() == "base"
    response = staff_client.post(url, variable_post(name="Nieuw", req_AZ="", req_STZ="plus"))
    assert response.status_code == 302
    variable = draft.variables.get()
    assert variable.name == "Nieuw"
    assert dict(variable.requirements.values_list("provider_category__code", "set")) == {
        "STZ": "plus",
        "UMC": "plus",
    }


def test_delete_variable(staff_client, draft, registry_user):
    variable_save(
        dataset_version=draft,
        actor=registry_user,
        data={"code": "WEG", "name": "Weg"},
        requirements={},
    )
    url = version_url(draft, "variable_delete", code="WEG")
    assert staff_client.get(url).status_code == 200
    assert staff_client.post(url).status_code == 302
    assert not draft.variables.exists()


def error_summary_labels(response) -> dict[str, str]:
    form = response.context["form"]
    return {item["label"]: str(item["message"]) for item in form.error_summary()}


def test_missing_code_is_a_form_error_naming_the_field(staff_client, draft):
    response = staff_client.post(version_url(draft, "variable_create"), variable_post(code=""))
    assert response.status_code == 400
    assert "code" in response.context["form"].errors
    assert b'href="#id_code"' in response.content and b"error-summary" in response.content
    assert not draft.variables.exists()


def test_duplicate_code_is_a_form_error_on_code(staff_client, draft, registry_user):
    variable_save(
        dataset_version=draft,
        actor=registry_user,
        data={"code": "LEEFTIJD", "name": "A"},
        requirements={},
    )
    response = staff_client.post(version_url(draft, "variable_create"), variable_post())
    assert response.status_code == 400
    assert "already has a variable with code LEEFTIJD" in response.context["form"].errors["code"][0]
    assert draft.variables.count() == 1


def test_unknown_category_is_a_form_error_and_nothing_written(staff_client, draft):
    response = staff_client.post(
        version_url(draft, "variable_create"), variable_post(code="NIEUW", req_XYZ="base")
    )
    assert response.status_code == 400
    assert "Unknown provider category: XYZ" in response.context["form"].errors["requirements"][0]
    assert "Provider categories" in error_summary_labels(response)
    assert not draft.variables.exists()


def test_unknown_set_value_is_a_form_error_on_the_category(staff_client, draft):
    response = staff_client.post(
        version_url(draft, "variable_create"), variable_post(req_AZ="gold")
    )
    assert response.status_code == 400
    assert "req_AZ" in response.context["form"].errors
    assert not draft.variables.exists()


def test_locked_version_refuses_edits_and_writes_nothing(staff_client, draft, registry_user):
    variable_save(
        dataset_version=draft,
        actor=registry_user,
        data={"code": "A", "name": "Oud"},
        requirements={"AZ": "base"},
    )
    clean_dossier(draft, SubmissionStage.FIRST)
    dataset_version_submit(dataset_version=draft, actor=registry_user, stage=SubmissionStage.FIRST)
    audit_before = AuditEntry.objects.count()
    page = staff_client.get(version_url(draft))
    assert page.status_code == 200 and not page.context["editable"]
    assert b"Add a variable" not in page.content and b'name="justification"' not in page.content
    posts = [
        (version_url(draft, "variable_create"), variable_post(code="B")),
        (version_url(draft, "variable_edit", code="A"), variable_post(code="A", name="Nieuw")),
        (version_url(draft, "variable_delete", code="A"), {}),
        (version_url(draft, "indicator_create"), {"code": "I1", "name": "I", "variables": ["A"]}),
        (version_url(draft, "pseudonym_add"), {"type": "NGG", "justification": "x"}),
        (version_url(draft, "version_submit"), {"stage": "annual_update"}),
    ]
    for url, data in posts:
        response = staff_client.post(url, data)
        assert response.status_code == 409, url
        assert b"cannot be changed" in response.content
    assert list(draft.variables.values_list("code", "name")) == [("A", "Oud")]
    assert not Indicator.objects.exists() and not PseudonymRequest.objects.exists()
    assert Submission.objects.count() == 1
    assert AuditEntry.objects.count() == audit_before


def test_version_table_search_and_pagination(staff_client, draft):
    VariableFactory.create_batch(55, dataset_version=draft)
    VariableFactory(dataset_version=draft, code="ZZ_LENGTE", name="Lichaamslengte")
    response = staff_client.get(version_url(draft))
    assert len(response.context["table"].rows) == 50
    assert response.context["page_obj"].paginator.num_pages == 2
    response = staff_client.get(version_url(draft), {"q": "lengte"})
    assert [row.variable.code for row in response.context["table"].rows] == ["ZZ_LENGTE"]


@pytest.mark.parametrize("count", [10, 60])
def test_version_page_queries_do_not_grow_with_the_table(
    staff_client, draft, count, django_assert_max_num_queries
):
    for i in range(count):
        VariableFactory(
            dataset_version=draft, code=f"V{i:03d}", requirements={"AZ": "base", "UMC": "plus"}
        )
    indicator = Indicator.objects.create(dataset_version=draft, code="IND1", name="Indicator")
    indicator.variables.set(draft.variables.all()[:5])
    with django_assert_max_num_queries(15):
        response = staff_client.get(version_url(draft))
    assert response.status_code == 200


# --- Indicators, pseudonyms, submit ---------------------------------------------------------


def test_add_indicator(staff_client, draft, registry_user):
    for code in ("A", "B"):
        variable_save(
            dataset_version=draft,
            actor=registry_user,
            data={"code": code, "name": code},
            requirements={},
        )
    response = staff_client.post(
        version_url(draft, "indicator_create"),
        {
            "code": "IND1",
            "name": "Sterfte",
            "kind": "uitkomst",
            "description": "",
            "variables": ["A", "B"],
        },
    )
    assert response.status_code == 302
    indicator = Indicator.objects.get()
    assert sorted(indicator.variables.values_list("code", flat=True)) == ["A", "B"]


def test_duplicate_indicator_code_is_an_error_on_code(staff_client, draft, registry_user):
    Indicator.objects.create(dataset_version=draft, code="IND1", name="x")
    response = staff_client.post(
        version_url(draft, "indicator_create"), {"code": "IND1", "name": "y"}
    )
    assert response.status_code == 400
    assert "code" in response.context["error_forms"][0].errors
    assert b'href="#indicator_code"' in response.content
    assert Indicator.objects.count() == 1


def test_request_pseudonym(staff_client, draft):
    response = staff_client.post(
        version_url(draft, "pseudonym_add"),
        {"type": "NGGV", "justification": "Koppeling over tijd."},
    )
    assert response.status_code == 302
    assert list(draft.pseudonym_requests.values_list("type", flat=True)) == ["NGGV"]


def test_pseudonym_b_without_bsn_permission_is_an_error_on_type(staff_client, draft):
    response = staff_client.post(
        version_url(draft, "pseudonym_add"), {"type": "B", "justification": "Koppeling."}
    )
    assert response.status_code == 400
    form = response.context["error_forms"][0]
    assert "LADIS, LNAZ" in form.errors["type"][0]
    assert b'href="#pseudonym_type"' in response.content
    assert not PseudonymRequest.objects.exists()


def test_submit_version(staff_client, draft, registry_user):
    variable_save(
        dataset_version=draft,
        actor=registry_user,
        data={"code": "A", "name": "A"},
        requirements={"AZ": "base"},
    )
    clean_dossier(draft, SubmissionStage.SUPPLEMENTARY)
    response = staff_client.post(version_url(draft, "version_submit"), {"stage": "supplementary"})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == DatasetStatus.SUBMITTED
    submission = Submission.objects.get()
    assert submission.stage == "supplementary" and submission.status == SubmissionStatus.IN_REVIEW


def test_submit_empty_version_shows_the_service_error(staff_client, draft):
    response = staff_client.post(version_url(draft, "version_submit"), {"stage": "first"})
    assert response.status_code == 400
    assert b"An empty accountability table cannot be submitted." in response.content
    draft.refresh_from_db()
    assert draft.status == DatasetStatus.DRAFT


# --- Documents -------------------------------------------------------------------------------


def document_url(registry):
    return reverse("dossiers:document_add", kwargs={"acronym": registry.acronym})


@pytest.mark.parametrize(
    "name,content",
    [
        ("dpia.pdf", PDF),
        ("plan.docx", docx_bytes()),
        ("dictionary.xlsx", docx_bytes("xl/workbook.xml")),
        ("statuten.odt", odt_bytes()),
    ],
)
def test_upload_accepted_types(staff_client, registry, name, content):
    response = staff_client.post(
        document_url(registry),
        {
            "kind": "dpia",
            "title": "Stuk",
            "file": SimpleUploadedFile(name, content),
            "confidential": "on",
        },
    )
    assert response.status_code == 302
    document = Document.objects.get()
    assert document.confidential and document.registry == registry


@pytest.mark.parametrize(
    "name,content",
    [
        ("dpia.pdf", b"MZ\x90\x00 not a pdf at all"),
        ("dpia.pdf", docx_bytes()),  # a real DOCX named .pdf
        ("plan.docx", b"PK\x03\x04 broken zip"),
        ("plan.exe", PDF),
    ],
)
def test_disguised_upload_is_refused_on_the_file_field(staff_client, registry, name, content):
    response = staff_client.post(
        document_url(registry),
        {"kind": "dpia", "title": "DPIA", "file": SimpleUploadedFile(name, content)},
    )
    assert response.status_code == 400
    assert "file" in response.context["form"].errors
    assert b'href="#id_file"' in response.content
    assert not Document.objects.exists()


def test_oversize_upload_is_refused(staff_client, registry, settings):
    settings.MAX_UPLOAD_BYTES = 100
    response = staff_client.post(
        document_url(registry),
        {"kind": "dpia", "title": "DPIA", "file": SimpleUploadedFile("dpia.pdf", PDF + b"x" * 200)},
    )
    assert response.status_code == 400
    assert "at most 100" in response.context["form"].errors["file"][0]
    assert not Document.objects.exists()


def test_missing_fields_are_named(staff_client, registry):
    response = staff_client.post(document_url(registry), {"kind": "", "title": ""})
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"kind", "title", "file"}


# --- Download permissions --------------------------------------------------------------------


@pytest.fixture
def document(registry, registry_user):
    return document_add(
        registry=registry,
        actor=registry_user,
        kind="dpia",
        title="DPIA",
        file=SimpleUploadedFile("dpia.pdf", PDF),
        confidential=True,
    )


def download(client, user, document):
    if user is not None:
        client.force_login(user)
    return client.get(reverse("dossiers:document_download", kwargs={"pk": document.pk}))


@pytest.mark.parametrize("fixture", ["registry_user", "zin_user"])
def test_download_of_a_confidential_document_allowed_for_staff_and_zin(
    client, request, document, fixture
):
    response = download(client, request.getfixturevalue(fixture), document)
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == PDF


@pytest.mark.parametrize(
    "fixture",
    ["other_registry_user", "igc_user", "dgc_user", "provider_user", "secretariat_user"],
)
def test_download_refused_for_others(client, request, document, fixture):
    assert download(client, request.getfixturevalue(fixture), document).status_code == 404


def test_download_by_anonymous_goes_to_login(client, document):
    assert download(client, None, document).status_code == 302


def test_download_allowed_for_committee_reviewing_the_registry(
    client, document, registry, registry_user, igc_user
):
    version = dataset_version_create(registry=registry, actor=registry_user)
    variable_save(
        dataset_version=version,
        actor=registry_user,
        data={"code": "A", "name": "A"},
        requirements={},
    )
    clean_dossier(version, SubmissionStage.FIRST)
    dataset_version_submit(
        dataset_version=version, actor=registry_user, stage=SubmissionStage.FIRST
    )
    assert download(client, igc_user, document).status_code == 200
    outsider = UserFactory()
    client.force_login(outsider)
    assert (
        client.get(reverse("dossiers:document_download", kwargs={"pk": document.pk})).status_code
        == 404
    )


# --- The application to Zorginstituut -------------------------------------------------------


@pytest.fixture
def advised(registry, registry_user, igc_user, dgc_user, django_capture_on_commit_callbacks):
    version = dataset_version_create(registry=registry, actor=registry_user)
    variable_save(
        dataset_version=version,
        actor=registry_user,
        data={"code": "A", "name": "A"},
        requirements={"AZ": "base"},
    )
    # An annual update: the application follows its advice as it does a supplementary
    # review's, and its dossier check asks for no documents, so the only documents in these
    # tests are the application's own.
    clean_dossier(version, SubmissionStage.ANNUAL_UPDATE)
    submission = dataset_version_submit(
        dataset_version=version, actor=registry_user, stage=SubmissionStage.ANNUAL_UPDATE
    )
    reviews = {r.committee.code: r for r in submission.reviews.all()}
    with django_capture_on_commit_callbacks(execute=True):
        advise(
            reviews["IGC"],
            AdviceOutcome.POSITIVE,
            actor=igc_user,
            motivation="Inhoud goed onderbouwd.",
        )
        advise(
            reviews["DGC"],
            AdviceOutcome.POSITIVE,
            actor=dgc_user,
            motivation="Privacy op orde.",
        )
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.ADVISED
    return submission


def apply_url(submission):
    return reverse(
        "dossiers:submission_apply",
        kwargs={"acronym": submission.registry.acronym, "pk": submission.pk},
    )


def test_registry_sees_advice_once_recorded(staff_client, advised):
    response = staff_client.get(
        reverse("dossiers:registry_detail", kwargs={"acronym": advised.registry.acronym})
    )
    assert (
        b"Inhoud goed onderbouwd." in response.content and b"Privacy op orde." in response.content
    )
    assert apply_url(advised).encode() in response.content


def test_apply_with_form_and_evidence(staff_client, advised):
    page = staff_client.get(apply_url(advised))
    assert page.status_code == 200 and b"Privacy op orde." in page.content
    response = staff_client.post(
        apply_url(advised),
        {
            "application_form": SimpleUploadedFile("aanvraag.pdf", PDF),
            "evidence": [
                SimpleUploadedFile("bewijs1.pdf", PDF),
                SimpleUploadedFile("bewijs2.docx", docx_bytes()),
            ],
        },
    )
    assert response.status_code == 302
    advised.refresh_from_db()
    assert advised.status == SubmissionStatus.APPLIED
    assert sorted(advised.documents.values_list("kind", flat=True)) == [
        "application_form",
        "evidence",
        "evidence",
    ]


def test_apply_without_form_is_an_error_and_nothing_written(staff_client, advised):
    response = staff_client.post(
        apply_url(advised), {"evidence": [SimpleUploadedFile("bewijs.pdf", PDF)]}
    )
    assert response.status_code == 400
    assert "application_form" in response.context["form"].errors
    advised.refresh_from_db()
    assert advised.status == SubmissionStatus.ADVISED and not Document.objects.exists()


def test_apply_refuses_disguised_evidence(staff_client, advised):
    response = staff_client.post(
        apply_url(advised),
        {
            "application_form": SimpleUploadedFile("aanvraag.pdf", PDF),
            "evidence": [SimpleUploadedFile("x.pdf", b"GIF89a")],
        },
    )
    assert response.status_code == 400 and "evidence" in response.context["form"].errors
    assert not Document.objects.exists()


def test_apply_twice_is_refused(staff_client, advised):
    staff_client.post(
        apply_url(advised), {"application_form": SimpleUploadedFile("aanvraag.pdf", PDF)}
    )
    response = staff_client.post(
        apply_url(advised), {"application_form": SimpleUploadedFile("aanvraag.pdf", PDF)}
    )
    assert response.status_code == 409
    assert Document.objects.count() == 1


def test_other_registry_cannot_apply(client, other_registry_user, advised):
    client.force_login(other_registry_user)
    response = client.post(
        apply_url(advised), {"application_form": SimpleUploadedFile("aanvraag.pdf", PDF)}
    )
    assert response.status_code == 404
    advised.refresh_from_db()
    assert advised.status == SubmissionStatus.ADVISED and not Document.objects.exists()
