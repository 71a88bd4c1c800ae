"""Roles are auth groups (DESIGN.md). One cached lookup per request user."""

from .constants import Role


def user_roles(user) -> frozenset[str]:
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    cached = getattr(user, "_register_roles", None)
    if cached is None:
        cached = frozenset(user.groups.values_list("name", flat=True))
        user._register_roles = cached
    return cached


def has_role(user, role: Role | str) -> bool:
    return str(role) in user_roles(user)
