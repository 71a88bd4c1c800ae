"""Object permissions come only from explicit grants: not from superuser status, and no actor
(``None``) is refused like an anonymous user. Lists and predicates follow the same rule."""

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.files.base import ContentFile

from register import permissions, selectors
from register.exceptions import PermissionDenied
from register.models import AuditEntry, DatasetVersion, Document
from register.services import (
    dataset_version_create,
    dataset_version_submit,
    decision_record,
    document_add,
    indicator_save,
    pseudonym_request_add,
    registry_staff_add,
    submission_apply,
    variable_save,
)
from tests.factories import SubmissionFactory, VariableFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(registry):
    return VariableFactory(dataset_version__registry=registry, code="A").dataset_version


def test_superuser_without_a_grant_does_not_manage_a_dossier_nor_see_it(superuser, registry):
    assert not permissions.can_manage_dossier(superuser, registry)
    assert list(permissions.managed_registries(superuser)) == []
    assert list(selectors.dossier_registries(superuser)) == []
    with pytest.raises(PermissionDenied):
        dataset_version_create(registry=registry, actor=superuser)
    assert not DatasetVersion.objects.exists()


def test_superuser_without_a_grant_cannot_change_a_draft(superuser, draft):
    with pytest.raises(PermissionDenied):
        variable_save(
            dataset_version=draft, actor=superuser, data={"code": "B", "name": "B"}, requirements={}
        )
    with pytest.raises(PermissionDenied):
        document_add(
            registry=draft.registry,
            actor=superuser,
            kind="dpia",
            title="DPIA",
            file=ContentFile(b"%PDF-1.4", name="dpia.pdf"),
        )
    assert list(draft.variables.values_list("code", flat=True)) == ["A"]
    assert not Document.objects.exists()


def test_superuser_with_an_explicit_grant_manages_that_dossier_only(
    superuser, registry, other_registry
):
    registry_staff_add(registry=registry, user=superuser)
    assert permissions.can_manage_dossier(superuser, registry)
    assert not permissions.can_manage_dossier(superuser, other_registry)
    assert list(permissions.managed_registries(superuser)) == [registry]
    version = dataset_version_create(registry=registry, actor=superuser)
    assert version.registry == registry
    with pytest.raises(PermissionDenied):
        dataset_version_create(registry=other_registry, actor=superuser)


def test_inactive_user_keeps_no_rights_from_an_old_grant(registry, registry_user):
    registry_user.is_active = False
    registry_user.save()
    assert not permissions.can_manage_dossier(registry_user, registry)
    assert list(permissions.managed_registries(registry_user)) == []


@pytest.mark.parametrize("user", [None, AnonymousUser()], ids=["none", "anonymous"])
def test_no_actor_is_refused_like_an_anonymous_user(user, registry):
    assert not permissions.can_manage_dossier(user, registry)
    assert not permissions.can_view_dossier(user, registry)
    assert not permissions.can_decide(user)
    assert list(permissions.managed_registries(user)) == []


def test_services_refuse_a_missing_actor_with_permission_denied(draft):
    audit = AuditEntry.objects.count()
    registry = draft.registry
    attempts = [
        lambda: dataset_version_create(registry=registry, actor=None),
        lambda: variable_save(
            dataset_version=draft, actor=None, data={"code": "B", "name": "B"}, requirements={}
        ),
        lambda: indicator_save(
            dataset_version=draft, actor=None, code="I", name="I", variable_codes=["A"]
        ),
        lambda: pseudonym_request_add(
            dataset_version=draft, actor=None, type="NGGV", justification="Koppeling."
        ),
        lambda: document_add(
            registry=registry,
            actor=None,
            kind="dpia",
            title="DPIA",
            file=ContentFile(b"%PDF-1.4", name="dpia.pdf"),
        ),
        lambda: dataset_version_submit(dataset_version=draft, actor=None, stage="first"),
    ]
    for attempt in attempts:
        with pytest.raises(PermissionDenied):
            attempt()
    assert AuditEntry.objects.count() == audit
    assert DatasetVersion.objects.count() == 1 and draft.variables.count() == 1


def test_application_and_decision_refuse_a_missing_actor(registry):
    advised = SubmissionFactory(dataset_version__registry=registry, status="advised")
    with pytest.raises(PermissionDenied):
        submission_apply(
            submission=advised,
            actor=None,
            application_form=ContentFile(b"%PDF-1.4", name="aanvraag.pdf"),
        )
    applied = SubmissionFactory(dataset_version__registry=registry, applied=True)
    with pytest.raises(PermissionDenied):
        decision_record(
            submission=applied,
            actor=None,
            outcome="include",
            reasoning="Voldoet.",
            effective_from=datetime.date(2026, 12, 1),
        )
