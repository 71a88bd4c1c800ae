"""The accountability table of a submitted version as a landscape PDF (WeasyPrint)."""

import re
import time
import zlib

import pytest
from django.urls import reverse

from register.exceptions import DomainError
from register.models import AuditEntry, ProviderCategory, Requirement, Variable
from register.services import dataset_version_render_pdf, dataset_version_request_pdf
from tests.factories import DatasetVersionFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def submitted_version(registry, *, variables: int):
    version = DatasetVersionFactory(registry=registry, submitted=True)
    made = Variable.objects.bulk_create(
        Variable(
            dataset_version=version,
            code=f"V{n:04d}",
            name=f"Variable {n} with a reasonably long descriptive name",
            purposes=["learn_improve"],
            necessity=f"Needed for outcome indicator {n}.",
            proportionality="Only the data needed, pseudonymised.",
            subsidiarity="" if n % 7 else "No other source holds this.",
        )
        for n in range(variables)
    )
    categories = list(ProviderCategory.objects.all())
    Requirement.objects.bulk_create(
        Requirement(variable=v, provider_category=c, set="base" if (i + j) % 3 else "plus")
        for i, v in enumerate(made)
        for j, c in enumerate(categories)
        if (i + j) % 5
    )
    return version


def page_count(pdf: bytes) -> int:
    """The page tree's /Count, also when WeasyPrint put it in a compressed object stream."""
    texts = [pdf]
    for stream in re.findall(rb"stream\r?\n(.*?)endstream", pdf, re.S):
        try:
            texts.append(zlib.decompress(stream))
        except zlib.error:
            pass
    return max(int(n) for text in texts for n in re.findall(rb"/Count (\d+)", text))


def test_renders_500_variables_on_many_pages_once(registry):
    version = submitted_version(registry, variables=500)
    start = time.perf_counter()
    dataset_version_render_pdf(dataset_version_id=version.pk)
    elapsed = time.perf_counter() - start
    version.refresh_from_db()
    with version.table_pdf.open("rb") as handle:
        pdf = handle.read()
    assert pdf.startswith(b"%PDF-")
    pages = page_count(pdf)
    assert pages > 1
    print(f"rendered 500 variables in {elapsed:.1f}s: {pages} pages, {len(pdf)} bytes")
    name = version.table_pdf.name
    dataset_version_render_pdf(dataset_version_id=version.pk)  # idempotent
    version.refresh_from_db()
    assert version.table_pdf.name == name


def test_draft_is_refused(registry, registry_user):
    draft = DatasetVersionFactory(registry=registry)
    with pytest.raises(DomainError, match="Only a submitted version"):
        dataset_version_request_pdf(dataset_version=draft, actor=registry_user)
    with pytest.raises(DomainError):
        dataset_version_render_pdf(dataset_version_id=draft.pk)
    draft.refresh_from_db()
    assert not draft.table_pdf


def test_request_dispatches_once_on_commit(
    registry, registry_user, django_capture_on_commit_callbacks, monkeypatch
):
    from register import tasks

    calls = []
    monkeypatch.setattr(tasks.render_table_pdf, "delay", lambda pk: calls.append(pk))
    version = submitted_version(registry, variables=3)
    with django_capture_on_commit_callbacks() as callbacks:
        dataset_version_request_pdf(dataset_version=version, actor=registry_user)
        assert calls == []
    assert len(callbacks) == 1
    assert calls == []  # nothing before the commit
    callbacks[0]()
    assert calls == [version.pk]
    assert AuditEntry.objects.filter(action="dataset_version.pdf_request").count() == 1


def test_other_registry_staff_get_404(client, registry, other_registry_user):
    version = submitted_version(registry, variables=2)
    client.force_login(other_registry_user)
    kwargs = {"acronym": registry.acronym, "number": version.number}
    assert client.get(reverse("dossiers:version_pdf", kwargs=kwargs)).status_code == 404
    response = client.post(reverse("dossiers:version_pdf_request", kwargs=kwargs))
    assert response.status_code == 404
    assert not AuditEntry.objects.filter(action="dataset_version.pdf_request").exists()


def test_request_then_download(client, registry, registry_user, django_capture_on_commit_callbacks):
    version = submitted_version(registry, variables=5)
    client.force_login(registry_user)
    kwargs = {"acronym": registry.acronym, "number": version.number}
    status_url = reverse("dossiers:version_pdf", kwargs=kwargs)
    response = client.get(status_url)
    assert response.status_code == 200
    assert b'http-equiv="refresh" content="3"' in response.content
    assert b"<progress" in response.content
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("dossiers:version_pdf_request", kwargs=kwargs))
    assert response.status_code == 302
    assert response.url == status_url
    response = client.get(status_url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert b"".join(response.streaming_content).startswith(b"%PDF-")


def test_draft_status_page_explains(client, registry, registry_user):
    draft = DatasetVersionFactory(registry=registry)
    client.force_login(registry_user)
    kwargs = {"acronym": registry.acronym, "number": draft.number}
    response = client.get(reverse("dossiers:version_pdf", kwargs=kwargs))
    assert response.status_code == 200
    assert b"refresh" not in response.content
    assert b"Only a submitted version has a PDF" in response.content
    response = client.post(reverse("dossiers:version_pdf_request", kwargs=kwargs))
    assert response.status_code == 302
    assert not AuditEntry.objects.filter(action="dataset_version.pdf_request").exists()
