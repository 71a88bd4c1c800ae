"""The append-only audit trail: every service that changes state writes one entry."""

from django.forms.models import model_to_dict
from django.utils.translation import gettext_lazy as _

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


# --- Showing the trail to people -------------------------------------------------------------

ACTION_LABELS = {
    "dataset_version.create": _("new dataset version"),
    "dataset_version.submit": _("dataset version submitted"),
    "dataset_version.pdf_request": _("PDF of the accountability table requested"),
    "variable.create": _("variable added"),
    "variable.update": _("variable changed"),
    "variable.delete": _("variable removed"),
    "indicator.save": _("indicator saved"),
    "pseudonym_request.add": _("pseudonym requested"),
    "document.add": _("document uploaded"),
    "document.replace": _("document replaced"),
    "document.confidential": _("document confidentiality changed"),
    "review.open": _("review opened"),
    "advice.record": _("advice given"),
    "submission.advised": _("advice complete"),
    "submission.apply": _("application filed"),
    "decision.record": _("decision recorded"),
    "decision.publish": _("decision published"),
    "decision.letter_sent": _("decision letter sent"),
    "participation.save": _("readiness updated"),
    "membership.save": _("committee membership saved"),
    "membership.remove": _("committee membership ended"),
    "accountability_table.import": _("accountability table imported"),
}


def action_label(action: str) -> str:
    return str(ACTION_LABELS.get(action, action))


def _field_labels() -> dict[str, str]:
    from providers.models import Participation
    from reviews.models import Advice

    from .models import Decision, Document, Submission, Variable

    labels = {"requirements": _("requirements"), "committee": _("committee")}
    for model in (Variable, Document, Submission, Decision, Advice, Participation):
        for model_field in model._meta.fields:
            labels.setdefault(model_field.name, model_field.verbose_name)
    return labels


def change_lines(changes: dict, limit: int = 80) -> list[str]:
    """'Label: old → new' lines in the reader's language, for the audit trail on screen."""
    labels = _field_labels()

    def show(value) -> str:
        if value in (None, "", [], {}):
            text = "—"
        elif isinstance(value, bool):
            text = str(_("yes") if value else _("no"))
        elif isinstance(value, dict):
            text = ", ".join(f"{key}: {show(item)}" for key, item in value.items())
        elif isinstance(value, list):
            text = ", ".join(show(item) for item in value)
        else:
            text = str(value)
        return text if len(text) <= limit else text[: limit - 1] + "…"

    lines = []
    for key, value in (changes or {}).items():
        label = str(labels.get(key, key)).capitalize()
        if isinstance(value, list) and len(value) == 2 and key not in {"variables", "purposes"}:
            lines.append(f"{label}: {show(value[0])} → {show(value[1])}")
        else:
            lines.append(f"{label}: {show(value)}")
    return lines
