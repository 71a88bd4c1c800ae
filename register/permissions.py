"""One predicate per action. Views, the API and list filters all decide with these."""

from guardian.shortcuts import get_objects_for_user

from .constants import Role
from .models import Registry
from .roles import has_role

MANAGE_DOSSIER = "register.manage_dossier"


def managed_registries(user):
    """Registries whose dossier the user manages (object permission, never a global one)."""
    if not user.is_authenticated:
        return Registry.objects.none()
    return get_objects_for_user(
        user, MANAGE_DOSSIER, klass=Registry, accept_global_perms=False, with_superuser=False
    )


def can_manage_dossier(user, registry) -> bool:
    return user.is_authenticated and user.has_perm(MANAGE_DOSSIER, registry)


def can_view_dossier(user, registry) -> bool:
    """Registry staff, Zorginstituut and the secretariat read a dossier; committees via reviews."""
    if can_manage_dossier(user, registry):
        return True
    return has_role(user, Role.ZIN) or has_role(user, Role.SECRETARIAT)


def can_view_confidential_documents(user, registry) -> bool:
    return can_view_dossier(user, registry) or has_role(user, Role.IGC) or has_role(user, Role.DGC)


def can_decide(user) -> bool:
    return has_role(user, Role.ZIN)
