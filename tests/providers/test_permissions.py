"""Acting for a provider needs an explicit grant: superuser status gives none."""

import pytest

from providers.models import Participation
from providers.permissions import can_act_for_provider, providers_of
from providers.selectors import providers_for_user
from providers.services import participation_save, provider_staff_add
from register.exceptions import PermissionDenied

pytestmark = pytest.mark.django_db

READINESS = {"agreement_status": "signed", "notes": "Getekend."}


def test_superuser_without_a_grant_cannot_act_for_a_provider_nor_list_it(
    superuser, provider, registry
):
    assert not can_act_for_provider(superuser, provider)
    assert list(providers_of(superuser)) == []
    assert list(providers_for_user(superuser)) == []
    with pytest.raises(PermissionDenied):
        participation_save(provider=provider, registry=registry, actor=superuser, data=READINESS)
    assert not Participation.objects.exists()


def test_superuser_with_an_explicit_grant_acts_for_that_provider_only(
    superuser, provider, other_provider, registry
):
    provider_staff_add(provider=provider, user=superuser)
    assert can_act_for_provider(superuser, provider)
    assert not can_act_for_provider(superuser, other_provider)
    assert list(providers_for_user(superuser)) == [provider]
    saved = participation_save(
        provider=provider, registry=registry, actor=superuser, data=READINESS
    )
    assert saved.agreement_status == "signed"


def test_no_actor_cannot_act_for_a_provider(provider, registry):
    assert not can_act_for_provider(None, provider)
    assert list(providers_of(None)) == []
    with pytest.raises(PermissionDenied):
        participation_save(provider=provider, registry=registry, actor=None, data=READINESS)
    assert not Participation.objects.exists()
