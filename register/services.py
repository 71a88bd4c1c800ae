"""State changes of the Register: one transaction each, permission checked, audit written.

Follow-up work (PDFs, e-mail) is dispatched with ``transaction.on_commit`` so that a change that
rolls back sends nothing.
"""

from datetime import date
from urllib.parse import urlencode

from django.contrib.auth.models import Group
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from guardian.shortcuts import assign_perm

from . import permissions
from .audit import audit_record, field_changes, snapshot
from .checks import dossier_check
from .constants import (
    DatasetStatus,
    DecisionOutcome,
    DocumentKind,
    PseudonymType,
    Role,
    SubmissionStage,
    SubmissionStatus,
)
from .documents import document_file_check
from .exceptions import (
    DatasetLocked,
    DomainError,
    DossierIncomplete,
    InvalidTransition,
    PermissionDenied,
    PseudonymNotAllowed,
)
from .models import (
    DatasetVersion,
    Decision,
    Document,
    Indicator,
    ProviderCategory,
    PseudonymRequest,
    Registry,
    Requirement,
    Submission,
    Variable,
)
from .workflow import application_refusal, check_transition

VARIABLE_FIELDS = [
    "code",
    "name",
    "description",
    "data_type",
    "unit",
    "code_system",
    "code_system_code",
    "purposes",
    "personal_data",
    "generalisation",
    "necessity",
    "proportionality",
    "subsidiarity",
    "ehr_source",
]


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied(_("You may not do this."))


def registry_staff_add(*, registry: Registry, user) -> None:
    """Registry staff act only on the registries they are granted (object permission)."""
    group, _created = Group.objects.get_or_create(name=Role.REGISTRY)
    user.groups.add(group)
    assign_perm(permissions.MANAGE_DOSSIER, user, registry)


# --- Dataset versions (the accountability table) -------------------------------------------


def _lock_draft(dataset_version: DatasetVersion) -> DatasetVersion:
    """Re-read the version under a row lock and refuse if it is no longer a draft."""
    locked = DatasetVersion.objects.select_for_update().get(pk=dataset_version.pk)
    if locked.is_locked:
        raise DatasetLocked(
            _("Version %(number)s has been submitted and cannot be changed; create a new version.")
            % {"number": locked.number}
        )
    return locked


def dataset_version_create(
    *, registry: Registry, actor, copy_previous: bool = True, system: bool = False
) -> DatasetVersion:
    """A new draft version; by default a copy of the registry's newest version.

    ``system=True`` is for operators' management commands (shell access is the authority
    there): no user is checked and the audit entry has no actor.
    """
    _require(system or permissions.can_manage_dossier(actor, registry))
    with transaction.atomic():
        Registry.objects.select_for_update().get(pk=registry.pk)
        previous = registry.dataset_versions.order_by("-number").first()
        version = DatasetVersion.objects.create(
            registry=registry,
            number=(previous.number + 1) if previous else 1,
            based_on=previous if copy_previous else None,
        )
        if previous and copy_previous:
            copy_table(source=previous, target=version)
        audit_record(
            actor=actor,
            action="dataset_version.create",
            obj=version,
            registry=registry,
            changes={"based_on": previous.number if previous and copy_previous else None},
        )
    return version


def copy_table(*, source: DatasetVersion, target: DatasetVersion) -> None:
    """Copy variables, requirements, indicators (with their variables) and pseudonym requests.

    A fixed number of bulk queries, whatever the size of the table. Rows are matched by code,
    which is unique per version.
    """
    variables = list(source.variables.all())
    variable_ids = _bulk_create_by_code(
        Variable,
        target,
        [
            Variable(dataset_version=target, **{name: getattr(v, name) for name in VARIABLE_FIELDS})
            for v in variables
        ],
    )
    old_code_by_id = {v.pk: v.code for v in variables}
    Requirement.objects.bulk_create(
        [
            Requirement(
                variable_id=variable_ids[old_code_by_id[r.variable_id]],
                provider_category_id=r.provider_category_id,
                set=r.set,
            )
            for r in Requirement.objects.filter(variable__dataset_version=source)
        ]
    )
    indicator_ids = _bulk_create_by_code(
        Indicator,
        target,
        [
            Indicator(
                dataset_version=target,
                code=i.code,
                name=i.name,
                kind=i.kind,
                description=i.description,
            )
            for i in source.indicators.all()
        ],
    )
    IndicatorVariable = Indicator.variables.through
    IndicatorVariable.objects.bulk_create(
        [
            IndicatorVariable(
                indicator_id=indicator_ids[indicator_code], variable_id=variable_ids[variable_code]
            )
            for indicator_code, variable_code in IndicatorVariable.objects.filter(
                indicator__dataset_version=source
            ).values_list("indicator__code", "variable__code")
        ]
    )
    PseudonymRequest.objects.bulk_create(
        [
            PseudonymRequest(dataset_version=target, type=p.type, justification=p.justification)
            for p in source.pseudonym_requests.all()
        ]
    )


def _bulk_create_by_code(model, target: DatasetVersion, objects: list) -> dict[str, int]:
    """Insert the rows of one version; {code: new primary key}. One query, or two on a database
    that does not return the keys of a bulk insert."""
    created = model.objects.bulk_create(objects)
    if created and created[0].pk is None:
        created = model.objects.filter(dataset_version=target).only("pk", "code")
    return {row.code: row.pk for row in created}


def variable_save(
    *,
    dataset_version: DatasetVersion,
    actor,
    data: dict,
    requirements: dict[str, str],
    variable: Variable | None = None,
) -> Variable:
    """Create or change a variable and its base/plus cells (``{category code: set}``)."""
    _require(permissions.can_manage_dossier(actor, dataset_version.registry))
    with transaction.atomic():
        _lock_draft(dataset_version)
        if variable is not None and variable.dataset_version_id != dataset_version.pk:
            raise DomainError(_("This variable belongs to another version."))
        before = snapshot(variable, VARIABLE_FIELDS) if variable else {}
        before_cells = (
            dict(variable.requirements.values_list("provider_category__code", "set"))
            if variable
            else {}
        )
        variable = variable or Variable(dataset_version=dataset_version)
        for name in VARIABLE_FIELDS:
            if name in data:
                setattr(variable, name, data[name])
        variable.full_clean(validate_constraints=False)
        # The version row is locked (_lock_draft), so this check cannot race another save.
        if (
            Variable.objects.filter(dataset_version=dataset_version, code=variable.code)
            .exclude(pk=variable.pk)
            .exists()
        ):
            raise DomainError(
                _("This version already has a variable with code %(code)s.")
                % {"code": variable.code},
                field="code",
            )
        variable.save()
        categories = {c.code: c for c in ProviderCategory.objects.filter(code__in=requirements)}
        unknown = set(requirements) - set(categories)
        if unknown:
            raise DomainError(
                _("Unknown provider category: %s") % ", ".join(sorted(unknown)),
                field="requirements",
            )
        variable.requirements.all().delete()
        Requirement.objects.bulk_create(
            [
                Requirement(variable=variable, provider_category=categories[code], set=value)
                for code, value in requirements.items()
                if value
            ]
        )
        changes = field_changes(before, snapshot(variable, VARIABLE_FIELDS))
        after_cells = {code: value for code, value in requirements.items() if value}
        if after_cells != before_cells:
            changes["requirements"] = [before_cells, after_cells]
        audit_record(
            actor=actor,
            action="variable.update" if before else "variable.create",
            obj=variable,
            registry=dataset_version.registry,
            changes=changes,
        )
    return variable


def variable_delete(*, variable: Variable, actor) -> None:
    version = variable.dataset_version
    _require(permissions.can_manage_dossier(actor, version.registry))
    with transaction.atomic():
        _lock_draft(version)
        audit_record(
            actor=actor,
            action="variable.delete",
            obj=variable,
            registry=version.registry,
            changes={"code": variable.code},
        )
        variable.delete()


class BulkSetResult:
    """What ``requirements_bulk_set`` did: how many variables it covered, how many cells changed."""

    def __init__(self, *, variable_count: int, category_count: int, cells_changed: int):
        self.variable_count = variable_count
        self.category_count = category_count
        self.cells_changed = cells_changed


def requirements_bulk_set(
    *,
    dataset_version: DatasetVersion,
    actor,
    category_codes,
    value: str,
    variable_ids=None,
    variables=None,
) -> BulkSetResult:
    """Set one value in many cells of the accountability table: base, plus, or "" (not
    requested), for the chosen variables × the chosen provider categories.

    The variables are ``variable_ids`` (ids of this version) or ``variables``, a queryset
    such as ``selectors.version_variables_filtered``. All or nothing; one audit entry that
    summarises the change. A fixed number of queries whatever the number of variables: the
    ids are read once (so a filter on requirements cannot shift under the writes), then one
    count, one update or delete, and one INSERT ... SELECT for the new cells (bulk_create
    would split 18,000 cells into batches of 333 rows on SQLite).
    """
    from django.db import connection

    from .constants import RequirementSet

    registry = dataset_version.registry
    _require(permissions.can_manage_dossier(actor, registry))
    if (variable_ids is None) == (variables is None):
        raise TypeError("Pass either variable_ids or variables.")
    if value not in {RequirementSet.BASE, RequirementSet.PLUS, ""}:
        raise DomainError(_("Choose base set, plus set or not requested."), field="value")
    codes = sorted(set(category_codes))
    if not codes:
        raise DomainError(_("Choose at least one provider category."), field="categories")
    with transaction.atomic():
        _lock_draft(dataset_version)
        categories = list(ProviderCategory.objects.filter(code__in=codes))
        unknown = set(codes) - {c.code for c in categories}
        if unknown:
            raise DomainError(
                _("Unknown provider category: %s") % ", ".join(sorted(unknown)),
                field="categories",
            )
        if variable_ids is not None:
            wanted = set(variable_ids)
            rows = list(
                Variable.objects.filter(pk__in=wanted).values_list("pk", "dataset_version_id")
            )
            foreign = len(wanted) != len(rows)
        else:
            rows = list(variables.order_by().values_list("pk", "dataset_version_id"))
            foreign = False
        foreign = foreign or any(version_id != dataset_version.pk for _pk, version_id in rows)
        if foreign:
            raise DomainError(
                _("Some of the chosen variables are not in version %(number)s.")
                % {"number": dataset_version.number},
                field="variables",
            )
        ids = [pk for pk, _version_id in rows]
        if not ids:
            raise DomainError(_("Choose at least one variable."), field="variables")
        category_ids = [c.pk for c in categories]
        cells = Requirement.objects.filter(
            variable_id__in=ids, provider_category_id__in=category_ids
        )
        if value:
            cells_changed = len(ids) * len(categories) - cells.filter(set=value).count()
            cells.exclude(set=value).update(set=value)
            _requirements_insert_missing(connection, ids, category_ids, value)
        else:
            cells_changed = cells.count()
            cells.delete()
        audit_record(
            actor=actor,
            action="requirements.bulk_set",
            obj=dataset_version,
            registry=registry,
            changes={
                "set": value or "none",
                "categories": ", ".join(codes),
                "variable_count": len(ids),
                "cells_changed": cells_changed,
            },
        )
    return BulkSetResult(
        variable_count=len(ids), category_count=len(categories), cells_changed=cells_changed
    )


def _requirements_insert_missing(connection, variable_ids, category_ids, value) -> None:
    """One INSERT ... SELECT: a row with ``value`` for every variable × category without one."""
    quote = connection.ops.quote_name
    table = quote(Requirement._meta.db_table)
    variable_id = quote(Requirement._meta.get_field("variable").column)
    category_id = quote(Requirement._meta.get_field("provider_category").column)
    set_column = quote(Requirement._meta.get_field("set").column)
    variable_pk = quote(Variable._meta.pk.column)
    category_pk = quote(ProviderCategory._meta.pk.column)
    sql = (
        f"INSERT INTO {table} ({variable_id}, {category_id}, {set_column}) "
        f"SELECT v.{variable_pk}, c.{category_pk}, %s "
        f"FROM {quote(Variable._meta.db_table)} v CROSS JOIN {quote(ProviderCategory._meta.db_table)} c "
        f"WHERE v.{variable_pk} IN ({', '.join(['%s'] * len(variable_ids))}) "
        f"AND c.{category_pk} IN ({', '.join(['%s'] * len(category_ids))}) "
        f"AND NOT EXISTS (SELECT 1 FROM {table} r WHERE r.{variable_id} = v.{variable_pk} "
        f"AND r.{category_id} = c.{category_pk})"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [value, *variable_ids, *category_ids])


def indicator_save(
    *,
    dataset_version: DatasetVersion,
    actor,
    code: str,
    name: str,
    kind: str = "",
    description: str = "",
    variable_codes: list[str],
    indicator: Indicator | None = None,
) -> Indicator:
    _require(permissions.can_manage_dossier(actor, dataset_version.registry))
    with transaction.atomic():
        _lock_draft(dataset_version)
        variables = list(dataset_version.variables.filter(code__in=variable_codes))
        missing = set(variable_codes) - {v.code for v in variables}
        if missing:
            raise DomainError(
                _("Unknown variable code: %s") % ", ".join(sorted(missing)), field="variables"
            )
        indicator = indicator or Indicator(dataset_version=dataset_version)
        indicator.code, indicator.name, indicator.kind = code, name, kind
        indicator.description = description
        indicator.full_clean(validate_constraints=False)
        if (
            Indicator.objects.filter(dataset_version=dataset_version, code=code)
            .exclude(pk=indicator.pk)
            .exists()
        ):
            raise DomainError(_("An indicator with code %s already exists.") % code, field="code")
        indicator.save()
        indicator.variables.set(variables)
        audit_record(
            actor=actor,
            action="indicator.save",
            obj=indicator,
            registry=dataset_version.registry,
            changes={"variables": sorted(variable_codes)},
        )
    return indicator


def pseudonym_request_add(
    *, dataset_version: DatasetVersion, actor, type: str, justification: str
) -> PseudonymRequest:
    """Wkz: only registries allowed to process the BSN (LADIS, LNAZ) may request pseudonym B."""
    registry = dataset_version.registry
    _require(permissions.can_manage_dossier(actor, registry))
    if type == PseudonymType.B and not registry.bsn_allowed:
        raise PseudonymNotAllowed(
            _(
                "Only registries allowed to process the BSN (LADIS, LNAZ) may request pseudonym type B."
            ),
            field="type",
        )
    with transaction.atomic():
        _lock_draft(dataset_version)
        if dataset_version.pseudonym_requests.filter(type=type).exists():
            raise DomainError(_("Pseudonym type %s is already requested.") % type, field="type")
        request = PseudonymRequest(
            dataset_version=dataset_version, type=type, justification=justification
        )
        request.full_clean()
        request.save()
        audit_record(
            actor=actor,
            action="pseudonym_request.add",
            obj=request,
            registry=registry,
            changes={"type": type},
        )
    return request


def document_add(
    *,
    registry: Registry,
    actor,
    kind: str,
    title: str,
    file,
    confidential: bool = False,
    submission: Submission | None = None,
) -> Document:
    """Add a dossier document: PDF, DOCX, XLSX or ODT by content, within the size limit
    (register.documents), whichever way it comes in."""
    _require(permissions.can_manage_dossier(actor, registry))
    if submission is not None and submission.registry_id != registry.pk:
        raise DomainError(_("This submission belongs to another registry."), field="submission")
    document_file_check(file)
    with transaction.atomic():
        document = Document(
            registry=registry,
            submission=submission,
            kind=kind,
            title=title,
            file=file,
            confidential=confidential,
            uploaded_by=actor,
        )
        document.full_clean()
        document.save()
        audit_record(
            actor=actor,
            action="document.add",
            obj=document,
            registry=registry,
            changes={"kind": kind, "title": title, "confidential": confidential},
        )
    return document


def document_replace(*, document: Document, actor, file, title: str | None = None) -> Document:
    """A new version of a dossier document; the old one stays, as its history (``replaces``).

    The new version keeps the registry, submission, kind and confidentiality; the file passes
    the same content check as ``document_add``. Only the current version can be replaced.
    """
    registry = document.registry
    _require(permissions.can_manage_dossier(actor, registry))
    document_file_check(file)
    with transaction.atomic():
        old = Document.objects.select_for_update().get(pk=document.pk)
        if old.replaced_by.exists():
            raise InvalidTransition(_("This document has already been replaced by a newer one."))
        new = Document(
            registry=registry,
            submission_id=old.submission_id,
            kind=old.kind,
            title=(title or "").strip() or old.title,
            file=file,
            confidential=old.confidential,
            uploaded_by=actor,
            replaces=old,
        )
        new.full_clean()
        new.save()
        audit_record(
            actor=actor,
            action="document.replace",
            obj=new,
            registry=registry,
            changes={"replaces": old.pk, "title": new.title},
        )
    return new


def document_set_confidential(*, document: Document, actor, confidential: bool) -> Document:
    """Mark a dossier document (and its history) confidential or not.

    A confidential document is read only by the registry's staff, committees reviewing the
    registry and Zorginstituut (``selectors.document_for_download``); older versions follow the
    current one, so marking it confidential does not leave an earlier copy readable.
    """
    _require(permissions.can_manage_dossier(actor, document.registry))
    confidential = bool(confidential)
    with transaction.atomic():
        versions = [document.pk]
        current = Document.objects.get(pk=document.pk)
        while current.replaces_id is not None:
            versions.append(current.replaces_id)
            current = Document.objects.get(pk=current.replaces_id)
        if document.confidential == confidential:
            return document
        Document.objects.filter(pk__in=versions).update(confidential=confidential)
        audit_record(
            actor=actor,
            action="document.confidential",
            obj=document,
            registry=document.registry,
            changes={"confidential": [document.confidential, confidential]},
        )
        document.confidential = confidential
    return document


# --- Submission, application, decision ----------------------------------------------------


def dataset_version_submit(*, dataset_version: DatasetVersion, actor, stage: str) -> Submission:
    """Lock the version and put it forward.

    Statutory registries (LTR, LADIS; article III Wkz) go straight to Zorginstituut; the others
    get one review by the IGC and one by the DGC. A version with blocking findings in the
    dossier check for the stage (register.checks: accountability table, pseudonym type B, the
    supplementary review's documents) is refused with DossierIncomplete; nothing is written.
    """
    registry = dataset_version.registry
    _require(permissions.can_manage_dossier(actor, registry))
    if stage not in SubmissionStage.values:
        raise DomainError(_("Unknown review stage."), field="stage")
    with transaction.atomic():
        version = _lock_draft(dataset_version)
        if not version.variables.exists():
            raise DomainError(_("An empty accountability table cannot be submitted."))
        version.registry = registry
        blocking = dossier_check(dataset_version=version, stage=stage).blocking
        if blocking:
            check_url = reverse(
                "dossiers:version_check",
                kwargs={"acronym": registry.acronym, "number": version.number},
            )
            raise DossierIncomplete(
                ngettext(
                    "The dossier check has %(count)d blocking finding for the %(stage)s, so the "
                    "version has not been submitted. The dossier check for this stage lists it "
                    "with a link to where to fix it.",
                    "The dossier check has %(count)d blocking findings for the %(stage)s, so the "
                    "version has not been submitted. The dossier check for this stage lists "
                    "them with a link to where to fix each.",
                    len(blocking),
                )
                % {"count": len(blocking), "stage": SubmissionStage(stage).label},
                findings=blocking,
                stage=stage,
                check_url=f"{check_url}?{urlencode({'stage': stage})}",
            )
        now = timezone.now()
        version.status = DatasetStatus.SUBMITTED
        version.submitted_at = now
        version.save(update_fields=["status", "submitted_at"])
        dataset_version.status, dataset_version.submitted_at = version.status, now
        submission = Submission.objects.create(
            registry=registry,
            dataset_version=version,
            stage=stage,
            status=SubmissionStatus.APPLIED if registry.statutory else SubmissionStatus.IN_REVIEW,
            submitted_at=now,
            submitted_by=actor,
            applied_at=now if registry.statutory else None,
        )
        if not registry.statutory:
            from reviews.services import reviews_open

            reviews_open(submission=submission)
        audit_record(
            actor=actor,
            action="dataset_version.submit",
            obj=version,
            registry=registry,
            changes={"stage": stage, "submission": submission.pk, "status": submission.status},
        )
    return submission


def dataset_version_lock_for_revision(
    *, dataset_version: DatasetVersion, actor, stage: str
) -> DatasetVersion:
    """Lock a draft submitted as a revision in a clarification round (reviews.clarifications).

    The same rules as a submission (dataset_version_submit): a draft of a registry the actor
    manages, not empty, without blocking findings in the dossier check for the stage. It
    makes no new submission: the caller moves the submission and its reviews to the version,
    within its own transaction.
    """
    registry = dataset_version.registry
    _require(permissions.can_manage_dossier(actor, registry))
    version = _lock_draft(dataset_version)
    if not version.variables.exists():
        raise DomainError(
            _("An empty accountability table cannot be submitted."), field="revised_version"
        )
    version.registry = registry
    blocking = dossier_check(dataset_version=version, stage=stage).blocking
    if blocking:
        check_url = reverse(
            "dossiers:version_check",
            kwargs={"acronym": registry.acronym, "number": version.number},
        )
        raise DossierIncomplete(
            ngettext(
                "The dossier check has %(count)d blocking finding for version %(number)s, so it "
                "cannot be submitted as the revised version. The dossier check lists it with a "
                "link to where to fix it.",
                "The dossier check has %(count)d blocking findings for version %(number)s, so "
                "it cannot be submitted as the revised version. The dossier check lists them "
                "with a link to where to fix each.",
                len(blocking),
            )
            % {"count": len(blocking), "number": version.number},
            findings=blocking,
            stage=stage,
            check_url=f"{check_url}?{urlencode({'stage': stage})}",
        )
    version.status = DatasetStatus.SUBMITTED
    version.submitted_at = timezone.now()
    version.save(update_fields=["status", "submitted_at"])
    audit_record(
        actor=actor,
        action="dataset_version.submit_revision",
        obj=version,
        registry=registry,
        changes={"stage": stage, "status": DatasetStatus.SUBMITTED},
    )
    return version


def submission_mark_advised(*, submission: Submission) -> None:
    """Called by the reviews app when the last committee's advice is recorded."""
    check_transition(submission.status, SubmissionStatus.ADVISED)
    submission.status = SubmissionStatus.ADVISED
    submission.save(update_fields=["status"])
    audit_record(
        actor=None,
        action="submission.advised",
        obj=submission,
        registry=submission.registry,
        changes={"status": SubmissionStatus.ADVISED},
    )


def submission_apply(*, submission: Submission, actor, application_form, evidence=()) -> Submission:
    """File the application to Zorginstituut in one step: the advice attaches itself.

    Only after the final advice of a supplementary review or annual update
    (register.workflow.application_refusal).
    """
    registry = submission.registry
    _require(permissions.can_manage_dossier(actor, registry))
    if not application_form:
        raise DomainError(_("Attach the application form."), field="application_form")
    # Checked here too (document_add checks each file) to name the input at fault.
    document_file_check(application_form, field="application_form")
    for item in evidence:
        document_file_check(item, field="evidence")
    with transaction.atomic():
        submission = Submission.objects.select_for_update().get(pk=submission.pk)
        refusal = application_refusal(submission)
        if refusal is not None:
            raise refusal
        document_add(
            registry=registry,
            actor=actor,
            kind=DocumentKind.APPLICATION_FORM,
            title=_("Application form"),
            file=application_form,
            submission=submission,
        )
        for item in evidence:
            document_add(
                registry=registry,
                actor=actor,
                kind=DocumentKind.EVIDENCE,
                title=item.name[:200],
                file=item,
                submission=submission,
            )
        submission.status = SubmissionStatus.APPLIED
        submission.applied_at = timezone.now()
        submission.save(update_fields=["status", "applied_at"])
        audit_record(
            actor=actor,
            action="submission.apply",
            obj=submission,
            registry=registry,
            changes={"status": SubmissionStatus.APPLIED},
        )
    return submission


def decision_record(
    *, submission: Submission, actor, outcome: str, reasoning: str, effective_from: date
) -> Decision:
    """Zorginstituut decides on an application.

    Inclusion needs positive advice of both IGC and DGC, except for the statutory registries
    (article III Wkz).
    """
    _require(permissions.can_decide(actor))
    if outcome not in DecisionOutcome.values:
        raise DomainError(_("Unknown outcome."), field="outcome")
    if not reasoning.strip():
        raise DomainError(_("Give the reasoning for the decision."), field="reasoning")
    with transaction.atomic():
        submission = (
            Submission.objects.select_for_update(of=("self",))
            .select_related("registry")
            .get(pk=submission.pk)
        )
        check_transition(submission.status, SubmissionStatus.DECIDED)
        registry = submission.registry
        if outcome == DecisionOutcome.INCLUDE and not registry.statutory:
            from reviews.selectors import submission_has_positive_advice

            if not submission_has_positive_advice(submission):
                raise DomainError(
                    _("Inclusion requires positive advice from both IGC and DGC."), field="outcome"
                )
        decision = Decision(
            registry=registry,
            submission=submission,
            dataset_version=submission.dataset_version,
            outcome=outcome,
            reasoning=reasoning,
            decided_at=timezone.now(),
            decided_by=actor,
            effective_from=effective_from,
        )
        decision.full_clean()
        decision.save()
        submission.status = SubmissionStatus.DECIDED
        submission.save(update_fields=["status"])
        audit_record(
            actor=actor,
            action="decision.record",
            obj=decision,
            registry=registry,
            changes={"outcome": outcome, "effective_from": effective_from.isoformat()},
        )
    return decision


def decision_publish(*, decision: Decision, actor) -> Decision:
    """Publish in the register; the letter is rendered and sent by a task after commit."""
    _require(permissions.can_decide(actor))
    from .tasks import send_decision_letter

    with transaction.atomic():
        decision = Decision.objects.select_for_update().get(pk=decision.pk)
        if decision.published_at:
            raise DomainError(_("This decision has already been published."))
        decision.published_at = timezone.now()
        decision.save(update_fields=["published_at"])
        audit_record(
            actor=actor,
            action="decision.publish",
            obj=decision,
            registry=decision.registry,
            changes={"published_at": decision.published_at.isoformat()},
        )
        decision_id = decision.pk
        transaction.on_commit(lambda: send_decision_letter.delay(decision_id))
    return decision


def decision_letter_send(*, decision_id: int) -> None:
    """Render the letter (once) and e-mail it to the registry holder (once). Safe to re-run."""
    from django.core.files.base import ContentFile
    from django.core.mail import EmailMessage

    from .pdf import render_pdf

    with transaction.atomic():
        decision = (
            Decision.objects.select_for_update(of=("self",))
            .select_related("registry__holder", "dataset_version")
            .get(pk=decision_id)
        )
        if not decision.published_at:
            raise DomainError(_("Only a published decision has a letter."))
        if not decision.letter:
            pdf = render_pdf("pdf/decision_letter.html", {"decision": decision})
            decision.letter.save(
                f"besluit-{decision.registry.acronym}-{decision.pk}.pdf",
                ContentFile(pdf),
                save=False,
            )
            decision.save(update_fields=["letter"])
        if decision.letter_sent_at:
            return
        holder = decision.registry.holder
        message = EmailMessage(
            subject=_("Decision on %(registry)s in the Register of Quality Registries")
            % {"registry": decision.registry.display_acronym},
            body=_(
                "Dear %(contact)s,\n\nZorginstituut Nederland has decided on the application of "
                "%(registry)s. The decision letter is attached.\n\nZorginstituut Nederland"
            )
            % {"contact": holder.contact_name or holder.name, "registry": decision.registry.name},
            to=[holder.contact_email],
        )
        decision.letter.open("rb")
        try:
            message.attach(
                decision.letter.name.rsplit("/", 1)[-1], decision.letter.read(), "application/pdf"
            )
        finally:
            decision.letter.close()
        message.send()
        decision.letter_sent_at = timezone.now()
        decision.save(update_fields=["letter_sent_at"])
        audit_record(
            actor=None,
            action="decision.letter_sent",
            obj=decision,
            registry=decision.registry,
            changes={"to": holder.contact_email},
        )


# --- The accountability table as a PDF ------------------------------------------------------


def dataset_version_request_pdf(*, dataset_version: DatasetVersion, actor) -> None:
    """Ask for the table's PDF; a task renders it after commit. Only a submitted version.

    A draft still changes, so a stored PDF of it would go stale: it is refused.
    """
    _require(permissions.can_manage_dossier(actor, dataset_version.registry))
    from .tasks import render_table_pdf

    if not dataset_version.is_locked:
        raise DomainError(
            _("Only a submitted version has a PDF: a draft can still change. Submit it first.")
        )
    if dataset_version.table_pdf:
        return
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="dataset_version.pdf_request",
            obj=dataset_version,
            registry=dataset_version.registry,
            changes={"version": dataset_version.number},
        )
        dataset_version_id = dataset_version.pk
        transaction.on_commit(lambda: render_table_pdf.delay(dataset_version_id))


def dataset_version_render_pdf(*, dataset_version_id: int) -> None:
    """Render the table of a submitted version as a landscape PDF, once; safe to run twice."""
    from django.core.files.base import ContentFile

    from .pdf import render_pdf
    from .selectors import requirement_table

    with transaction.atomic():
        version = (
            DatasetVersion.objects.select_for_update(of=("self",))
            .select_related("registry")
            .get(pk=dataset_version_id)
        )
        if version.table_pdf:
            return
        if not version.is_locked:
            raise DomainError(_("Only a submitted version has a PDF: a draft can still change."))
        table = requirement_table(variables=version.variables.order_by("code"))
        pdf = render_pdf(
            "pdf/version_table.html",
            {"registry": version.registry, "version": version, "table": table},
        )
        version.table_pdf.save(
            f"verantwoordingstabel-{version.registry.acronym}-v{version.number}.pdf",
            ContentFile(pdf),
            save=False,
        )
        version.save(update_fields=["table_pdf"])


# --- Publication of the advice ----------------------------------------------------------------


def registry_set_advice_consent(*, registry: Registry, actor, consent: bool) -> Registry:
    """Give or withdraw the registry's consent to publish its definitive advice.

    DOMAIN.md: the advice of IGC and DGC appears in the public overview of the process only
    with the registry's consent; the registry's staff decide, and may change their mind.
    """
    _require(permissions.can_manage_dossier(actor, registry))
    consent = bool(consent)
    with transaction.atomic():
        locked = Registry.objects.select_for_update().get(pk=registry.pk)
        if locked.publish_advice_consent != consent:
            Registry.objects.filter(pk=registry.pk).update(publish_advice_consent=consent)
            audit_record(
                actor=actor,
                action="registry.advice_consent",
                obj=locked,
                registry=locked,
                changes={"publish_advice_consent": [locked.publish_advice_consent, consent]},
            )
    registry.publish_advice_consent = consent
    return registry
