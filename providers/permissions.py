from guardian.shortcuts import get_objects_for_user

from .models import Provider

ACT_FOR_PROVIDER = "providers.act_for_provider"


def providers_of(user):
    if not user.is_authenticated:
        return Provider.objects.none()
    return get_objects_for_user(
        user, ACT_FOR_PROVIDER, klass=Provider, accept_global_perms=False, with_superuser=False
    )


def can_act_for_provider(user, provider) -> bool:
    return user.is_authenticated and user.has_perm(ACT_FOR_PROVIDER, provider)
