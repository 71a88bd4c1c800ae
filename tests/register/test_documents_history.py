"""Replacing a dossier document keeps its history; confidential documents are not for SSC-DG."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from register.audit import ACTION_LABELS
from register.constants import SubmissionStage
from register.exceptions import DomainError, InvalidTransition, PermissionDenied
from register.models import AuditEntry, Document
from register.selectors import dossier_documents
from register.services import (
    dataset_version_create,
    dataset_version_submit,
    document_add,
    document_replace,
    document_set_confidential,
    variable_save,
)
from tests.factories import clean_dossier

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

PDF_1 = b"%PDF-1.4\n% first\n"
PDF_2 = b"%PDF-1.4\n% second\n"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def document(registry, registry_user):
    return document_add(
        registry=registry,
        actor=registry_user,
        kind="dpia",
        title="DPIA",
        file=SimpleUploadedFile("dpia.pdf", PDF_1),
    )


def download(client, user, document):
    client.force_login(user)
    return client.get(reverse("dossiers:document_download", kwargs={"pk": document.pk}))


def replace_url(document):
    return reverse(
        "dossiers:document_replace",
        kwargs={"acronym": document.registry.acronym, "pk": document.pk},
    )


def confidential_url(document):
    return reverse(
        "dossiers:document_confidential",
        kwargs={"acronym": document.registry.acronym, "pk": document.pk},
    )


def test_the_new_actions_have_labels():
    assert {"document.replace", "document.confidential"} <= set(ACTION_LABELS)


def test_replace_keeps_the_old_version_as_history_and_downloadable(
    client, document, registry, registry_user
):
    client.force_login(registry_user)
    response = client.post(
        replace_url(document),
        {"title": "DPIA v2", "file": SimpleUploadedFile("dpia-v2.pdf", PDF_2)},
    )
    assert response.status_code == 302
    new = Document.objects.get(replaces=document)
    assert (new.title, new.kind, new.registry, new.confidential) == (
        "DPIA v2",
        "dpia",
        registry,
        False,
    )
    assert AuditEntry.objects.filter(action="document.replace", object_id=str(new.pk)).exists()
    current = dossier_documents(registry=registry)
    assert [d.pk for d in current] == [new.pk]
    assert [d.pk for d in current[0].history] == [document.pk]
    assert b"".join(download(client, registry_user, document).streaming_content) == PDF_1
    assert b"".join(download(client, registry_user, new).streaming_content) == PDF_2
    page = client.get(reverse("dossiers:registry_detail", kwargs={"acronym": registry.acronym}))
    assert "1 earlier version" in page.content.decode()
    # The history cannot be replaced again: only the current version.
    with pytest.raises(InvalidTransition):
        document_replace(
            document=document, actor=registry_user, file=SimpleUploadedFile("x.pdf", PDF_2)
        )


def test_replace_without_a_title_keeps_the_title(document, registry_user):
    new = document_replace(
        document=document, actor=registry_user, file=SimpleUploadedFile("b.pdf", PDF_2)
    )
    assert new.title == "DPIA"


def test_replace_checks_the_content(client, document, registry_user):
    before = Document.objects.count()
    with pytest.raises(DomainError):
        document_replace(
            document=document, actor=registry_user, file=SimpleUploadedFile("a.pdf", b"GIF89a")
        )
    client.force_login(registry_user)
    response = client.post(replace_url(document), {"file": SimpleUploadedFile("a.pdf", b"GIF89a")})
    assert response.status_code == 400
    assert "file" in response.context["form"].errors
    assert Document.objects.count() == before


def test_other_registry_gets_404_and_nothing_is_written(client, document, other_registry_user):
    before = (Document.objects.count(), AuditEntry.objects.count())
    client.force_login(other_registry_user)
    assert client.get(replace_url(document)).status_code == 404
    response = client.post(replace_url(document), {"file": SimpleUploadedFile("b.pdf", PDF_2)})
    assert response.status_code == 404
    assert client.post(confidential_url(document), {"confidential": "1"}).status_code == 404
    assert (Document.objects.count(), AuditEntry.objects.count()) == before
    document.refresh_from_db()
    assert document.confidential is False
    with pytest.raises(PermissionDenied):
        document_set_confidential(document=document, actor=other_registry_user, confidential=True)


def test_mark_confidential_and_back(client, document, registry_user):
    client.force_login(registry_user)
    assert client.post(confidential_url(document), {"confidential": "1"}).status_code == 302
    document.refresh_from_db()
    assert document.confidential is True
    assert client.post(confidential_url(document), {"confidential": "0"}).status_code == 302
    document.refresh_from_db()
    assert document.confidential is False
    assert AuditEntry.objects.filter(action="document.confidential").count() == 2


@pytest.fixture
def under_review(registry, registry_user):
    version = dataset_version_create(registry=registry, actor=registry_user)
    variable_save(
        dataset_version=version,
        actor=registry_user,
        data={"code": "A", "name": "A"},
        requirements={},
    )
    clean_dossier(version, SubmissionStage.FIRST)
    return dataset_version_submit(
        dataset_version=version, actor=registry_user, stage=SubmissionStage.FIRST
    )


@pytest.mark.usefixtures("under_review")
def test_confidential_hides_from_the_secretariat_only(
    client, document, registry_user, secretariat_user, igc_user, zin_user
):
    new = document_replace(
        document=document, actor=registry_user, file=SimpleUploadedFile("b.pdf", PDF_2)
    )
    assert download(client, secretariat_user, new).status_code == 200
    document_set_confidential(document=new, actor=registry_user, confidential=True)
    document.refresh_from_db()
    assert document.confidential is True  # the history follows the current version
    for version in (new, document):
        assert download(client, secretariat_user, version).status_code == 404
        for user in (registry_user, igc_user, zin_user):
            assert download(client, user, version).status_code == 200
    # A replacement of a confidential document stays confidential.
    newest = document_replace(
        document=new, actor=registry_user, file=SimpleUploadedFile("c.pdf", PDF_1)
    )
    assert newest.confidential is True
    assert download(client, secretariat_user, newest).status_code == 404


def test_committee_without_a_review_cannot_read_it(client, document, igc_user):
    assert download(client, igc_user, document).status_code == 404


def test_review_page_lists_only_current_documents_with_history(
    client, under_review, document, registry_user, igc_user
):
    new = document_replace(
        document=document,
        actor=registry_user,
        file=SimpleUploadedFile("b.pdf", PDF_2),
        title="DPIA v2",
    )
    review = under_review.reviews.get(committee__code="IGC")
    client.force_login(igc_user)
    response = client.get(reverse("reviews:review_detail", kwargs={"pk": review.pk}))
    assert response.status_code == 200
    assert [d.pk for d in response.context["documents"]] == [new.pk]
    assert [d.pk for d in response.context["documents"][0].history] == [document.pk]
