"""The clarification pages: the committee's rounds (/reviews/<pk>/clarifications/) and the
registry's view of a review (/dossiers/<acronym>/reviews/<pk>/). Plain forms, no JavaScript."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from register.constants import DatasetStatus
from register.models import AuditEntry, Variable
from register.services import dataset_version_create
from reviews.constants import AdviceOutcome, AdviceStatus, ClarificationStatus, ReviewStatus
from reviews.models import (
    Advice,
    ClarificationQuestion,
    ClarificationRequest,
    CriterionAssessment,
    MemberPosition,
    ReviewNote,
    VariableJudgement,
)
from reviews.notes import review_note_add
from tests.reviews.test_clarifications import _revision, all_answers, submit

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def today():
    return timezone.localdate()


def in_days(n):
    return today() + datetime.timedelta(days=n)


@pytest.fixture
def submission(registry, registry_user):
    return submit(registry, registry_user)


@pytest.fixture
def igc_review(submission):
    return submission.reviews.get(committee__code="IGC")


def committee_url(review):
    return reverse("reviews:review_clarifications", kwargs={"pk": review.pk})


def registry_url(review):
    return reverse(
        "dossiers:review_status",
        kwargs={"acronym": review.submission.registry.acronym, "pk": review.pk},
    )


def round_data(deadline, rows, total=None):
    data = {
        "deadline": deadline.isoformat() if hasattr(deadline, "isoformat") else deadline,
        "questions-TOTAL_FORMS": str(total or len(rows)),
        "questions-INITIAL_FORMS": "0",
        "questions-MIN_NUM_FORMS": "0",
        "questions-MAX_NUM_FORMS": "50",
    }
    for n, (text, code) in enumerate(rows):
        data[f"questions-{n}-text"] = text
        data[f"questions-{n}-variable_code"] = code
    return data


def send_round(client, review, rows=(("Waarom leeftijd?", "LEEFTIJD"), ("Wie is de FG?", ""))):
    return client.post(committee_url(review), {**round_data(in_days(14), rows), "send": "1"})


# --- The committee's page --------------------------------------------------------------------


def test_committee_page_shows_the_clock_and_an_empty_round_form(client, igc_user, igc_review):
    client.force_login(igc_user)
    response = client.get(committee_url(igc_review))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Review clock" in html and "running" in html
    assert f'href="{committee_url(igc_review)}" aria-current="page"' in html
    assert html.count("<legend>Question ") == 3
    assert 'name="add_question"' in html and 'type="date"' in html


def test_add_another_question_keeps_what_was_typed_and_writes_nothing(client, igc_user, igc_review):
    client.force_login(igc_user)
    data = round_data("", [("Eerste vraag", "LEEFTIJD"), ("", ""), ("Derde vraag", "")])
    response = client.post(committee_url(igc_review), {**data, "add_question": "1"})
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("<legend>Question ") == 4
    assert "Eerste vraag" in html and "Derde vraag" in html
    assert "error-summary" not in html  # adding a row is not a failed send
    assert not ClarificationRequest.objects.exists()


def test_committee_sends_a_round_and_the_registry_is_emailed(
    client, igc_user, igc_review, registry_user, django_capture_on_commit_callbacks
):
    client.force_login(igc_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = send_round(client, igc_review)
    assert response.status_code == 302
    request = ClarificationRequest.objects.get(review=igc_review)
    assert list(request.questions.values_list("text", "variable_code")) == [
        ("Waarom leeftijd?", "LEEFTIJD"),
        ("Wie is de FG?", ""),
    ]
    igc_review.refresh_from_db()
    assert igc_review.status == ReviewStatus.CLARIFICATION
    assert [m.to for m in mail.outbox if registry_user.email in m.to]
    page = client.get(committee_url(igc_review)).content.decode()
    assert "Round 1" in page and "Not answered yet." in page
    assert "stopped since" in page and "waiting for you" in page  # what the registry sees
    assert 'name="send"' not in page  # no second round while one is open


def test_a_failed_send_names_each_problem_with_a_link_and_writes_nothing(
    client, igc_user, igc_review
):
    client.force_login(igc_user)
    data = round_data(in_days(-1), [("Goed", "LEEFTIJD"), ("Onbekend", "BESTAATNIET")])
    response = client.post(committee_url(igc_review), {**data, "send": "1"})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'href="#id_deadline"' in html and "The deadline must be after today" in html
    assert 'href="#id_questions-1-variable_code"' in html
    assert "Question 2: the version under review has no variable with code BESTAATNIET" in html
    assert "Goed" in html and "Onbekend" in html  # the input is kept
    assert not ClarificationRequest.objects.exists()
    igc_review.refresh_from_db()
    assert igc_review.status == ReviewStatus.OPEN


def test_an_invalid_date_is_a_form_error_not_a_500(client, igc_user, igc_review):
    client.force_login(igc_user)
    data = round_data("31-02-2026", [("Vraag", "")])
    response = client.post(committee_url(igc_review), {**data, "send": "1"})
    assert response.status_code == 400
    assert 'href="#id_deadline"' in response.content.decode()


def test_another_committee_gets_404_and_writes_nothing(client, dgc_user, igc_review):
    client.force_login(dgc_user)
    assert client.get(committee_url(igc_review)).status_code == 404
    assert send_round(client, igc_review).status_code == 404
    assert not ClarificationRequest.objects.exists()


def test_the_committee_sees_answers_only_once_sent_and_late_ones_marked(
    client, igc_user, registry_user, igc_review
):
    client.force_login(igc_user)
    send_round(client, igc_review)
    request = ClarificationRequest.objects.get()
    first, second = request.questions.order_by("position")
    registry = igc_review.submission.registry
    registry_client = client.__class__()
    registry_client.force_login(registry_user)
    registry_client.post(
        registry_url(igc_review), {f"answer_{first.pk}": "CONCEPT-ANTWOORD", "action": "draft"}
    )
    assert "CONCEPT-ANTWOORD" not in client.get(committee_url(igc_review)).content.decode()
    ClarificationRequest.objects.filter(pk=request.pk).update(deadline=in_days(-1))
    response = registry_client.post(
        registry_url(igc_review),
        {
            f"answer_{first.pk}": "Definitief.",
            f"answer_{second.pk}": "Mevrouw X.",
            "action": "send",
        },
    )
    assert response.status_code == 302
    page = client.get(committee_url(igc_review)).content.decode()
    assert "Definitief." in page and "Mevrouw X." in page
    assert "answered late" in page
    assert registry.acronym  # the page is the committee's, reached without the dossier


# --- The registry's page ---------------------------------------------------------------------


@pytest.fixture
def open_round(client, igc_user, igc_review):
    client.force_login(igc_user)
    send_round(client, igc_review)
    client.logout()
    return ClarificationRequest.objects.get(review=igc_review)


def test_registry_sees_the_simple_status_and_the_questions(
    client, registry_user, igc_review, open_round
):
    client.force_login(registry_user)
    response = client.get(registry_url(igc_review))
    assert response.status_code == 200
    html = response.content.decode()
    assert "waiting for you" in html
    assert "Waarom leeftijd?" in html and "Wie is de FG?" in html
    assert 'value="draft"' in html and 'value="send"' in html
    assert "waiting for the registry" not in html  # the committee's own state name


def test_registry_saves_a_draft_then_sends_and_the_committee_is_emailed(
    client, registry_user, igc_user, igc_review, open_round, django_capture_on_commit_callbacks
):
    client.force_login(registry_user)
    first, second = open_round.questions.order_by("position")
    response = client.post(
        registry_url(igc_review), {f"answer_{first.pk}": "Voor casemix.", "action": "draft"}
    )
    assert response.status_code == 302
    first.refresh_from_db()
    assert first.answer == "Voor casemix."
    page = client.get(registry_url(igc_review)).content.decode()
    assert "Voor casemix." in page  # the draft is back in the form
    response = client.post(
        registry_url(igc_review), {f"answer_{first.pk}": "Voor casemix.", "action": "send"}
    )
    assert response.status_code == 400
    assert f'href="#id_answer_{second.pk}"' in response.content.decode()
    assert "Answer question 2." in response.content.decode()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            registry_url(igc_review),
            {f"answer_{first.pk}": "Voor casemix.", f"answer_{second.pk}": "X.", "action": "send"},
            follow=True,
        )
    assert "have been sent to the committee" in response.content.decode()
    open_round.refresh_from_db()
    igc_review.refresh_from_db()
    assert open_round.status == ClarificationStatus.ANSWERED
    assert igc_review.status == ReviewStatus.OPEN
    assert [m.to for m in mail.outbox] == [[igc_user.email]]
    page = response.content.decode()
    assert "with the committee" in page and "Earlier questions and answers" in page


def test_a_late_answer_is_accepted_with_a_clear_message(
    client, registry_user, igc_review, open_round
):
    ClarificationRequest.objects.filter(pk=open_round.pk).update(deadline=in_days(-2))
    client.force_login(registry_user)
    page = client.get(registry_url(igc_review)).content.decode()
    assert "The deadline has passed. You can still send your answers" in page
    response = client.post(
        registry_url(igc_review),
        {**{f"answer_{pk}": "Antwoord." for pk in all_answers(open_round)}, "action": "send"},
        follow=True,
    )
    html = response.content.decode()
    assert "recorded as late" in html and "answered late" in html
    assert AuditEntry.objects.get(action="clarification.answer").changes["late"] is True


def test_registry_submits_a_revised_version_with_its_answers(
    client, registry, registry_user, igc_review, open_round
):
    v2 = _revision(registry, registry_user)
    client.force_login(registry_user)
    page = client.get(registry_url(igc_review)).content.decode()
    assert f"Version {v2.number} (draft)" in page
    response = client.post(
        registry_url(igc_review),
        {
            **{f"answer_{pk}": "Antwoord." for pk in all_answers(open_round)},
            "revised_version": str(v2.pk),
            "action": "send",
        },
        follow=True,
    )
    assert f"Version {v2.number} has been submitted with them" in response.content.decode()
    v2.refresh_from_db()
    igc_review.refresh_from_db()
    assert v2.status == DatasetStatus.SUBMITTED and igc_review.dataset_version == v2


def test_a_revised_version_with_blocking_findings_links_to_the_dossier_check(
    client, registry, registry_user, igc_review, open_round
):
    v2 = dataset_version_create(registry=registry, actor=registry_user)
    Variable.objects.create(dataset_version=v2, code="ZONDERNUT", name="Zonder noodzaak")
    client.force_login(registry_user)
    response = client.post(
        registry_url(igc_review),
        {
            **{f"answer_{pk}": "Antwoord." for pk in all_answers(open_round)},
            "revised_version": str(v2.pk),
            "action": "send",
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'href="#id_revised_version"' in html
    assert f"/dossiers/{registry.acronym}/versions/{v2.number}/check/" in html
    open_round.refresh_from_db()
    assert open_round.status == ClarificationStatus.OPEN
    assert set(open_round.questions.values_list("answer", flat=True)) == {""}


def test_another_registry_gets_404_and_writes_nothing(
    client, other_registry_user, igc_review, open_round
):
    client.force_login(other_registry_user)
    for acronym in (igc_review.submission.registry.acronym, "other"):
        url = reverse("dossiers:review_status", kwargs={"acronym": acronym, "pk": igc_review.pk})
        assert client.get(url).status_code == 404
        data = {f"answer_{pk}": "Sneaky." for pk in all_answers(open_round)}
        assert client.post(url, {**data, "action": "send"}).status_code == 404
    assert not ClarificationQuestion.objects.exclude(answer="").exists()
    open_round.refresh_from_db()
    assert open_round.status == ClarificationStatus.OPEN


def test_the_registry_never_sees_the_committees_internal_work(
    client, registry_user, igc_user, igc_review, open_round
):
    version = igc_review.dataset_version
    ReviewNote.objects.create(review=igc_review, author=igc_user, text="INTERNE-NOTITIE")
    CriterionAssessment.objects.create(
        review=igc_review,
        criterion=igc_review.catalogue.criteria.first(),
        rating="moderate",
        motivation="CRITERIUM-MOTIVATIE",
        assessed_by=igc_user,
        assessed_at=timezone.now(),
    )
    VariableJudgement.objects.create(
        review=igc_review,
        variable=version.variables.first(),
        verdict="question",
        necessity="OORDEEL-NPS",
        judged_by=igc_user,
        judged_at=timezone.now(),
    )
    # A note added through the notes service (reviews.notes), audited without the registry.
    review_note_add(review=igc_review, actor=igc_user, text="NOTITIE-VIA-DE-DIENST")
    client.force_login(registry_user)
    internal = ["INTERNE-NOTITIE", "NOTITIE-VIA-DE-DIENST", "CRITERIUM-MOTIVATIE", "OORDEEL-NPS"]
    for url in (registry_url(igc_review), f"/dossiers/{igc_review.submission.registry.acronym}/"):
        html = client.get(url).content.decode()
        assert [text for text in internal if text in html] == []
        assert "internal note added" not in html  # nor the note's entry in the audit trail
    # The review's page names the committee, not who in it asked.
    assert igc_user.email not in client.get(registry_url(igc_review)).content.decode()
    # With a draft advice out: the advice shows, the members' positions do not.
    ClarificationRequest.objects.filter(pk=open_round.pk).update(
        status=ClarificationStatus.ANSWERED
    )
    igc_review.status = ReviewStatus.DRAFT_ADVICE
    igc_review.save(update_fields=["status"])
    advice = Advice.objects.create(
        review=igc_review,
        outcome=AdviceOutcome.POSITIVE,
        motivation="Publieke motivering.",
        given_by=igc_user,
        given_at=timezone.now(),
        status=AdviceStatus.DRAFT,
        reaction_deadline=in_days(14),
    )
    MemberPosition.objects.create(
        advice=advice,
        member=igc_user,
        position="disagree",
        note="STANDPUNT-NOTITIE",
        recorded_at=timezone.now(),
    )
    html = client.get(registry_url(igc_review)).content.decode()
    assert "Publieke motivering." in html
    assert "STANDPUNT-NOTITIE" not in html and "disagrees" not in html
    assert "draft advice sent" not in html  # the committee's state name, not the registry's


def test_the_dossier_lists_each_review_with_its_simple_status(
    client, registry_user, igc_review, open_round
):
    client.force_login(registry_user)
    html = client.get(f"/dossiers/{igc_review.submission.registry.acronym}/").content.decode()
    assert registry_url(igc_review) in html
    assert "Review by the IGC</a>: <span" in html and "waiting for you" in html
    assert "Review by the DGC</a>: <span" in html and "with the committee" in html


# --- Closing a round the registry did not answer ---------------------------------------------


def close_data(reason="Geen antwoord; de commissie gaat verder."):
    return {"action": "close", "reason": reason}


def past_deadline(request, *, sent_days_ago=20, deadline_days_ago=6):
    """The round was sent ``sent_days_ago`` and its deadline passed ``deadline_days_ago``."""
    ClarificationRequest.objects.filter(pk=request.pk).update(deadline=in_days(-deadline_days_ago))
    request.review.__class__.objects.filter(pk=request.review_id).update(
        paused_since=in_days(-sent_days_ago), due_date=in_days(40)
    )


def test_the_close_form_shows_only_once_the_deadline_has_passed(
    client, igc_user, igc_review, open_round
):
    client.force_login(igc_user)
    html = client.get(committee_url(igc_review)).content.decode()
    assert 'value="close"' not in html and "Close round 1 without answers" not in html
    past_deadline(open_round)
    html = client.get(committee_url(igc_review)).content.decode()
    assert 'value="close"' in html and "Close round 1 without answers" in html
    assert 'name="reason"' in html and 'for="id_reason"' in html


def test_closing_before_the_deadline_is_refused_with_a_clear_error(
    client, igc_user, igc_review, open_round
):
    client.force_login(igc_user)
    response = client.post(committee_url(igc_review), close_data())
    assert response.status_code == 400
    html = response.content.decode()
    assert "The round has not been closed" in html
    assert "only after the deadline has passed" in html
    open_round.refresh_from_db()
    igc_review.refresh_from_db()
    assert open_round.status == ClarificationStatus.OPEN
    assert igc_review.status == ReviewStatus.CLARIFICATION


def test_closing_without_a_reason_names_the_field(client, igc_user, igc_review, open_round):
    past_deadline(open_round)
    client.force_login(igc_user)
    response = client.post(committee_url(igc_review), close_data(reason="  "))
    assert response.status_code == 400
    html = response.content.decode()
    assert 'href="#id_reason"' in html and "Give the reason for closing" in html
    open_round.refresh_from_db()
    assert open_round.status == ClarificationStatus.OPEN


def test_committee_closes_a_round_after_the_deadline_the_clock_resumes_and_the_registry_is_emailed(
    client, igc_user, igc_review, open_round, registry_user, django_capture_on_commit_callbacks
):
    past_deadline(open_round, sent_days_ago=20)
    client.force_login(igc_user)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(committee_url(igc_review), close_data("REDEN-VAN-SLUITEN"))
    assert response.status_code == 302
    assert response["Location"] == committee_url(igc_review) + "#round-1"
    open_round.refresh_from_db()
    igc_review.refresh_from_db()
    assert open_round.status == ClarificationStatus.CLOSED
    assert open_round.closed_reason == "REDEN-VAN-SLUITEN"
    assert igc_review.status == ReviewStatus.OPEN and igc_review.paused_since is None
    assert igc_review.due_date == in_days(60)  # 40 days left, plus the 20 the registry held it
    assert [m.to for m in mail.outbox if registry_user.email in m.to]
    assert all("REDEN-VAN-SLUITEN" not in m.body for m in mail.outbox)
    page = client.get(committee_url(igc_review)).content.decode()
    assert "closed without answers" in page and "REDEN-VAN-SLUITEN" in page
    assert "Not answered: the round was closed without answers." in page
    assert 'name="send"' in page  # the committee may send a new round
    assert 'value="close"' not in page


def test_another_committee_cannot_close_the_round(client, dgc_user, igc_review, open_round):
    past_deadline(open_round)
    client.force_login(dgc_user)
    assert client.post(committee_url(igc_review), close_data()).status_code == 404
    open_round.refresh_from_db()
    assert open_round.status == ClarificationStatus.OPEN
    assert not AuditEntry.objects.filter(action="clarification.close").exists()


def test_closing_when_no_round_is_open_writes_nothing(client, igc_user, igc_review):
    client.force_login(igc_user)
    response = client.post(committee_url(igc_review), close_data(), follow=True)
    assert "There is no open round to close" in response.content.decode()
    assert not AuditEntry.objects.filter(action="clarification.close").exists()


def test_the_registry_sees_the_round_closed_without_answers(
    client, igc_user, registry_user, igc_review, open_round
):
    first = open_round.questions.order_by("position").first()
    client.force_login(registry_user)
    client.post(registry_url(igc_review), {f"answer_{first.pk}": "CONCEPT", "action": "draft"})
    past_deadline(open_round)
    client.force_login(igc_user)
    client.post(committee_url(igc_review), close_data("De termijn is ruim verstreken."))
    client.force_login(registry_user)
    html = client.get(registry_url(igc_review)).content.decode()
    assert "closed without answers" in html and "De termijn is ruim verstreken." in html
    assert "with the committee" in html
    assert 'value="send"' not in html  # nothing left to answer
    assert "CONCEPT" not in html  # the unsent draft is not shown as an answer
    assert "Not answered: your draft answers, if any, were not sent." in html
    response = client.post(
        registry_url(igc_review), {f"answer_{first.pk}": "Te laat.", "action": "send"}, follow=True
    )
    assert "There are no open questions to answer." in response.content.decode()
    first.refresh_from_db()
    assert first.answer == "CONCEPT"
