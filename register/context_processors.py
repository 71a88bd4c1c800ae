from .constants import Role
from .roles import user_roles


def roles(request):
    """Which role areas to show in the navigation."""
    held = user_roles(request.user)
    return {
        "nav_roles": {
            "registry": Role.REGISTRY in held,
            "committee": Role.IGC in held or Role.DGC in held,
            "zin": Role.ZIN in held,
            "provider": Role.PROVIDER in held,
            "secretariat": Role.SECRETARIAT in held,
        }
    }
