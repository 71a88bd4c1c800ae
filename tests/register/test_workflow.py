"""The application to Zorginstituut follows the final advice of the supplementary review."""

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.translation import gettext as _

from register.constants import SubmissionStage, SubmissionStatus
from register.exceptions import DomainError
from register.models import Document, Submission
from register.services import submission_apply
from register.workflow import application_refusal, can_apply
from tests.factories import SubmissionFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n% test\n"
FOLLOWS_SUPPLEMENTARY = "The application follows the advice of the supplementary review."


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def advised_at(stage, registry) -> Submission:
    return SubmissionFactory(
        dataset_version__registry=registry, stage=stage, status=SubmissionStatus.ADVISED
    )


@pytest.fixture
def first_advised(registry):
    return advised_at(SubmissionStage.FIRST, registry)


@pytest.mark.parametrize(
    "stage, status, allowed",
    [
        (SubmissionStage.SUPPLEMENTARY, SubmissionStatus.ADVISED, True),
        (SubmissionStage.ANNUAL_UPDATE, SubmissionStatus.ADVISED, True),
        (SubmissionStage.FIRST, SubmissionStatus.ADVISED, False),
        (SubmissionStage.SUPPLEMENTARY, SubmissionStatus.IN_REVIEW, False),
        (SubmissionStage.SUPPLEMENTARY, SubmissionStatus.APPLIED, False),
        (SubmissionStage.SUPPLEMENTARY, SubmissionStatus.DECIDED, False),
    ],
)
def test_application_is_allowed_only_after_final_advice(stage, status, allowed):
    submission = Submission(stage=stage, status=status)
    assert can_apply(submission) is allowed
    assert submission.can_apply is allowed
    assert (application_refusal(submission) is None) is allowed


def test_first_review_advice_cannot_be_applied_and_nothing_is_written(first_advised, registry_user):
    with pytest.raises(DomainError) as error:
        submission_apply(
            submission=first_advised,
            actor=registry_user,
            application_form=ContentFile(PDF, name="aanvraag.pdf"),
        )
    assert error.value.message == _(FOLLOWS_SUPPLEMENTARY)
    first_advised.refresh_from_db()
    assert first_advised.status == SubmissionStatus.ADVISED and first_advised.applied_at is None
    assert not Document.objects.exists()


def test_dossier_page_offers_the_application_only_where_allowed(
    client, registry, registry_user, first_advised
):
    supplementary = advised_at(SubmissionStage.SUPPLEMENTARY, registry)
    client.force_login(registry_user)
    page = client.get(reverse("dossiers:registry_detail", kwargs={"acronym": registry.acronym}))
    assert apply_url(supplementary).encode() in page.content
    assert apply_url(first_advised).encode() not in page.content


def apply_url(submission):
    return reverse(
        "dossiers:submission_apply",
        kwargs={"acronym": submission.registry.acronym, "pk": submission.pk},
    )


def test_apply_page_of_a_first_review_explains_and_refuses(client, registry_user, first_advised):
    client.force_login(registry_user)
    page = client.get(apply_url(first_advised))
    assert page.status_code == 200 and page.context["form"] is None
    assert _(FOLLOWS_SUPPLEMENTARY) in page.content.decode()
    response = client.post(
        apply_url(first_advised),
        {"application_form": SimpleUploadedFile("aanvraag.pdf", PDF)},
    )
    assert response.status_code == 409
    first_advised.refresh_from_db()
    assert first_advised.status == SubmissionStatus.ADVISED and not Document.objects.exists()
