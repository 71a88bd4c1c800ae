"""Downloading a version's table in the browser, in the exchange layout: export → import in the
portal gives the same table."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from register.models import DatasetVersion
from register.services import dataset_version_create, variable_save
from register.table_io import read_table, table_from_version

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def version(registry, registry_user):
    version = dataset_version_create(registry=registry, actor=registry_user, copy_previous=False)
    variable_save(
        dataset_version=version,
        actor=registry_user,
        data={
            "code": "LEEFTIJD",
            "name": "Leeftijd",
            "purposes": ["learn_improve"],
            "necessity": "=SUM(A1) is tekst, geen formule",
        },
        requirements={"AZ": "base", "UMC": "plus"},
    )
    return version


def export_url(version, format):
    return reverse(
        "dossiers:version_export",
        kwargs={"acronym": version.registry.acronym, "number": version.number, "format": format},
    )


@pytest.mark.parametrize("format", ["xlsx", "csv", "json"])
def test_export_then_import_gives_the_same_table(client, registry_user, version, format):
    client.force_login(registry_user)
    response = client.get(export_url(version, format))
    assert response.status_code == 200
    assert f"v{version.number}.{format}" in response["Content-Disposition"]
    content = b"".join(response.streaming_content) if response.streaming else response.content
    assert read_table(content, format=format).variables == table_from_version(version).variables

    response = client.post(
        reverse("dossiers:table_import", kwargs={"acronym": version.registry.acronym}),
        {"file": SimpleUploadedFile(f"tabel.{format}", content)},
    )
    assert response.status_code == 302
    imported = DatasetVersion.objects.filter(registry=version.registry).order_by("-number")[0]
    assert imported.pk != version.pk
    assert table_from_version(imported).variables == table_from_version(version).variables


def test_json_export_is_the_documented_schema(client, registry_user, version):
    client.force_login(registry_user)
    data = json.loads(client.get(export_url(version, "json")).content)
    assert [v["code"] for v in data["variables"]] == ["LEEFTIJD"]


def test_unknown_format_and_other_registry_are_404(
    client, registry_user, other_registry_user, version
):
    client.force_login(registry_user)
    assert client.get(export_url(version, "docx")).status_code == 404
    client.force_login(other_registry_user)
    assert client.get(export_url(version, "xlsx")).status_code == 404
