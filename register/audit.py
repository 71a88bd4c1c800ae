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

# The committee's own work on a review: kept in the audit trail, never shown to the registry
# (its dossier page), which sees the questions, the draft and the definitive advice only.
COMMITTEE_INTERNAL_ACTIONS = frozenset(
    {
        "criterion.assess",
        "variable_judgement.record",
        "variable_judgement.bulk",
        "advice.position",
        "conflict.declare",
        "review.assign",
        "review.reminder",
        "review_note.add",
        "advice.render_request",
        "advice.render_failed",
    }
)

ACTION_LABELS = {
    "dataset_version.create": _("new dataset version"),
    "dataset_version.submit": _("dataset version submitted"),
    "dataset_version.pdf_request": _("PDF of the accountability table requested"),
    "variable.create": _("variable added"),
    "variable.update": _("variable changed"),
    "variable.delete": _("variable removed"),
    "requirements.bulk_set": _("base/plus set for many variables at once"),
    "indicator.save": _("indicator saved"),
    "pseudonym_request.add": _("pseudonym requested"),
    "document.add": _("document uploaded"),
    "document.replace": _("document replaced"),
    "document.confidential": _("document confidentiality changed"),
    "review.open": _("review opened"),
    # Clarification rounds (reviews.clarifications).
    "clarification.send": _("questions sent to the registry"),
    "clarification.draft": _("draft answers saved"),
    "clarification.answer": _("questions answered"),
    "clarification.notice": _("e-mail about questions or answers sent"),
    "clarification.reminder": _("reminder of the answer deadline sent"),
    "clarification.close": _("questions closed without answers after the deadline"),
    "review_note.add": _("internal note added to the review"),
    "dataset_version.submit_revision": _("revised dataset version submitted"),
    "submission.revise": _("submission moved to the revised dataset version"),
    "review.version_change": _("review continued on the revised dataset version"),
    "review.reminder": _("reminder of the review's due date sent"),
    "advice.record": _("advice given"),
    # F: draft, then definitive advice (reviews.advice)
    "conflict.declare": _("conflict of interest declared"),
    "advice.draft": _("draft advice sent to the registry"),
    "advice.revise": _("draft advice revised"),
    "advice.withdraw": _("draft advice taken back by the committee"),
    "advice.position": _("position on the draft advice recorded"),
    "advice.react": _("registry reacted to the draft advice"),
    "advice.conclude": _("advice made definitive by the chair"),
    "advice.lapse": _("draft advice became definitive: no reaction before the deadline"),
    "advice.render_request": _("advice document rendered again on request"),
    "advice.render_failed": _("advice document could not be rendered"),
    "variable_judgement.record": _("variable judged by the committee"),
    "variable_judgement.bulk": _("many variables judged at once by the committee"),
    "submission.advised": _("advice complete"),
    "submission.apply": _("application filed"),
    "decision.record": _("decision recorded"),
    "decision.publish": _("decision published"),
    "decision.letter_sent": _("decision letter sent"),
    "participation.save": _("readiness updated"),
    "membership.save": _("committee membership saved"),
    "membership.remove": _("committee membership ended"),
    "accountability_table.import": _("accountability table imported"),
    "table_import.start": _("accountability table uploaded for import"),
    "table_import.done": _("uploaded accountability table imported"),
    "table_import.failed": _("uploaded accountability table refused: nothing imported"),
    # Criteria, each committee its own way (reviews.criteria).
    "criterion.assess": _("criterion assessed"),
    "catalogue.publish": _("new version of a criteria catalogue published"),
    # The secretariat's dashboard and the public overview of the process (reviews.pipeline).
    "review.assign": _("members assigned to the review"),
    "registry.advice_consent": _("consent to publish the advice changed"),
}


def action_label(action: str) -> str:
    return str(ACTION_LABELS.get(action, action))


def _field_labels() -> dict[str, str]:
    from providers.models import Participation
    from reviews.models import Advice

    from .models import Decision, Document, Submission, Variable

    labels = {"requirements": _("requirements"), "committee": _("committee")}
    labels.update(
        {
            "members": _("assigned members"),
            "publish_advice_consent": _("consents to publication of advice"),
        }
    )
    # The summary of a bulk change of the accountability table (requirements.bulk_set).
    labels.update(
        {
            "set": _("set to"),
            "categories": _("provider categories"),
            "variable_count": _("variables"),
            "cells_changed": _("cells changed"),
        }
    )
    for model in (Variable, Document, Submission, Decision, Advice, Participation):
        for model_field in model._meta.fields:
            labels.setdefault(model_field.name, model_field.verbose_name)
    # Criteria assessments and catalogue versions (reviews.criteria).
    for name, label in (
        {
            "criterion": _("criterion"),
            "rating": _("rating"),
            "minimum_met": _("minimum requirement met"),
            "growth_path_note": _("growth path"),
            "stage": _("stage"),
            "version": _("version"),
            "criteria_count": _("criteria"),
            "added": _("added"),
            "removed": _("removed"),
            "changed": _("changed"),
        }
    ).items():
        labels.setdefault(name, label)
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
