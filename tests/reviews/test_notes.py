"""Internal notes on a review (reviews.notes) and the notes section of the overview
(/reviews/<pk>/, posted to /reviews/<pk>/notes/). The registry never sees them."""

import pytest
from django.urls import reverse

from register.exceptions import DomainError, PermissionDenied
from register.models import AuditEntry
from reviews.models import Committee, ConflictOfInterest, ReviewNote
from reviews.notes import NOTE_MAX_CHARS, review_note_add
from tests.factories import UserFactory
from tests.reviews.test_clarifications import submit

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def submission(registry, registry_user):
    return submit(registry, registry_user)


@pytest.fixture
def igc_review(submission):
    return submission.reviews.get(committee__code="IGC")


def detail_url(review):
    return reverse("reviews:review_detail", kwargs={"pk": review.pk})


def notes_url(review):
    return reverse("reviews:review_note_add", kwargs={"pk": review.pk})


def registry_url(review):
    return reverse(
        "dossiers:review_status",
        kwargs={"acronym": review.submission.registry.acronym, "pk": review.pk},
    )


# --- The service -----------------------------------------------------------------------------


def test_a_member_adds_a_note_audited_without_the_registry(igc_review, igc_user):
    note = review_note_add(review=igc_review, actor=igc_user, text="  Navragen bij de FG.  ")
    assert (note.review, note.author, note.text) == (igc_review, igc_user, "Navragen bij de FG.")
    entry = AuditEntry.objects.get(action="review_note.add")
    assert entry.registry is None  # never in the dossier's trail
    assert entry.actor == igc_user and entry.object_id == str(note.pk)
    assert entry.changes["committee"] == "IGC" and entry.changes["review"] == igc_review.pk
    assert not AuditEntry.objects.filter(
        action="review_note.add", registry=igc_review.submission.registry
    ).exists()


def test_only_members_of_the_reviewing_committee_add_notes(
    igc_review, igc_user, dgc_user, registry_user, secretariat_user
):
    for user in (dgc_user, registry_user, secretariat_user):
        with pytest.raises(PermissionDenied):
            review_note_add(review=igc_review, actor=user, text="Niet van mij.")
    assert not ReviewNote.objects.exists()
    assert not AuditEntry.objects.filter(action="review_note.add").exists()


def test_a_member_with_a_conflict_of_interest_is_refused(igc_review, igc_user):
    ConflictOfInterest.objects.create(review=igc_review, member=igc_user, reason="Adviseur.")
    with pytest.raises(PermissionDenied):
        review_note_add(review=igc_review, actor=igc_user, text="Toch een notitie.")
    assert not ReviewNote.objects.exists()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Write the note."),
        ("   \n ", "Write the note."),
        ("x" * (NOTE_MAX_CHARS + 1), "at most 5,000 characters; this one has 5,001"),
    ],
)
def test_an_empty_or_too_long_note_is_refused_naming_the_field(igc_review, igc_user, text, message):
    with pytest.raises(DomainError) as refused:
        review_note_add(review=igc_review, actor=igc_user, text=text)
    assert refused.value.field == "text"
    assert message in refused.value.message
    assert not ReviewNote.objects.exists()


def test_a_note_of_exactly_the_maximum_is_accepted(igc_review, igc_user):
    note = review_note_add(review=igc_review, actor=igc_user, text="x" * NOTE_MAX_CHARS)
    assert len(note.text) == NOTE_MAX_CHARS


# --- The overview ----------------------------------------------------------------------------


def test_the_overview_lists_notes_newest_first_with_author_and_time(client, igc_review, igc_user):
    colleague = UserFactory(email="igc2@example.org", first_name="Els", last_name="Jansen")
    colleague.groups.add(Committee.objects.get(code="IGC").group)
    review_note_add(review=igc_review, actor=igc_user, text="EERSTE-NOTITIE")
    review_note_add(review=igc_review, actor=colleague, text="TWEEDE-NOTITIE")
    client.force_login(igc_user)
    html = client.get(detail_url(igc_review)).content.decode()
    assert 'href="#notes"' in html and 'id="notes"' in html
    assert html.index("TWEEDE-NOTITIE") < html.index("EERSTE-NOTITIE")
    assert "Els Jansen" in html
    assert f'action="{notes_url(igc_review)}"' in html and 'name="text"' in html


def test_posting_a_note_redirects_to_the_notes(client, igc_review, igc_user):
    client.force_login(igc_user)
    response = client.post(notes_url(igc_review), {"text": "Let op de casemix."})
    assert response.status_code == 302
    assert response["Location"] == detail_url(igc_review) + "#notes"
    note = ReviewNote.objects.get()
    assert (note.text, note.author) == ("Let op de casemix.", igc_user)
    page = client.get(response["Location"]).content.decode()
    assert "Let op de casemix." in page and "Your note has been added" in page


@pytest.mark.parametrize(
    ("text", "message"),
    [("   ", "Write the note."), ("y" * (NOTE_MAX_CHARS + 10), "at most 5,000 characters")],
)
def test_an_invalid_note_shows_the_overview_again_with_the_error(
    client, igc_review, igc_user, text, message
):
    client.force_login(igc_user)
    response = client.post(notes_url(igc_review), {"text": text})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Your note has not been added" in html
    assert 'href="#id_text"' in html and message in html
    assert "Accountability table" in html  # the overview itself, not a bare error page
    assert not ReviewNote.objects.exists()


def test_notes_are_paginated_with_constant_queries(
    client, igc_review, igc_user, django_assert_max_num_queries
):
    client.force_login(igc_user)
    review_note_add(review=igc_review, actor=igc_user, text="note 0")
    with django_assert_max_num_queries(40) as few:
        client.get(detail_url(igc_review))
    for n in range(1, 25):
        review_note_add(review=igc_review, actor=igc_user, text=f"note {n}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(detail_url(igc_review))
    assert len(response.context["notes"]) == 20
    assert "note 24" in response.content.decode() and "Older notes" in response.content.decode()
    second = client.get(detail_url(igc_review), {"notes_page": 2})
    assert [n.text for n in second.context["notes"]] == [f"note {n}" for n in range(4, -1, -1)]


def test_a_get_to_the_notes_url_writes_nothing(client, igc_review, igc_user):
    client.force_login(igc_user)
    assert client.get(notes_url(igc_review)).status_code == 405
    assert not ReviewNote.objects.exists()


def test_another_committee_and_a_conflicted_member_get_404_and_write_nothing(
    client, igc_review, igc_user, dgc_user
):
    client.force_login(dgc_user)
    assert client.post(notes_url(igc_review), {"text": "Van de DGC."}).status_code == 404
    ConflictOfInterest.objects.create(review=igc_review, member=igc_user, reason="Adviseur.")
    client.force_login(igc_user)
    assert client.post(notes_url(igc_review), {"text": "Toch."}).status_code == 404
    assert not ReviewNote.objects.exists()
    assert not AuditEntry.objects.filter(action="review_note.add").exists()


def test_the_registry_never_sees_a_note(client, igc_review, igc_user, registry_user):
    client.force_login(igc_user)
    client.post(notes_url(igc_review), {"text": "GEHEIME-COMMISSIENOTITIE"})
    assert ReviewNote.objects.exists()
    client.force_login(registry_user)
    acronym = igc_review.submission.registry.acronym
    for url in (registry_url(igc_review), f"/dossiers/{acronym}/"):
        response = client.get(url)
        assert response.status_code == 200
        html = response.content.decode()
        assert "GEHEIME-COMMISSIENOTITIE" not in html
        assert "internal note added" not in html  # nor the trail's entry for it
    assert client.post(notes_url(igc_review), {"text": "Van het register."}).status_code == 403
    assert ReviewNote.objects.count() == 1
