"""The append-only audit trail: every service that changes state writes one entry."""

from django.forms.models import model_to_dict

from .models import AuditEntry


def audit_record(
    *, actor, action: str, obj, registry=None, changes: dict | None = None
) -> AuditEntry:
    return AuditEntry.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        object_repr=str(obj)[:300],
        registry=registry,
        changes=changes or {},
    )


def field_changes(before: dict, after: dict) -> dict:
    """{field: [old, new]} for the fields that differ; values as JSON-friendly strings."""
    return {
        name: [_plain(before.get(name)), _plain(value)]
        for name, value in after.items()
        if before.get(name) != value
    }


def snapshot(instance, fields) -> dict:
    return model_to_dict(instance, fields=fields)


def _plain(value):
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    return str(value)
