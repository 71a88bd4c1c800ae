from django.contrib.auth.models import Group
from django.db import transaction
from django.utils.translation import gettext as _
from guardian.shortcuts import assign_perm

from register.audit import audit_record, field_changes, snapshot
from register.constants import Role
from register.exceptions import PermissionDenied
from register.models import Registry

from .models import Participation, Provider
from .permissions import ACT_FOR_PROVIDER, can_act_for_provider

PARTICIPATION_FIELDS = [
    "agreement_status",
    "agreement_signed_on",
    "pseudonymisation_connected_on",
    "delivery_method",
    "coverage",
    "notes",
]


def provider_staff_add(*, provider: Provider, user) -> None:
    group, _created = Group.objects.get_or_create(name=Role.PROVIDER)
    user.groups.add(group)
    assign_perm(ACT_FOR_PROVIDER, user, provider)


def participation_save(
    *, provider: Provider, registry: Registry, actor, data: dict
) -> Participation:
    """Record the provider's readiness for one registry (agreement, connection, delivery)."""
    if not can_act_for_provider(actor, provider):
        raise PermissionDenied(_("You may not act for this provider."))
    with transaction.atomic():
        participation, _created = Participation.objects.select_for_update().get_or_create(
            provider=provider, registry=registry
        )
        before = snapshot(participation, PARTICIPATION_FIELDS)
        for name in PARTICIPATION_FIELDS:
            if name in data:
                setattr(participation, name, data[name])
        participation.full_clean()
        participation.save()
        audit_record(
            actor=actor,
            action="participation.save",
            obj=participation,
            registry=registry,
            changes=field_changes(before, snapshot(participation, PARTICIPATION_FIELDS)),
        )
    return participation
