"""One predicate per action. Views, the API and list filters all decide with these.

Object permissions come only from explicit django-guardian grants: never from a global
permission, nor from superuser status. A predicate on one object asks the same queryset the
lists use, so what a user may do and what a user sees cannot drift apart.
"""

from guardian.shortcuts import get_objects_for_user

from .constants import Role
from .models import Registry
from .roles import has_role

MANAGE_DOSSIER = "register.manage_dossier"


def is_signed_in(user) -> bool:
    """An active, signed-in user. No actor (``None``) and the anonymous user are not."""
    return user is not None and user.is_authenticated and user.is_active


def objects_granted(user, perm: str, klass):
    """The objects of ``klass`` on which ``user`` holds ``perm`` by an explicit object grant
    (to the user or one of the user's groups)."""
    if not is_signed_in(user):
        return klass.objects.none()
    return get_objects_for_user(
        user, perm, klass=klass, accept_global_perms=False, with_superuser=False
    )


def is_granted(user, perm: str, obj) -> bool:
    """Whether ``user`` holds ``perm`` on ``obj``: the rule of ``objects_granted``. One query."""
    if obj is None or obj.pk is None or not is_signed_in(user):
        return False
    return objects_granted(user, perm, type(obj)).filter(pk=obj.pk).exists()


def managed_registries(user):
    """Registries whose dossier the user manages."""
    return objects_granted(user, MANAGE_DOSSIER, Registry)


def can_manage_dossier(user, registry) -> bool:
    return is_granted(user, MANAGE_DOSSIER, registry)


def can_view_dossier(user, registry) -> bool:
    """Registry staff, Zorginstituut and the secretariat read a dossier; committees via reviews."""
    if can_manage_dossier(user, registry):
        return True
    return has_role(user, Role.ZIN) or has_role(user, Role.SECRETARIAT)


def can_decide(user) -> bool:
    return has_role(user, Role.ZIN)
