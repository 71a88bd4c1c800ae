from register.permissions import is_granted, objects_granted

from .models import Provider

ACT_FOR_PROVIDER = "providers.act_for_provider"


def providers_of(user):
    """Providers the user acts for: an explicit grant (register.permissions), never superuser."""
    return objects_granted(user, ACT_FOR_PROVIDER, Provider)


def can_act_for_provider(user, provider) -> bool:
    return is_granted(user, ACT_FOR_PROVIDER, provider)
