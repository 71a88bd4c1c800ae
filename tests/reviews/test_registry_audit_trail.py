"""The registry's dossier shows its audit trail, but never the committee's internal work:
criteria verdicts, variable judgements, positions, conflicts, assignments, notes."""

import pytest
from django.urls import reverse

from register.audit import ACTION_LABELS, COMMITTEE_INTERNAL_ACTIONS
from register.models import AuditEntry
from register.selectors import dossier_audit_trail
from reviews.criteria import criterion_assess
from reviews.judgements import judgement_record
from reviews.notes import review_note_add

from .test_judgements import make_version, review_of, submit, table_rows, variable_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def review(registry, registry_user):
    return review_of(submit(make_version(registry, registry_user, table_rows(3)), registry_user))


def test_every_internal_action_is_a_known_action():
    assert COMMITTEE_INTERNAL_ACTIONS <= set(ACTION_LABELS)


def test_the_registry_never_sees_the_committees_internal_entries(
    client, review, igc_user, registry_user
):
    registry = review.submission.registry
    criterion = review.catalogue.criteria.order_by("position").first()
    criterion_assess(review=review, criterion=criterion, actor=igc_user, rating="insufficient")
    judgement_record(
        review=review,
        actor=igc_user,
        variable_id=variable_of(review, "V0001").pk,
        verdict="reject",
        necessity="Niet nodig voor de indicatoren.",
    )
    review_note_add(review=review, actor=igc_user, text="Navragen bij de DGC.")
    recorded = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"criterion.assess", "variable_judgement.record", "review_note.add"} <= recorded

    shown = set(dossier_audit_trail(registry=registry).values_list("action", flat=True))
    assert shown and not shown & COMMITTEE_INTERNAL_ACTIONS
    assert "dataset_version.submit" in shown  # the registry's own entries stay

    client.force_login(registry_user)
    page = client.get(reverse("dossiers:registry_detail", kwargs={"acronym": registry.acronym}))
    html = page.content.decode()
    assert criterion.code not in html
    assert "Niet nodig voor de indicatoren." not in html
    assert "Navragen bij de DGC." not in html
