from rest_framework.permissions import BasePermission

from providers.permissions import can_act_for_provider


class CanActForProvider(BasePermission):
    """Object check with the same predicate as the web; querysets are already filtered with
    ``providers_of``, so another provider's AGB code is a 404, not a 403."""

    def has_object_permission(self, request, view, obj):
        return can_act_for_provider(request.user, obj)
