"""The advice pages: the committee's /reviews/<pk>/advice/, the registry's reaction page, the
advice PDF with its progress, and what the public register shows."""

import io
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from register.constants import SubmissionStage
from register.models import AuditEntry
from register.services import dataset_version_create, dataset_version_submit, variable_save
from reviews import advice as flow
from reviews.constants import (
    AdviceOutcome,
    AdviceStatus,
    Perspective,
    RenderStatus,
    ReviewStatus,
    Verdict,
)
from reviews.models import Advice, Committee, MemberPosition, Membership, VariableJudgement
from tests.factories import (
    DecisionFactory,
    UserFactory,
    advise,
    clean_dossier,
    committee_chair,
    criteria_all_met,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

SECRET_NOTE = "Intern: de voorzitter twijfelt aan het draagvlak."


def _submit(registry, user, variables=("LEEFTIJD", "GESLACHT", "POSTCODE")):
    version = dataset_version_create(registry=registry, actor=user, copy_previous=False)
    for code in variables:
        variable_save(
            dataset_version=version,
            actor=user,
            data={"code": code, "name": code.capitalize(), "necessity": "Casemix."},
            requirements={"AZ": "base"},
        )
    clean_dossier(version, SubmissionStage.SUPPLEMENTARY, user=user)
    return dataset_version_submit(
        dataset_version=version, actor=user, stage=SubmissionStage.SUPPLEMENTARY
    )


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def submission(registry, registry_user):
    return _submit(registry, registry_user)


@pytest.fixture
def review(submission):
    return submission.reviews.get(committee__code="IGC")


@pytest.fixture
def chair(db):
    return committee_chair(Committee.objects.get(code="IGC"))


def page_url(review):
    return reverse("reviews:review_advice", kwargs={"pk": review.pk})


def react_url(advice):
    registry = advice.review.submission.registry
    return reverse("dossiers:advice_react", kwargs={"acronym": registry.acronym, "pk": advice.pk})


def draft_post(**fields):
    return {
        "action": "draft",
        "outcome": AdviceOutcome.NEGATIVE,
        "motivation": "Het draagvlak ontbreekt.",
        "reaction_deadline": (timezone.localdate() + timedelta(days=14)).isoformat(),
        **fields,
    }


def send_draft(review, actor, outcome=AdviceOutcome.NEGATIVE, days=14):
    return flow.advice_draft(
        review=review,
        actor=actor,
        outcome=outcome,
        motivation="Het draagvlak ontbreekt.",
        reaction_deadline=timezone.localdate() + timedelta(days=days),
    )


# --- The committee's advice page -----------------------------------------------------------------


def test_page_shows_the_draft_form_and_the_section_navigation(client, review, igc_user):
    client.force_login(igc_user)
    response = client.get(page_url(review))
    assert response.status_code == 200
    content = response.content.decode()
    assert f'href="{page_url(review)}" aria-current="page"' in content
    assert 'name="outcome"' in content and 'name="reaction_deadline"' in content
    assert "A positive advice is not possible" in content  # knock-outs not yet assessed
    assert 'name="reason"' in content  # declaring a conflict of interest


def test_member_sends_a_draft_and_the_page_shows_positions_with_perspectives(
    client, review, igc_user, chair
):
    client.force_login(igc_user)
    response = client.post(page_url(review), draft_post())
    assert response.status_code == 302 and response["Location"] == page_url(review)
    advice = Advice.objects.get(review=review)
    review.refresh_from_db()
    assert review.status == ReviewStatus.DRAFT_ADVICE

    response = client.post(page_url(review), {"action": "position", "position": "agree"})
    assert response.status_code == 302
    assert MemberPosition.objects.get(advice=advice, member=igc_user).position == "agree"
    content = client.get(page_url(review)).content.decode()
    assert "care professionals" in content and "patients" in content  # the perspectives
    assert "Not unanimous" in content and "1 of 2 participating members agree" in content
    assert 'value="conclude"' not in content  # not the chair

    client.force_login(chair)
    client.post(page_url(review), {"action": "position", "position": "agree"})
    content = client.get(page_url(review)).content.decode()
    assert "Unanimous" in content and "Every participating member agrees." in content
    # The registry may still react: the chair cannot conclude yet.
    assert 'value="conclude"' not in content
    assert "once the registry has reacted" in content


def test_past_deadline_on_the_page_names_the_field_and_keeps_the_text(client, review, igc_user):
    client.force_login(igc_user)
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    response = client.post(
        page_url(review), draft_post(reaction_deadline=yesterday, motivation="Mijn tekst.")
    )
    assert response.status_code == 400
    content = response.content.decode()
    assert 'href="#id_reaction_deadline"' in content and "is in the past" in content
    assert "Mijn tekst." in content  # nothing typed is lost
    assert not Advice.objects.exists()


def test_positive_refused_on_the_page_when_a_knockout_is_not_assessed(client, review, igc_user):
    client.force_login(igc_user)
    response = client.post(page_url(review), draft_post(outcome=AdviceOutcome.POSITIVE))
    assert response.status_code == 400
    assert list(response.context["draft_form"].errors) == ["outcome"]
    assert not Advice.objects.exists()


def test_declaring_a_conflict_excludes_the_member(client, review, igc_user):
    client.force_login(igc_user)
    response = client.post(page_url(review), {"action": "conflict", "reason": "Ik werk er."})
    assert response.status_code == 302 and response["Location"] == reverse("reviews:review_list")
    assert review.conflicts.get().member == igc_user
    assert client.get(page_url(review)).status_code == 404
    assert client.post(page_url(review), draft_post()).status_code == 404
    assert client.get(reverse("reviews:review_detail", kwargs={"pk": review.pk})).status_code == 404
    assert not Advice.objects.exists()


def test_conflict_without_reason_is_named(client, review, igc_user):
    client.force_login(igc_user)
    response = client.post(page_url(review), {"action": "conflict", "reason": ""})
    assert response.status_code == 400
    assert 'href="#id_reason"' in response.content.decode()
    assert not review.conflicts.exists()


def test_non_chair_conclude_is_refused_without_a_500(client, review, igc_user):
    chair = UserFactory(email="igc-chair@example.org")
    committee = Committee.objects.get(code="IGC")
    chair.groups.add(committee.group)
    Membership.objects.create(
        committee=committee, user=chair, perspective=Perspective.PROFESSIONALS, is_chair=True
    )
    send_draft(review, igc_user, days=0)
    client.force_login(igc_user)
    response = client.post(page_url(review), {"action": "conclude"})
    assert response.status_code == 403
    assert "(or its acting chair) can conclude its advice" in response.content.decode()
    assert Advice.objects.get().status == AdviceStatus.DRAFT


def test_unknown_action_changes_nothing(client, review, igc_user):
    client.force_login(igc_user)
    entries = AuditEntry.objects.count()
    assert client.post(page_url(review), {"action": "delete"}).status_code == 400
    assert client.post(page_url(review), {"action": "conclude"}).status_code == 400
    assert AuditEntry.objects.count() == entries


def test_take_back_and_concluded_advice_is_read_only(client, review, igc_user, chair):
    send_draft(review, igc_user)
    client.force_login(igc_user)
    assert client.post(page_url(review), {"action": "withdraw"}).status_code == 302
    review.refresh_from_db()
    assert review.status == ReviewStatus.OPEN
    assert "took its draft advice back" in client.get(page_url(review)).content.decode()

    advice = send_draft(review, igc_user, days=0)
    Advice.objects.filter(pk=advice.pk).update(
        reaction_deadline=timezone.localdate() - timedelta(days=1)
    )
    client.force_login(chair)
    assert 'value="conclude"' in client.get(page_url(review)).content.decode()
    assert client.post(page_url(review), {"action": "conclude"}).status_code == 302
    content = client.get(page_url(review)).content.decode()
    assert 'name="outcome"' not in content and 'value="withdraw"' not in content
    response = client.post(page_url(review), draft_post(motivation="Anders."))
    assert response.status_code == 409
    assert Advice.objects.get().motivation == "Het draagvlak ontbreekt."


# --- The advice PDF --------------------------------------------------------------------------------


def _pdf_text(data: bytes, tmp_path) -> str:
    """The PDF's text, as a reader gets it (pypdf)."""
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_render_writes_progress_and_a_pdf_with_the_registrys_name_and_verdict(
    client, registry, review, igc_user, registry_user, tmp_path, django_capture_on_commit_callbacks
):
    criteria_all_met(review, igc_user)
    variables = {v.code: v for v in review.dataset_version.variables.all()}
    now = timezone.now()
    VariableJudgement.objects.create(
        review=review, variable=variables["POSTCODE"], verdict="reject",
        necessity="De volledige postcode is niet nodig.", judged_by=igc_user, judged_at=now,
    )  # fmt: skip
    VariableJudgement.objects.create(
        review=review, variable=variables["LEEFTIJD"], verdict="accept",
        judged_by=igc_user, judged_at=now,
    )  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        advice = advise(
            review,
            AdviceOutcome.POSITIVE_WITH_CONDITIONS,
            actor=igc_user,
            conditions="Lever de postcode op 4 cijfers aan.",
        )
    assert len(callbacks) == 1
    advice.refresh_from_db()
    assert advice.render_status == RenderStatus.DONE and advice.render_progress == 100
    assert advice.render_error == ""

    client.force_login(registry_user)
    response = client.get(reverse("reviews:advice_document", kwargs={"pk": review.pk}))
    data = b"".join(response.streaming_content)
    assert data.startswith(b"%PDF")
    text = _pdf_text(data, tmp_path)
    assert registry.name in text
    assert "positief onder voorwaarden" in text  # the verdict, in the Dutch document
    assert "Lever de postcode op 4 cijfers aan." in text  # the conditions
    assert "POSTCODE" in text and "De volledige postcode is niet" in text
    with translation.override("nl"):  # the judgements summary: counts per verdict
        reject, accept = str(Verdict.REJECT.label), str(Verdict.ACCEPT.label)
    assert f"{accept} 1, {reject} 1" in text and "niet beoordeeld 1" in text
    assert "Geldig tot" in text and "Niet unaniem" in text  # term and unanimity
    assert "igc@example.org" not in text  # no member names


def test_a_failed_render_is_kept_with_its_message_and_can_be_retried(
    client, review, igc_user, monkeypatch, django_capture_on_commit_callbacks
):
    def broken(*args, **kwargs):
        raise RuntimeError("font cache unavailable")

    monkeypatch.setattr("register.pdf.render_pdf", broken)
    with django_capture_on_commit_callbacks(execute=True):
        advice = advise(review, AdviceOutcome.NEGATIVE, actor=igc_user)
    advice.refresh_from_db()
    assert advice.status == AdviceStatus.DEFINITIVE  # the advice itself is kept
    assert advice.render_status == RenderStatus.FAILED and not advice.document
    assert advice.render_error == "RuntimeError: font cache unavailable"
    assert AuditEntry.objects.filter(action="advice.render_failed").exists()

    client.force_login(igc_user)
    response = client.get(page_url(review))
    assert response.status_code == 200
    content = response.content.decode()
    assert "font cache unavailable" in content and 'value="render"' in content
    assert 'http-equiv="refresh"' not in content

    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(page_url(review), {"action": "render"})
    assert response.status_code == 302 and len(callbacks) == 1
    advice.refresh_from_db()
    assert advice.render_status == RenderStatus.PENDING and advice.render_error == ""
    content = client.get(page_url(review)).content.decode()
    # While it renders: a progress bar and a page that refreshes itself.
    assert '<meta http-equiv="refresh"' in content and "<progress" in content
    callbacks[0]()
    advice.refresh_from_db()
    assert advice.render_status == RenderStatus.DONE and advice.document
    content = client.get(page_url(review)).content.decode()
    assert reverse("reviews:advice_document", kwargs={"pk": review.pk}) in content


def test_render_is_safe_to_run_twice(review, igc_user):
    advice = advise(review, AdviceOutcome.NEGATIVE, actor=igc_user)
    flow.advice_document_render(advice_id=advice.pk)
    advice.refresh_from_db()
    name = advice.document.name
    flow.advice_document_render(advice_id=advice.pk)
    advice.refresh_from_db()
    assert advice.document.name == name and advice.render_status == RenderStatus.DONE


# --- The registry's side -------------------------------------------------------------------------


def test_registry_reads_the_draft_and_reacts_but_never_sees_positions(
    client, review, igc_user, registry_user
):
    advice = send_draft(review, igc_user)
    flow.position_record(advice=advice, actor=igc_user, position="disagree", note=SECRET_NOTE)
    client.force_login(registry_user)
    response = client.get(react_url(advice))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Het draagvlak ontbreekt." in content and 'name="reaction"' in content
    assert SECRET_NOTE not in content and "disagree" not in content
    dossier = client.get(
        reverse("dossiers:registry_detail", kwargs={"acronym": review.submission.registry.acronym})
    ).content.decode()
    assert SECRET_NOTE not in dossier and react_url(advice) in dossier

    response = client.post(react_url(advice), {"reaction": "Wij leveren het draagvlak na."})
    assert response.status_code == 302
    advice.refresh_from_db()
    assert advice.registry_reaction == "Wij leveren het draagvlak na."
    content = client.get(react_url(advice)).content.decode()
    assert "Wij leveren het draagvlak na." in content and 'name="reaction"' not in content


def test_late_reaction_on_the_page_is_refused_and_keeps_the_text(
    client, review, igc_user, registry_user
):
    advice = send_draft(review, igc_user, days=0)
    Advice.objects.filter(pk=advice.pk).update(
        reaction_deadline=timezone.localdate() - timedelta(days=1)
    )
    client.force_login(registry_user)
    assert 'name="reaction"' not in client.get(react_url(advice)).content.decode()
    response = client.post(react_url(advice), {"reaction": "Onze late reactie."})
    assert response.status_code == 409
    content = response.content.decode()
    assert "can no longer be recorded" in content and "Onze late reactie." in content
    advice.refresh_from_db()
    assert advice.registry_reaction == "" and advice.reacted_at is None


def test_reaction_page_refuses_other_registries_and_withdrawn_drafts(
    client, review, igc_user, registry_user, other_registry_user
):
    advice = send_draft(review, igc_user)
    client.force_login(other_registry_user)
    wrong = reverse("dossiers:advice_react", kwargs={"acronym": "other", "pk": advice.pk})
    assert client.get(react_url(advice)).status_code == 404
    assert client.get(wrong).status_code == 404
    assert client.post(wrong, {"reaction": "x"}).status_code == 404
    flow.advice_withdraw(advice=advice, actor=igc_user)
    client.force_login(registry_user)
    assert client.get(react_url(advice)).status_code == 404
    assert Advice.objects.get().registry_reaction == ""


# --- The public register -------------------------------------------------------------------------


def _make_unanimous(advice):
    for membership in Membership.objects.filter(committee=advice.review.committee):
        MemberPosition.objects.get_or_create(
            advice=advice,
            member=membership.user,
            defaults={"position": "agree", "recorded_at": timezone.now()},
        )


def test_public_register_shows_advice_term_and_unanimity_only_with_consent(
    client, registry, review, submission, igc_user, dgc_user
):
    igc_member = UserFactory(email="igc2@example.org")
    Membership.objects.create(
        committee=review.committee, user=igc_member, perspective=Perspective.INSURERS
    )
    for code, actor in (("IGC", igc_user), ("DGC", dgc_user)):
        target = submission.reviews.get(committee__code=code)
        criteria_all_met(target, actor)
        draft = send_draft(target, actor, AdviceOutcome.POSITIVE, days=0)
        _make_unanimous(draft)
        chair = committee_chair(target.committee)
        MemberPosition.objects.get_or_create(
            advice=draft,
            member=chair,
            defaults={"position": "agree", "recorded_at": timezone.now()},
        )
        flow.advice_conclude(
            advice=draft, actor=chair, today=timezone.localdate() + timedelta(days=1)
        )
    advice = Advice.objects.get(review=review)
    assert advice.unanimous
    url = reverse("public:registry_detail", kwargs={"acronym": registry.acronym})
    content = client.get(url).content.decode()
    assert "Unanimously positive by IGC and DGC" not in content
    assert "re-assessment due" not in content.lower()
    assert "has not consented to publishing" in content

    registry.publish_advice_consent = True
    registry.save(update_fields=["publish_advice_consent"])
    content = client.get(url).content.decode()
    assert "Unanimously positive by IGC and DGC" in content
    due = advice.valid_until
    assert f"re-assessment due on {due.day} {due:%B} {due.year}" in content
    assert "positive" in content


def test_public_register_query_count_does_not_grow_with_advice(
    client, registry, other_registry, registry_user, other_registry_user
):
    counts = []
    for reg, user, rounds in (
        (registry, registry_user, 1),
        (other_registry, other_registry_user, 3),
    ):
        reg.publish_advice_consent = True
        reg.save(update_fields=["publish_advice_consent"])
        for _ in range(rounds):
            submission = _submit(reg, user)
            for target in submission.reviews.all():
                advise(target, AdviceOutcome.POSITIVE)
        DecisionFactory(registry=reg, dataset_version=submission.dataset_version, published=True)
        url = reverse("public:registry_detail", kwargs={"acronym": reg.acronym})
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200 and "Unanimously" not in response.content.decode()
        counts.append(len(queries))
    assert counts[0] == counts[1]
