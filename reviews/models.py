from django.conf import settings
from django.contrib.auth.models import Group
from django.db import models
from django.utils.translation import gettext_lazy as _

from register.models import DatasetVersion, Submission, Variable

from .constants import (
    AdviceOutcome,
    AdviceStatus,
    CatalogueStage,
    ClarificationStatus,
    CommitteeCode,
    CriterionRating,
    Perspective,
    Position,
    RenderStatus,
    ReviewStatus,
    Verdict,
)


class Committee(models.Model):
    """IGC or DGC. Its members are the users in ``group``; reviews are granted to that group."""

    code = models.CharField(_("code"), max_length=8, choices=CommitteeCode.choices, unique=True)
    name = models.CharField(_("name"), max_length=200)
    group = models.OneToOneField(Group, models.PROTECT, related_name="committee")

    class Meta:
        ordering = ["code"]
        verbose_name = _("committee")
        verbose_name_plural = _("committees")

    def __str__(self):
        return self.code


class Membership(models.Model):
    committee = models.ForeignKey(
        Committee, models.CASCADE, related_name="memberships", verbose_name=_("committee")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="committee_memberships"
    )
    perspective = models.CharField(_("perspective"), max_length=16, choices=Perspective.choices)
    is_chair = models.BooleanField(_("chair"), default=False)

    class Meta:
        verbose_name = _("committee membership")
        verbose_name_plural = _("committee memberships")
        constraints = [
            models.UniqueConstraint(fields=["committee", "user"], name="unique_committee_member")
        ]

    def __str__(self):
        return f"{self.user} ({self.committee}, {self.get_perspective_display()})"


class CriteriaCatalogue(models.Model):
    """One published version of a committee's review criteria for one stage.

    The secretariat changes a catalogue by publishing a new version; a review keeps the version
    it started with.
    """

    committee = models.ForeignKey(
        Committee, models.PROTECT, related_name="catalogues", verbose_name=_("committee")
    )
    stage = models.CharField(_("stage"), max_length=16, choices=CatalogueStage.choices)
    version = models.PositiveIntegerField(_("version"))
    note = models.TextField(_("what changed"), blank=True)
    published_at = models.DateTimeField(_("published at"))
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("published by"),
    )

    class Meta:
        ordering = ["committee", "stage", "-version"]
        verbose_name = _("criteria catalogue (toetsingskader)")
        verbose_name_plural = _("criteria catalogues")
        constraints = [
            models.UniqueConstraint(
                fields=["committee", "stage", "version"], name="unique_catalogue_version"
            )
        ]

    def __str__(self):
        return f"{self.committee} {self.get_stage_display()} v{self.version}"


class Criterion(models.Model):
    catalogue = models.ForeignKey(
        CriteriaCatalogue, models.CASCADE, related_name="criteria", verbose_name=_("catalogue")
    )
    code = models.CharField(_("code"), max_length=16)
    title = models.CharField(_("criterion"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    # The DGC's minimum requirement and growth path per criterion (DOMAIN.md).
    minimum_requirement = models.TextField(_("minimum requirement"), blank=True)
    growth_path = models.TextField(_("growth path"), blank=True)
    knockout = models.BooleanField(
        _("knock-out"),
        default=False,
        help_text=_("Not met or insufficient makes a positive advice impossible."),
    )
    position = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["catalogue", "position", "code"]
        verbose_name = _("criterion (toetsingscriterium)")
        verbose_name_plural = _("criteria")
        constraints = [
            models.UniqueConstraint(fields=["catalogue", "code"], name="unique_criterion_code")
        ]

    def __str__(self):
        return f"{self.code} {self.title}"


class Review(models.Model):
    submission = models.ForeignKey(
        Submission, models.CASCADE, related_name="reviews", verbose_name=_("submission")
    )
    committee = models.ForeignKey(
        Committee, models.PROTECT, related_name="reviews", verbose_name=_("committee")
    )
    status = models.CharField(
        _("status"), max_length=16, choices=ReviewStatus.choices, default=ReviewStatus.OPEN
    )
    due_date = models.DateField(_("due date"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    catalogue = models.ForeignKey(
        CriteriaCatalogue,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="reviews",
        verbose_name=_("criteria catalogue"),
    )
    # The version under review: the submitted one, or a revision the registry submitted in a
    # clarification round (the submission then points to it too).
    dataset_version = models.ForeignKey(
        DatasetVersion,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="reviews",
        verbose_name=_("dataset version under review"),
    )
    # The review clock pauses while the registry holds the review (REGISTRY_HOLDS).
    paused_since = models.DateField(_("clock paused since"), null=True, blank=True)
    paused_days = models.PositiveIntegerField(_("days paused"), default=0)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="Assignment",
        through_fields=("review", "member"),
        related_name="assigned_reviews",
        verbose_name=_("assigned members"),
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        constraints = [
            models.UniqueConstraint(
                fields=["submission", "committee"], name="one_review_per_committee"
            )
        ]

    def __str__(self):
        return f"{self.committee} — {self.submission}"


class Assignment(models.Model):
    """A member the secretariat assigned to prepare a review (rapporteur)."""

    review = models.ForeignKey(Review, models.CASCADE, related_name="assignments")
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="review_assignments"
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("assigned by")
    )
    assigned_at = models.DateTimeField(_("assigned at"), auto_now_add=True)

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        constraints = [
            models.UniqueConstraint(fields=["review", "member"], name="unique_review_assignment")
        ]

    def __str__(self):
        return f"{self.member} — {self.review}"


class ConflictOfInterest(models.Model):
    """A member's declared conflict of interest; the member is excluded from the review."""

    review = models.ForeignKey(Review, models.CASCADE, related_name="conflicts")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="+")
    reason = models.TextField(_("reason"))
    declared_at = models.DateTimeField(_("declared at"), auto_now_add=True)

    class Meta:
        verbose_name = _("conflict of interest (belangenverstrengeling)")
        verbose_name_plural = _("conflicts of interest")
        constraints = [
            models.UniqueConstraint(fields=["review", "member"], name="unique_review_conflict")
        ]

    def __str__(self):
        return f"{self.member} — {self.review}"


class ReviewNote(models.Model):
    """The committee's internal note on a review; never shown to the registry."""

    review = models.ForeignKey(Review, models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    text = models.TextField(_("note"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("internal note")
        verbose_name_plural = _("internal notes")

    def __str__(self):
        return f"{self.review} — {self.created_at:%Y-%m-%d}"


class CriterionAssessment(models.Model):
    """The committee's verdict on one criterion of the review's catalogue.

    The IGC rates (sufficient / moderate / insufficient); the DGC records whether the minimum
    requirement is met and notes the growth path.
    """

    review = models.ForeignKey(Review, models.CASCADE, related_name="assessments")
    criterion = models.ForeignKey(Criterion, models.PROTECT, related_name="assessments")
    rating = models.CharField(
        _("rating"), max_length=16, choices=CriterionRating.choices, blank=True
    )
    minimum_met = models.BooleanField(_("minimum requirement met"), null=True, blank=True)
    growth_path_note = models.TextField(_("growth path"), blank=True)
    motivation = models.TextField(_("motivation"), blank=True)
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("assessed by")
    )
    assessed_at = models.DateTimeField(_("assessed at"))

    class Meta:
        verbose_name = _("criterion assessment")
        verbose_name_plural = _("criterion assessments")
        constraints = [
            models.UniqueConstraint(
                fields=["review", "criterion"], name="unique_assessment_per_criterion"
            )
        ]

    def __str__(self):
        return f"{self.review} — {self.criterion.code}"


class VariableJudgement(models.Model):
    """The committee's judgement of one variable of the version under review, with NPS motivation."""

    review = models.ForeignKey(Review, models.CASCADE, related_name="judgements")
    variable = models.ForeignKey(Variable, models.CASCADE, related_name="judgements")
    verdict = models.CharField(_("judgement"), max_length=16, choices=Verdict.choices)
    necessity = models.TextField(_("necessity"), blank=True)
    proportionality = models.TextField(_("proportionality"), blank=True)
    subsidiarity = models.TextField(_("subsidiarity"), blank=True)
    judged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("judged by")
    )
    judged_at = models.DateTimeField(_("judged at"))
    # Carried over from the previous version under review, where the variable did not change.
    carried_over = models.BooleanField(_("carried over"), default=False)

    class Meta:
        verbose_name = _("variable judgement")
        verbose_name_plural = _("variable judgements")
        constraints = [
            models.UniqueConstraint(
                fields=["review", "variable"], name="unique_judgement_per_variable"
            )
        ]

    def __str__(self):
        return f"{self.review} — {self.variable.code}: {self.verdict}"


class ClarificationRequest(models.Model):
    """A round of questions to the registry (hoor en wederhoor), with a deadline."""

    review = models.ForeignKey(Review, models.CASCADE, related_name="clarifications")
    number = models.PositiveIntegerField(_("round"))
    deadline = models.DateField(_("deadline"))
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=ClarificationStatus.choices,
        default=ClarificationStatus.OPEN,
    )
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("sent by")
    )
    sent_at = models.DateTimeField(_("sent at"))
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("answered by"),
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    revised_version = models.ForeignKey(
        DatasetVersion,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("revised dataset version"),
    )
    # Why the committee closed the round without answers (status "closed"); the registry sees it.
    closed_reason = models.TextField(_("reason for closing without answers"), blank=True)
    # Which reminders went out ("before:7", "before:1", "overdue"), so each is sent once.
    reminders_sent = models.JSONField(_("reminders sent"), default=list, blank=True)

    class Meta:
        ordering = ["review", "number"]
        verbose_name = _("clarification request (verzoek om verduidelijking)")
        verbose_name_plural = _("clarification requests")
        constraints = [
            models.UniqueConstraint(fields=["review", "number"], name="unique_clarification_round")
        ]

    def __str__(self):
        return f"{self.review} — {self.number}"


class ClarificationQuestion(models.Model):
    request = models.ForeignKey(ClarificationRequest, models.CASCADE, related_name="questions")
    position = models.PositiveIntegerField(_("number"))
    text = models.TextField(_("question"))
    variable_code = models.CharField(_("about variable"), max_length=64, blank=True)
    answer = models.TextField(_("answer"), blank=True)

    class Meta:
        ordering = ["request", "position"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")

    def __str__(self):
        return f"{self.request} — {self.position}"


def advice_upload_to(instance, filename):
    return f"advice/{instance.review.submission.registry.acronym}/{filename}"


class Advice(models.Model):
    review = models.OneToOneField(
        Review, models.PROTECT, related_name="advice", verbose_name=_("review")
    )
    outcome = models.CharField(_("outcome"), max_length=24, choices=AdviceOutcome.choices)
    motivation = models.TextField(_("motivation"))
    conditions = models.TextField(_("conditions"), blank=True)
    given_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("given by")
    )
    given_at = models.DateTimeField(_("given at"))
    document = models.FileField(_("advice document"), upload_to=advice_upload_to, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=AdviceStatus.choices, default=AdviceStatus.DRAFT
    )
    # The registry may react to the draft until this date; without a reaction the draft
    # becomes definitive.
    reaction_deadline = models.DateField(_("reaction deadline"), null=True, blank=True)
    registry_reaction = models.TextField(_("registry's reaction"), blank=True)
    reacted_at = models.DateTimeField(_("reacted at"), null=True, blank=True)
    definitive_at = models.DateTimeField(_("definitive at"), null=True, blank=True)
    concluded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("concluded by"),
    )
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    render_status = models.CharField(
        _("document"), max_length=16, choices=RenderStatus.choices, blank=True, default=""
    )
    render_progress = models.PositiveSmallIntegerField(_("progress"), default=0)
    render_error = models.TextField(_("rendering error"), blank=True)
    # Fixed when the advice becomes definitive: every participating member recorded agreement
    # (reviews.advice.advice_unanimity). Later changes of the committee do not change it.
    unanimous = models.BooleanField(_("unanimous"), null=True, blank=True)

    class Meta:
        verbose_name = _("advice (advies)")
        verbose_name_plural = _("advice")

    def __str__(self):
        return f"{self.review.committee}: {self.get_outcome_display()}"


class MemberPosition(models.Model):
    """A member's position on the draft advice; internal to the committee."""

    advice = models.ForeignKey(Advice, models.CASCADE, related_name="positions")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    position = models.CharField(
        _("position on the draft advice"), max_length=16, choices=Position.choices
    )
    note = models.TextField(_("note"), blank=True)
    recorded_at = models.DateTimeField(_("recorded at"))

    class Meta:
        verbose_name = _("member position")
        verbose_name_plural = _("member positions")
        constraints = [
            models.UniqueConstraint(fields=["advice", "member"], name="unique_member_position")
        ]

    def __str__(self):
        return f"{self.member}: {self.position}"
