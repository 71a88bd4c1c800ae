"""register.documents: one content and size check for every way a document comes in."""

import io
import zipfile

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.translation import gettext as _

from register.constants import SubmissionStatus
from register.documents import document_file_check
from register.exceptions import DomainError, PermissionDenied
from register.forms import DocumentForm
from register.models import Document, Submission
from register.services import document_add, submission_apply
from tests.factories import SubmissionFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n% test\n"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def zip_bytes(*members: tuple[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in members:
            archive.writestr(name, content)
    return buffer.getvalue()


DOCX = zip_bytes(("[Content_Types].xml", "<Types/>"), ("word/document.xml", "<document/>"))
XLSX = zip_bytes(("[Content_Types].xml", "<Types/>"), ("xl/workbook.xml", "<workbook/>"))
ODT = zip_bytes(("mimetype", "application/vnd.oasis.opendocument.text"), ("content.xml", "<o/>"))


@pytest.mark.parametrize(
    "name, content", [("a.pdf", PDF), ("a.docx", DOCX), ("a.xlsx", XLSX), ("a.ODT", ODT)]
)
def test_accepted_types_pass_by_content(name, content):
    document_file_check(ContentFile(content, name=name))


@pytest.mark.parametrize(
    "name, content",
    [
        ("a.pdf", b"GIF89a"),  # disguised image
        ("a.docx", PDF),  # extension and content disagree
        ("a.xlsx", DOCX),
        ("a.odt", zip_bytes(("mimetype", "application/zip"))),
        ("a.exe", PDF),  # a type not allowed, whatever its content
        ("pdf", PDF),  # no extension
    ],
)
def test_wrong_content_or_extension_is_refused_on_the_file(name, content):
    with pytest.raises(DomainError) as error:
        document_file_check(ContentFile(content, name=name))
    assert error.value.field == "file"


def test_oversize_file_is_refused(settings):
    settings.MAX_UPLOAD_BYTES = 100
    with pytest.raises(DomainError) as error:
        document_file_check(ContentFile(PDF + b"x" * 200, name="a.pdf"))
    assert error.value.field == "file" and "100" in error.value.message


def add_dpia(registry, actor, content: bytes):
    file = ContentFile(content, name="dpia.pdf")
    return document_add(registry=registry, actor=actor, kind="dpia", title="DPIA", file=file)


@pytest.mark.parametrize(
    "content", [b"MZ\x90\x00", PDF + b"x" * 200], ids=["disguised", "oversize"]
)
def test_document_add_refuses_a_bad_file_and_writes_nothing(
    registry, registry_user, settings, content
):
    settings.MAX_UPLOAD_BYTES = 100
    with pytest.raises(DomainError) as error:
        add_dpia(registry, registry_user, content)
    assert error.value.field == "file"
    assert not Document.objects.exists()


def test_document_add_checks_permission_before_reading_the_file(registry, other_registry_user):
    with pytest.raises(PermissionDenied):
        add_dpia(registry, other_registry_user, b"not a pdf")


def test_form_gives_the_same_message_as_the_service(registry, registry_user):
    upload = SimpleUploadedFile("dpia.pdf", b"GIF89a")
    form = DocumentForm({"kind": "dpia", "title": "DPIA"}, {"file": upload})
    assert not form.is_valid()
    with pytest.raises(DomainError) as error:
        document_add(registry=registry, actor=registry_user, kind="dpia", title="DPIA", file=upload)
    assert form.errors["file"] == [error.value.message]


@pytest.fixture
def advised(registry):
    return SubmissionFactory(dataset_version__registry=registry, status=SubmissionStatus.ADVISED)


@pytest.mark.parametrize(
    "form, evidence, field",
    [
        (ContentFile(b"GIF89a", name="aanvraag.pdf"), [], "application_form"),
        (
            ContentFile(PDF, name="aanvraag.pdf"),
            [ContentFile(b"GIF89a", name="bewijs.pdf")],
            "evidence",
        ),
    ],
)
def test_apply_refuses_a_disguised_file_on_its_input_and_writes_nothing(
    advised, registry_user, form, evidence, field
):
    with pytest.raises(DomainError) as error:
        submission_apply(
            submission=advised, actor=registry_user, application_form=form, evidence=evidence
        )
    assert error.value.field == field
    assert error.value.message == _(
        "Upload a PDF, DOCX, XLSX or ODT file. This file's content is not a %(type)s file."
    ) % {"type": "PDF"}
    assert not Document.objects.exists()
    assert Submission.objects.get(pk=advised.pk).status == SubmissionStatus.ADVISED
