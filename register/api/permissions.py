from rest_framework.exceptions import MethodNotAllowed
from rest_framework.permissions import SAFE_METHODS, BasePermission


class PublicReadOnly(BasePermission):
    """The public register: anyone may read, nobody may change anything through it.

    An unsafe method is answered 405 (not 401/403): there is nothing to log in for.
    """

    def has_permission(self, request, view):
        if request.method not in SAFE_METHODS:
            raise MethodNotAllowed(request.method)
        return True
