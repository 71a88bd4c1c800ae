"""Importing the accountability table in the browser: atomic, every error listed with its
sheet, row and column (page and CSV), large files through a task behind a progress page."""

import csv
import html
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from register import table_imports
from register.models import AuditEntry, DatasetVersion, TableImport, TableImportStatus, Variable
from register.services import dataset_version_create
from register.table_io import (
    Table,
    TableInvalid,
    TableVariable,
    read_table,
    table_bytes,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def client_reg(client, registry_user):
    client.force_login(registry_user)
    return client


def csv_bytes(rows: int, *, bad_rows=()) -> bytes:
    """A CSV table of ``rows`` variables; rows in ``bad_rows`` (1-based) have an unknown set."""
    lines = ["Code,Variabele,Doelen,Noodzakelijkheid,AZ"]
    for n in range(1, rows + 1):
        cell = "misschien" if n in bad_rows else "basis"
        lines.append(f"V{n:04d},Variabele {n},leren en verbeteren,Nodig voor de audit,{cell}")
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


def xlsx_with_errors() -> bytes:
    """A workbook with errors in both sheets."""
    workbook = Workbook()
    table = workbook.active
    table.title = "Verantwoordingstabel"
    table.append(["Code", "Variabele", "Datatype", "AZ"])
    table.append(["LEEFTIJD", "Leeftijd", "getal", "basis"])
    table.append(["KLEUR", "Kleur", "kleurtje", "basis"])  # unknown data type
    table.append(["ASA", "", "code", "misschien"])  # name missing, unknown set
    indicators = workbook.create_sheet("Indicatoren")
    indicators.append(["Code", "Naam"])
    indicators.append(["IND 1!", "Sterfte"])  # not a valid code
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def upload(content: bytes, name: str):
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def import_url(registry):
    return reverse("dossiers:table_import", kwargs={"acronym": registry.acronym})


def status_url(job):
    return reverse(
        "dossiers:table_import_status", kwargs={"acronym": job.registry.acronym, "pk": job.pk}
    )


def errors_url(job):
    return reverse(
        "dossiers:table_import_errors", kwargs={"acronym": job.registry.acronym, "pk": job.pk}
    )


def page(response) -> str:
    return html.unescape(response.content.decode())


def error_csv_rows(client, job) -> list[list[str]]:
    response = client.get(errors_url(job))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def counts():
    return DatasetVersion.objects.count(), Variable.objects.count()


# --- Small files: in the request ---------------------------------------------------------------


def test_form_names_the_formats_and_the_limit(client_reg, registry, settings):
    settings.MAX_UPLOAD_BYTES = 5 * 1024 * 1024
    response = client_reg.get(import_url(registry))
    assert response.status_code == 200
    text = page(response)
    assert "Excel (.xlsx), CSV (.csv) or JSON (.json)" in text
    assert "at most 5.0\xa0MB" in text
    assert 'enctype="multipart/form-data"' in text
    dossier = client_reg.get(reverse("dossiers:registry_detail", args=[registry.acronym]))
    assert import_url(registry) in dossier.content.decode()


def test_small_file_becomes_a_new_draft_version(client_reg, registry, registry_user):
    old = dataset_version_create(registry=registry, actor=registry_user)
    response = client_reg.post(import_url(registry), {"file": upload(csv_bytes(3), "tabel.csv")})
    version = registry.dataset_versions.get(number=old.number + 1)
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "dossiers:version_detail", args=[registry.acronym, version.number]
    )
    assert sorted(version.variables.values_list("code", flat=True)) == ["V0001", "V0002", "V0003"]
    assert version.variables.get(code="V0002").requirements.get().set == "base"
    job = TableImport.objects.get()
    assert (job.status, job.progress, job.created_version, job.row_count, job.format) == (
        TableImportStatus.DONE,
        100,
        version,
        3,
        "csv",
    )
    assert job.original_name == "tabel.csv"
    assert job.file.name.startswith(f"imports/{registry.acronym}/")
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"table_import.start", "table_import.done", "accountability_table.import"} <= actions
    followed = client_reg.get(response["Location"])
    assert "The table has been imported from tabel.csv as version" in page(followed)


def test_file_with_errors_changes_nothing_and_lists_every_error(client_reg, registry):
    content = xlsx_with_errors()
    with pytest.raises(TableInvalid) as expected:
        read_table(content, format="xlsx")
    expected_details = expected.value.details
    assert {d.sheet for d in expected_details} == {"Verantwoordingstabel", "Indicatoren"}
    assert len(expected_details) >= 4
    before, audit_before = counts(), AuditEntry.objects.count()

    response = client_reg.post(import_url(registry), {"file": upload(content, "tabel.xlsx")})

    assert response.status_code == 400
    assert counts() == before
    text = page(response)
    assert f"The table has not been imported: {len(expected_details)} errors" in text
    assert "Sheet Verantwoordingstabel" in text and "Sheet Indicatoren" in text
    for detail in expected_details:
        assert f"<td>{detail.row}</td><td>{detail.column}</td><td>{detail.message}</td>" in text
    assert "unknown value 'kleurtje'" in text
    job = TableImport.objects.get()
    assert job.status == TableImportStatus.FAILED and job.created_version is None
    assert errors_url(job) in text
    # Audit: the upload and its refusal, nothing of a version.
    assert list(
        AuditEntry.objects.order_by("id")[audit_before:].values_list("action", flat=True)
    ) == ["table_import.start", "table_import.failed"]

    rows = error_csv_rows(client_reg, job)
    assert rows[0] == ["sheet", "row", "column", "message"]
    assert rows[1:] == [[d.sheet, d.row, d.column, d.message] for d in expected_details]


def test_error_list_cells_are_safe_in_a_spreadsheet(client_reg, registry):
    content = b'Code,Variabele,Datatype\r\nV1,Naam,"=HYPERLINK(""http://evil.example"")"\r\n'
    response = client_reg.post(import_url(registry), {"file": upload(content, "t.csv")})
    assert response.status_code == 400
    rows = error_csv_rows(client_reg, TableImport.objects.get())
    assert rows[1][:3] == ["", "2", "Datatype"]
    assert rows[1][3].startswith("unknown value '=HYPERLINK")  # starts with "u": no formula


def test_structured_errors_match_the_messages():
    content = csv_bytes(3, bad_rows={2}) + b",,,,\r\nV0001,Dubbel,,,\r\n"
    with pytest.raises(TableInvalid) as error:
        read_table(content, format="csv")
    errors, details = error.value.errors, error.value.details
    assert len(details) == len(errors) == 2
    for message, detail in zip(errors, details, strict=True):
        assert message == f"row {detail.row}, column {detail.column}: {detail.message}"
    assert [(d.row, d.column) for d in details] == [("3", "AZ"), ("6", "Code")]


# --- Refused before anything is stored ---------------------------------------------------------


def test_upload_over_the_limit_is_refused_with_the_limit(client_reg, registry, settings):
    settings.MAX_UPLOAD_BYTES = 1024 * 1024
    content = csv_bytes(20000)
    assert len(content) > 1024 * 1024
    response = client_reg.post(import_url(registry), {"file": upload(content, "groot.csv")})
    assert response.status_code == 400
    text = page(response)
    assert "Accountability table file: The file is" in text  # the summary names the field
    assert "may be at most 1.0\xa0MB" in text
    assert TableImport.objects.count() == 0 and DatasetVersion.objects.count() == 0


@pytest.mark.parametrize(
    "content, name, message",
    [
        (PNG, "tabel.xlsx", "This file is named .xlsx but its content is not an Excel workbook"),
        (b"PK\x03\x04 not really a zip", "tabel.xlsx", "its content is not an Excel workbook"),
        (PNG, "tabel.csv", "This file is named .csv but its content is not text"),
        (b'{"variables": [', "tabel.json", "its content is not valid JSON (line 1)"),
        (b"Code,Variabele\r\nV1,Naam\r\n", "tabel.txt", "Upload an Excel (.xlsx), CSV (.csv)"),
    ],
)
def test_file_that_is_not_a_table_is_refused_clearly(client_reg, registry, content, name, message):
    response = client_reg.post(import_url(registry), {"file": upload(content, name)})
    assert response.status_code == 400
    assert message in page(response)
    assert TableImport.objects.count() == 0
    assert not AuditEntry.objects.filter(action__startswith="table_import").exists()


def test_word_document_named_xlsx_is_refused(client_reg, registry):
    out = io.BytesIO()
    import zipfile

    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    response = client_reg.post(import_url(registry), {"file": upload(out.getvalue(), "t.xlsx")})
    assert response.status_code == 400
    assert "not an Excel workbook" in page(response)


# --- Large files: a task behind a progress page ---------------------------------------------------


def big_xlsx(rows: int) -> bytes:
    table = Table(
        variables=[
            TableVariable(
                code=f"V{n:04d}",
                name=f"Variabele {n}",
                purposes=["learn_improve"],
                necessity="Nodig",
                requirements={"AZ": "base"},
            )
            for n in range(1, rows + 1)
        ]
    )
    return table_bytes(table, format="xlsx", categories=["AZ"])


def test_rows_are_counted_quickly_per_format():
    assert table_imports.table_row_count(big_xlsx(701), "xlsx") == 701
    assert table_imports.table_row_count(csv_bytes(42) + b",,,,\r\n", "csv") == 42
    assert table_imports.table_row_count(b'{"variables": [{}, {}]}', "json") == 2
    assert table_imports.table_row_count(b"PK\x03\x04broken", "xlsx") == 0


def test_large_file_runs_in_the_task_and_the_page_links_the_version(
    client_reg, registry, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client_reg.post(
            import_url(registry), {"file": upload(big_xlsx(501), "groot.xlsx")}
        )
    job = TableImport.objects.get()
    assert response.status_code == 302 and response["Location"] == status_url(job)
    assert len(callbacks) == 1  # the task is dispatched after commit, not run in the request
    assert job.status == TableImportStatus.PENDING and job.row_count == 501
    assert DatasetVersion.objects.count() == 0

    waiting = client_reg.get(status_url(job))
    assert waiting.status_code == 200
    text = waiting.content.decode()
    assert '<meta http-equiv="refresh" content="2">' in text
    assert re.search(r'<progress id="import-progress" max="100" value="0">0%</progress>', text)
    assert "<script" not in text
    assert "Waiting to start." in page(waiting)

    callbacks[0]()  # the eager task: table_import_run

    job.refresh_from_db()
    version = job.created_version
    assert job.status == TableImportStatus.DONE and job.progress == 100
    assert version.variables.count() == 501
    done = client_reg.get(status_url(job))
    text = page(done)
    assert 'http-equiv="refresh"' not in text
    assert "The table has been imported as version 1 (draft)." in text
    assert reverse("dossiers:version_detail", args=[registry.acronym, version.number]) in text


def test_failing_large_file_records_every_error_and_writes_nothing(
    client_reg, registry, registry_user, django_capture_on_commit_callbacks
):
    dataset_version_create(registry=registry, actor=registry_user)
    before = counts()
    with django_capture_on_commit_callbacks(execute=True):
        response = client_reg.post(
            import_url(registry), {"file": upload(csv_bytes(600, bad_rows={7, 599}), "t.csv")}
        )
    job = TableImport.objects.get()
    assert response["Location"] == status_url(job)
    assert job.status == TableImportStatus.FAILED and job.row_count == 600
    assert job.errors == [
        "row 8, column AZ: unknown value 'misschien'",
        "row 600, column AZ: unknown value 'misschien'",
    ]
    assert counts() == before
    text = page(client_reg.get(status_url(job)))
    assert 'http-equiv="refresh"' not in text
    assert "The table has not been imported: 2 errors" in text
    assert "<td>600</td><td>AZ</td><td>unknown value 'misschien'</td>" in text
    assert error_csv_rows(client_reg, job)[1:] == [
        ["", "8", "AZ", "unknown value 'misschien'"],
        ["", "600", "AZ", "unknown value 'misschien'"],
    ]


def test_run_commits_progress_before_writing_and_is_idempotent(
    registry, registry_user, monkeypatch, django_capture_on_commit_callbacks
):
    seen = []
    real_import = table_imports.accountability_table_import

    def spy(**kwargs):
        job = TableImport.objects.get()
        seen.append((job.status, job.progress))
        return real_import(**kwargs)

    monkeypatch.setattr(table_imports, "accountability_table_import", spy)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = table_imports.table_import_start(
            registry=registry, actor=registry_user, upload=upload(csv_bytes(501), "t.csv")
        )
    assert len(callbacks) == 1
    table_imports.table_import_run(job.pk)
    table_imports.table_import_run(job.pk)  # a redelivered task
    assert seen == [(TableImportStatus.RUNNING, table_imports.PROGRESS_WRITING)]
    assert DatasetVersion.objects.count() == 1
    assert AuditEntry.objects.filter(action="table_import.done").count() == 1


def test_import_refused_when_the_grant_is_gone_by_the_time_it_runs(
    registry, registry_user, django_capture_on_commit_callbacks
):
    from guardian.shortcuts import remove_perm

    with django_capture_on_commit_callbacks(execute=False):
        job = table_imports.table_import_start(
            registry=registry, actor=registry_user, upload=upload(csv_bytes(501), "t.csv")
        )
    remove_perm("register.manage_dossier", registry_user, registry)
    table_imports.table_import_run(job.pk)
    job.refresh_from_db()
    assert job.status == TableImportStatus.FAILED
    assert job.errors == ["You may not do this."]
    assert DatasetVersion.objects.count() == 0


# --- Other registries ------------------------------------------------------------------------------


def test_another_registrys_import_is_not_found(
    client, registry, registry_user, other_registry, other_registry_user
):
    client.force_login(registry_user)
    client.post(import_url(registry), {"file": upload(csv_bytes(1, bad_rows={1}), "t.csv")})
    job = TableImport.objects.get()
    other_job = TableImport.objects.create(
        registry=other_registry,
        uploaded_by=other_registry_user,
        original_name="x.csv",
        format="csv",
        status=TableImportStatus.FAILED,
        error_details=[["", "2", "AZ", "geheim"]],
    )
    # Another registry's job under one's own registry: not found.
    for name in ("dossiers:table_import_status", "dossiers:table_import_errors"):
        url = reverse(name, kwargs={"acronym": registry.acronym, "pk": other_job.pk})
        assert client.get(url).status_code == 404
    client.force_login(other_registry_user)
    before = counts(), TableImport.objects.count(), AuditEntry.objects.count()
    assert client.get(import_url(registry)).status_code == 404
    response = client.post(import_url(registry), {"file": upload(csv_bytes(2), "t.csv")})
    assert response.status_code == 404
    assert client.get(status_url(job)).status_code == 404
    assert client.get(errors_url(job)).status_code == 404
    assert (counts(), TableImport.objects.count(), AuditEntry.objects.count()) == before


def test_import_page_lists_recent_imports(client_reg, registry):
    client_reg.post(import_url(registry), {"file": upload(csv_bytes(2), "goed.csv")})
    client_reg.post(import_url(registry), {"file": upload(csv_bytes(2, bad_rows={1}), "fout.csv")})
    text = page(client_reg.get(import_url(registry)))
    assert "goed.csv" in text and "fout.csv" in text
    assert "1 error" in text
    assert reverse("dossiers:version_detail", args=[registry.acronym, 1]) in text
