"""The whole process at a glance, for the secretariat (SSC-DG) and the public.

One row per registry in the process (it submitted something, or it is statutory): its stage,
for each committee the review's status, who holds it, the due date and what is overdue, the
advice, and the members the secretariat assigned. This replaces the spreadsheet the
secretariat kept by hand ("Overzicht kwaliteitsregistraties"): the export writes the same rows.

Only the pipeline's metadata is read here: never a review's criteria, judgements, notes or
positions (those belong to the committee). Every read uses a fixed number of queries,
whatever the number of registries.
"""

import io
from dataclasses import dataclass, field
from datetime import date

from django.db import models, transaction
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from register.audit import audit_record
from register.constants import Role, SubmissionStage, SubmissionStatus
from register.exceptions import DomainError, InvalidTransition, PermissionDenied
from register.models import Decision, Registry, Submission
from register.roles import has_role
from register.table_io import escape_cell

from .constants import (
    REGISTRY_HOLDS,
    AdviceOutcome,
    AdviceStatus,
    ClarificationStatus,
    CommitteeCode,
    Perspective,
    ReviewStatus,
)
from .models import Advice, Assignment, ClarificationRequest, ConflictOfInterest, Membership, Review
from .workflow import days_left

# Committees in the order the process names them (the IGC first), not alphabetically.
COMMITTEES = list(CommitteeCode.values)
PERSPECTIVES = list(Perspective.values)


class PipelineStage(models.TextChoices):
    """Where a registry is in the process, from its latest submission."""

    FIRST = "first", gettext_lazy("first review")
    SUPPLEMENTARY = "supplementary", gettext_lazy("supplementary review")
    ANNUAL_UPDATE = "annual_update", gettext_lazy("annual update")
    APPLICATION = "application", gettext_lazy("application")
    DECIDED = "decided", gettext_lazy("decided")
    WITHDRAWN = "withdrawn", gettext_lazy("withdrawn")
    # Included by law (article III Wkz) and nothing submitted yet.
    STATUTORY = "statutory", gettext_lazy("statutory, nothing submitted")


class Holder(models.TextChoices):
    """Who holds a review: the committee works on it, or it waits for the registry."""

    COMMITTEE = "committee", gettext_lazy("committee")
    REGISTRY = "registry", gettext_lazy("registry")
    NOBODY = "", gettext_lazy("nobody (advice given)")


# What the public overview says of each stage, in plain words.
PUBLIC_STAGE_TEXT = {
    PipelineStage.FIRST: gettext_lazy("In the first review by the committees (IGC and DGC)"),
    PipelineStage.SUPPLEMENTARY: gettext_lazy(
        "In the supplementary review by the committees (IGC and DGC)"
    ),
    PipelineStage.ANNUAL_UPDATE: gettext_lazy("Annual update, being reviewed by the committees"),
    PipelineStage.APPLICATION: gettext_lazy(
        "Application filed with Zorginstituut, waiting for its decision"
    ),
    PipelineStage.WITHDRAWN: gettext_lazy("Withdrawn by the registry"),
    PipelineStage.STATUTORY: gettext_lazy("Included by law (article III Wkz)"),
}
PUBLIC_DECISION_TEXT = {
    "include": gettext_lazy("Zorginstituut decided: included in the register"),
    "refuse": gettext_lazy("Zorginstituut decided: not included"),
    "withdraw": gettext_lazy("Zorginstituut decided: removed from the register"),
}
ADVISED_TEXT = gettext_lazy("advice given; the registry can file its application")
# After the first review the advice is preliminary: the supplementary review follows.
ADVISED_FIRST_TEXT = gettext_lazy("preliminary advice given; the supplementary review follows")


# --- Which registries, in which stage --------------------------------------------------------


def pipeline_registries(
    *,
    search: str = "",
    stage: str = "",
    committee: str = "",
    overdue_only: bool = False,
    today: date | None = None,
) -> QuerySet[Registry]:
    """The registries in the process, annotated with their latest submission and its state.

    ``committee``: only registries with a review of that committee not yet concluded.
    ``overdue_only``: a committee past its due date (the clock does not run while the registry
    holds the review), or a registry past the deadline of a clarification round.
    """
    today = today or timezone.localdate()
    latest = Submission.objects.filter(registry=OuterRef("pk")).order_by("-submitted_at", "-pk")
    reviews = Review.objects.filter(submission_id=OuterRef("latest_submission_id"))
    unfinished = reviews.exclude(status=ReviewStatus.ADVISED)
    registries = (
        Registry.objects.filter(
            Q(statutory=True) | Exists(Submission.objects.filter(registry=OuterRef("pk")))
        )
        .select_related("holder")
        .annotate(
            latest_submission_id=Subquery(latest.values("pk")[:1]),
            latest_stage=Subquery(latest.values("stage")[:1]),
            latest_status=Subquery(latest.values("status")[:1]),
            latest_version=Subquery(latest.values("dataset_version__number")[:1]),
            latest_submitted_at=Subquery(latest.values("submitted_at")[:1]),
        )
        .annotate(
            pipeline_stage=Case(
                When(latest_submission_id__isnull=True, then=Value(PipelineStage.STATUTORY)),
                When(latest_status=SubmissionStatus.WITHDRAWN, then=Value(PipelineStage.WITHDRAWN)),
                When(latest_status=SubmissionStatus.DECIDED, then=Value(PipelineStage.DECIDED)),
                When(latest_status=SubmissionStatus.APPLIED, then=Value(PipelineStage.APPLICATION)),
                default=F("latest_stage"),
                output_field=models.CharField(),
            ),
            review_overdue=Exists(
                unfinished.filter(
                    Q(paused_since__isnull=True, due_date__lt=today)
                    | Q(paused_since__isnull=False, due_date__lt=F("paused_since"))
                )
            ),
            answer_overdue=Exists(
                ClarificationRequest.objects.filter(
                    review__submission_id=OuterRef("latest_submission_id"),
                    status=ClarificationStatus.OPEN,
                    deadline__lt=today,
                )
            ),
            registry_holds=Exists(reviews.filter(status__in=REGISTRY_HOLDS)),
        )
        .order_by("acronym")
    )
    if search:
        registries = registries.filter(
            Q(acronym__icontains=search)
            | Q(name__icontains=search)
            | Q(holder__name__icontains=search)
        )
    if stage:
        registries = registries.filter(pipeline_stage=stage)
    if committee:
        registries = registries.filter(Exists(unfinished.filter(committee__code=committee)))
    if overdue_only:
        registries = registries.filter(Q(review_overdue=True) | Q(answer_overdue=True))
    return registries


def pipeline_counts(*, today: date | None = None) -> dict[str, int]:
    """The figures above the dashboard, over the whole pipeline (registries), in one query."""
    return pipeline_registries(today=today).aggregate(
        in_review=Count("pk", filter=Q(latest_status=SubmissionStatus.IN_REVIEW)),
        waiting_for_registry=Count("pk", filter=Q(registry_holds=True)),
        overdue=Count("pk", filter=Q(review_overdue=True) | Q(answer_overdue=True)),
        advised=Count("pk", filter=Q(latest_status=SubmissionStatus.ADVISED)),
    )


# --- The rows ------------------------------------------------------------------------------


@dataclass
class CommitteeCell:
    """One committee's review of the registry's latest submission."""

    committee: str
    review_id: int
    status: str
    status_label: str
    holder: str
    holder_label: str
    due_date: date | None
    days_left: int | None
    overdue: bool
    clarification_deadline: date | None
    clarification_overdue: bool
    advice_outcome: str = ""
    advice_outcome_label: str = ""
    advice_definitive: bool = False
    members: list[str] = field(default_factory=list)

    @property
    def days_overdue(self) -> int:
        return -self.days_left if self.overdue else 0


@dataclass
class PipelineRow:
    registry: Registry
    stage: str
    stage_label: str
    submission_id: int | None
    submission_stage_label: str
    version: int | None
    submitted_at: object
    cells: list[CommitteeCell | None]  # one per committee, in COMMITTEES order

    @property
    def reviews(self) -> dict[str, CommitteeCell]:
        return {cell.committee: cell for cell in self.cells if cell is not None}

    @property
    def overdue(self) -> bool:
        return any(c.overdue or c.clarification_overdue for c in self.cells if c is not None)

    @property
    def clarification_deadline(self) -> date | None:
        deadlines = [c.clarification_deadline for c in self.cells if c and c.clarification_deadline]
        return min(deadlines) if deadlines else None


def member_name(user) -> str:
    return user.get_full_name() or user.email or user.get_username()


def pipeline_rows(registries, *, today: date | None = None) -> list[PipelineRow]:
    """Rows for registries from ``pipeline_registries`` (a page of them, or all): two queries."""
    today = today or timezone.localdate()
    registries = list(registries)
    submission_ids = [r.latest_submission_id for r in registries if r.latest_submission_id]
    open_deadline = (
        ClarificationRequest.objects.filter(review=OuterRef("pk"), status=ClarificationStatus.OPEN)
        .order_by("deadline")
        .values("deadline")[:1]
    )
    reviews = (
        Review.objects.filter(submission_id__in=submission_ids)
        .select_related("committee")
        .annotate(
            open_clarification_deadline=Subquery(open_deadline),
            advice_outcome=F("advice__outcome"),
            advice_status=F("advice__status"),
        )
        .prefetch_related(
            Prefetch(
                "assignments",
                queryset=Assignment.objects.select_related("member").order_by(
                    "member__last_name", "member__first_name", "member__email"
                ),
            )
        )
    )
    by_submission: dict[int, dict[str, Review]] = {}
    for review in reviews:
        by_submission.setdefault(review.submission_id, {})[review.committee.code] = review
    stage_labels = dict(PipelineStage.choices)
    submission_stage_labels = dict(SubmissionStage.choices)
    rows = []
    for registry in registries:
        found = by_submission.get(registry.latest_submission_id, {})
        rows.append(
            PipelineRow(
                registry=registry,
                stage=registry.pipeline_stage,
                stage_label=str(stage_labels.get(registry.pipeline_stage, "")),
                submission_id=registry.latest_submission_id,
                submission_stage_label=str(submission_stage_labels.get(registry.latest_stage, "")),
                version=registry.latest_version,
                submitted_at=registry.latest_submitted_at,
                cells=[_cell(found[code], today) if code in found else None for code in COMMITTEES],
            )
        )
    return rows


def _cell(review: Review, today: date) -> CommitteeCell:
    advised = review.status == ReviewStatus.ADVISED
    holder = (
        Holder.NOBODY
        if advised
        else (Holder.REGISTRY if review.status in REGISTRY_HOLDS else Holder.COMMITTEE)
    )
    left = None if advised else days_left(review, today=today)
    deadline = review.open_clarification_deadline
    return CommitteeCell(
        committee=review.committee.code,
        review_id=review.pk,
        status=review.status,
        status_label=str(ReviewStatus(review.status).label),
        holder=holder,
        holder_label=str(Holder(holder).label),
        due_date=review.due_date,
        days_left=left,
        overdue=left is not None and left < 0,
        clarification_deadline=deadline,
        clarification_overdue=deadline is not None and deadline < today,
        advice_outcome=review.advice_outcome or "",
        advice_outcome_label=str(AdviceOutcome(review.advice_outcome).label)
        if review.advice_outcome
        else "",
        advice_definitive=review.advice_status == AdviceStatus.DEFINITIVE,
        members=[member_name(a.member) for a in review.assignments.all()],
    )


def pipeline(
    *,
    search: str = "",
    stage: str = "",
    committee: str = "",
    overdue_only: bool = False,
    today: date | None = None,
) -> list[PipelineRow]:
    """Every row of the pipeline (the export); pages use pipeline_registries + pipeline_rows."""
    today = today or timezone.localdate()
    return pipeline_rows(
        pipeline_registries(
            search=search,
            stage=stage,
            committee=committee,
            overdue_only=overdue_only,
            today=today,
        ),
        today=today,
    )


# --- Assigning members -----------------------------------------------------------------------


def review_for_secretariat(*, pk: int) -> Review:
    """A review with the pipeline facts the secretariat may see. Raises Review.DoesNotExist."""
    return Review.objects.select_related(
        "committee", "submission__registry__holder", "submission__dataset_version"
    ).get(pk=pk)


@dataclass
class Candidate:
    user_id: int
    name: str
    perspective: str
    is_chair: bool
    conflicted: bool
    assigned: bool


def assignment_candidates(*, review: Review) -> list[tuple[str, str, list[Candidate]]]:
    """The committee's members grouped by perspective: [(perspective, label, members)].

    A member with a declared conflict of interest for the review is listed but cannot be
    assigned. Two queries.
    """
    conflicted = set(
        ConflictOfInterest.objects.filter(review=review).values_list("member_id", flat=True)
    )
    memberships = (
        Membership.objects.filter(committee_id=review.committee_id)
        .select_related("user")
        .annotate(
            assigned=Exists(Assignment.objects.filter(review=review, member=OuterRef("user")))
        )
        .order_by("-is_chair", "user__last_name", "user__first_name", "user__email")
    )
    groups: dict[str, list[Candidate]] = {p: [] for p in PERSPECTIVES}
    for membership in memberships:
        groups.setdefault(membership.perspective, []).append(
            Candidate(
                user_id=membership.user_id,
                name=member_name(membership.user),
                perspective=membership.perspective,
                is_chair=membership.is_chair,
                conflicted=membership.user_id in conflicted,
                assigned=membership.assigned,
            )
        )
    return [(p, str(Perspective(p).label), members) for p, members in groups.items() if members]


def members_assign(*, review: Review, actor, member_ids) -> list[int]:
    """Replace the members assigned to prepare a review (rapporteurs).

    The secretariat (SSC-DG) assigns; only members of the reviewing committee, and not a member
    who declared a conflict of interest for the review (they are excluded from it). A concluded
    review keeps the assignments it was advised with. Returns the assigned user ids.
    """
    if not has_role(actor, Role.SECRETARIAT):
        raise PermissionDenied(_("Only the secretariat assigns members to a review."))
    try:
        wanted = {int(pk) for pk in member_ids}
    except (TypeError, ValueError):
        raise DomainError(_("Choose members from the list."), field="members") from None
    with transaction.atomic():
        review = (
            Review.objects.select_for_update(of=("self",))
            .select_related("committee")
            .get(pk=review.pk)
        )
        if review.status == ReviewStatus.ADVISED:
            raise InvalidTransition(
                _("This review has been concluded with advice: its members can no longer change.")
            )
        members = {
            m.user_id: m.user
            for m in Membership.objects.filter(
                committee_id=review.committee_id, user_id__in=wanted
            ).select_related("user")
        }
        outsiders = wanted - set(members)
        if outsiders:
            raise DomainError(
                _("Only members of the %(committee)s can be assigned to its review.")
                % {"committee": review.committee.code},
                field="members",
            )
        conflicted = list(
            ConflictOfInterest.objects.filter(review=review, member_id__in=wanted)
            .select_related("member")
            .order_by("member__email")
        )
        if conflicted:
            raise DomainError(
                _(
                    "%(names)s declared a conflict of interest for this review and cannot be "
                    "assigned."
                )
                % {"names": ", ".join(member_name(c.member) for c in conflicted)},
                field="members",
            )
        current = dict(
            Assignment.objects.filter(review=review).values_list("member_id", "member__username")
        )
        if set(current) == wanted:
            return sorted(wanted)
        Assignment.objects.filter(review=review).exclude(member_id__in=wanted).delete()
        Assignment.objects.bulk_create(
            [
                Assignment(review=review, member_id=pk, assigned_by=actor)
                for pk in sorted(wanted - set(current))
            ]
        )
        # Internal to the committees and SSC-DG: not in the registry's audit trail.
        audit_record(
            actor=actor,
            action="review.assign",
            obj=review,
            changes={
                "committee": review.committee.code,
                "members": [
                    sorted(current.values()),
                    sorted(members[pk].get_username() for pk in wanted),
                ],
            },
        )
    return sorted(wanted)


# --- The public overview of the process ----------------------------------------------------


@dataclass
class PublicAdvice:
    committee: str
    outcome: str
    outcome_label: str


@dataclass
class ProcessRow:
    registry: Registry
    stage: str
    stage_text: str
    advice: list[PublicAdvice]  # only definitive advice, only with the registry's consent


def process_registries(*, search: str = "", stage: str = "") -> QuerySet[Registry]:
    """The public overview: the pipeline, with the published decision of the latest submission.

    A decision shows only once Zorginstituut published it: until then the stage stays the
    application.
    """
    published = Decision.objects.filter(
        submission_id=OuterRef("latest_submission_id"), published_at__isnull=False
    )
    registries = pipeline_registries(search=search).annotate(
        published_outcome=Subquery(published.values("outcome")[:1]),
        public_stage=Case(
            When(
                pipeline_stage=PipelineStage.DECIDED,
                published_outcome__isnull=True,
                then=Value(PipelineStage.APPLICATION),
            ),
            default=F("pipeline_stage"),
            output_field=models.CharField(),
        ),
    )
    if stage:
        registries = registries.filter(public_stage=stage)
    return registries


def process_rows(registries) -> list[ProcessRow]:
    """Rows of the public overview for these registries: one query for the published advice.

    The advice of IGC and DGC is read only when it is definitive and the registry consented to
    its publication (DOMAIN.md: publication of the advice only with the registry's consent).
    """
    registries = list(registries)
    consenting = [
        r.latest_submission_id
        for r in registries
        if r.publish_advice_consent and r.latest_submission_id
    ]
    advice_by_submission: dict[int, dict[str, Advice]] = {}
    for advice in Advice.objects.filter(
        review__submission_id__in=consenting,
        review__submission__registry__publish_advice_consent=True,
        status=AdviceStatus.DEFINITIVE,
    ).select_related("review__committee"):
        advice_by_submission.setdefault(advice.review.submission_id, {})[
            advice.review.committee.code
        ] = advice
    rows = []
    for registry in registries:
        stage = registry.public_stage
        if stage == PipelineStage.DECIDED:
            text = PUBLIC_DECISION_TEXT.get(registry.published_outcome, PipelineStage.DECIDED.label)
        elif registry.latest_status == SubmissionStatus.ADVISED:
            advised = ADVISED_FIRST_TEXT if stage == PipelineStage.FIRST else ADVISED_TEXT
            text = f"{PUBLIC_STAGE_TEXT[stage]}: {advised}"
        else:
            text = PUBLIC_STAGE_TEXT.get(stage, "")
        found = advice_by_submission.get(registry.latest_submission_id, {})
        rows.append(
            ProcessRow(
                registry=registry,
                stage=stage,
                stage_text=str(text),
                advice=[
                    PublicAdvice(
                        committee=code,
                        outcome=found[code].outcome,
                        outcome_label=str(found[code].get_outcome_display()),
                    )
                    for code in COMMITTEES
                    if code in found
                ],
            )
        )
    return rows


PUBLIC_STAGES = PipelineStage.choices


# --- The export: "Overzicht kwaliteitsregistraties" ----------------------------------------

EXPORT_TITLE = "Overzicht kwaliteitsregistraties"
EXPORT_SHEET = "Kwaliteitsregistraties"  # a sheet name has at most 31 characters
DATE_FORMAT = "DD-MM-YYYY"


def _export_columns():
    """(Dutch header, width, value of a row) per column; a value is text, a date or a number.

    The spreadsheet keeps the columns of the secretariat's own overview, in Dutch.
    """

    def yes_no(value):
        return "ja" if value else "nee"

    columns = [
        ("Acroniem", 12, lambda row: row.registry.display_acronym),
        ("Naam", 40, lambda row: row.registry.name),
        ("Registratiehouder", 32, lambda row: row.registry.holder.name),
        ("Fase", 22, lambda row: row.stage_label),
        ("Toets", 22, lambda row: row.submission_stage_label),
        ("Versie", 8, lambda row: row.version),
        (
            "Ingediend",
            12,
            lambda row: timezone.localtime(row.submitted_at).date() if row.submitted_at else None,
        ),
        ("Over tijd", 10, lambda row: yes_no(row.overdue)),
    ]
    for code in COMMITTEES:

        def cell(row, attr, code=code):
            found = row.reviews.get(code)
            return getattr(found, attr) if found else None

        def cell_text(row, attr, code=code):
            found = row.reviews.get(code)
            return getattr(found, attr) if found else ""

        columns += [
            (f"{code} status", 26, lambda row, f=cell_text: f(row, "status_label")),
            (
                f"{code} ligt bij",
                14,
                # Nobody holds a concluded review: left empty.
                lambda row, f=cell_text: f(row, "holder_label") if f(row, "holder") else "",
            ),
            (f"{code} uiterste datum", 14, lambda row, f=cell: f(row, "due_date")),
            (f"{code} dagen resterend", 10, lambda row, f=cell: f(row, "days_left")),
            (
                f"{code} termijn verlopen",
                10,
                # Only while the clock runs (a concluded review has no days left).
                lambda row, f=cell: (
                    None if f(row, "days_left") is None else yes_no(f(row, "overdue"))
                ),
            ),
            (
                f"{code} deadline verduidelijking",
                14,
                lambda row, f=cell: f(row, "clarification_deadline"),
            ),
            (f"{code} advies", 22, lambda row, f=cell_text: f(row, "advice_outcome_label")),
            (
                f"{code} advies definitief",
                10,
                lambda row, f=cell: (
                    None if not f(row, "advice_outcome") else yes_no(f(row, "advice_definitive"))
                ),
            ),
            (
                f"{code} toegewezen leden",
                36,
                lambda row, f=cell: "; ".join(f(row, "members") or []),
            ),
        ]
    return columns


def pipeline_workbook(rows: list[PipelineRow]) -> bytes:
    """The overview as an XLSX workbook: Dutch headers, dates as dates, a frozen header row,
    an autofilter and column widths.

    Text is never a formula: it passes ``escape_cell`` and is written as a string cell, so a
    registry named "=HYPERLINK(...)" stays text in every spreadsheet.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    with translation.override("nl"):
        columns = _export_columns()
        values = [[value(row) for _header, _width, value in columns] for row in rows]
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = EXPORT_SHEET
    bold = Font(bold=True)
    for index, (header, width, _value) in enumerate(columns, start=1):
        cell = sheet.cell(row=1, column=index, value=header)
        cell.font = bold
        sheet.column_dimensions[get_column_letter(index)].width = width
    for row_index, row in enumerate(values, start=2):
        for column_index, value in enumerate(row, start=1):
            if value is None or value == "":
                continue
            cell = sheet.cell(row=row_index, column=column_index)
            if isinstance(value, date):
                cell.value = value
                cell.number_format = DATE_FORMAT
            elif isinstance(value, int):
                cell.value = value
            else:
                cell.value = escape_cell(str(value))
                cell.data_type = "s"  # never a formula, whatever the text
    sheet.freeze_panes = "B2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{max(len(values) + 1, 1)}"
    workbook.properties.title = EXPORT_TITLE
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
