from django.db import models
from django.utils.translation import gettext_lazy as _


class CommitteeCode(models.TextChoices):
    IGC = "IGC", _("IGC (content-governance committee)")
    DGC = "DGC", _("DGC (data-governance committee)")


class Perspective(models.TextChoices):
    PATIENTS = "patients", _("patients")
    PROFESSIONALS = "professionals", _("care professionals")
    PROVIDERS = "providers", _("care providers")
    INSURERS = "insurers", _("health insurers")


class ReviewStatus(models.TextChoices):
    """The committee's own states. The registry sees only RegistryReviewStatus."""

    OPEN = "open", _("in review")
    CLARIFICATION = "clarification", _("waiting for the registry's answers")
    DRAFT_ADVICE = "draft_advice", _("draft advice sent")
    ADVISED = "advised", _("advice given")


class RegistryReviewStatus(models.TextChoices):
    """What the registry sees of a review: simple statuses, not the committee's internals."""

    WITH_COMMITTEE = "with_committee", _("with the committee")
    WAITING_FOR_YOU = "waiting_for_you", _("waiting for you")
    ADVICE_GIVEN = "advice_given", _("advice given")


REGISTRY_STATUS = {
    ReviewStatus.OPEN: RegistryReviewStatus.WITH_COMMITTEE,
    ReviewStatus.CLARIFICATION: RegistryReviewStatus.WAITING_FOR_YOU,
    ReviewStatus.DRAFT_ADVICE: RegistryReviewStatus.WAITING_FOR_YOU,
    ReviewStatus.ADVISED: RegistryReviewStatus.ADVICE_GIVEN,
}

# States in which the registry holds the review: the review clock is paused.
REGISTRY_HOLDS = {ReviewStatus.CLARIFICATION, ReviewStatus.DRAFT_ADVICE}


class CatalogueStage(models.TextChoices):
    """Each committee has a criteria catalogue per stage; the annual update uses the
    supplementary catalogue (it is reviewed against the Wkz requirements too)."""

    FIRST = "first", _("first review")
    SUPPLEMENTARY = "supplementary", _("supplementary review")


class CriterionRating(models.TextChoices):
    """The IGC's rating of one criterion."""

    SUFFICIENT = "sufficient", _("sufficient")
    MODERATE = "moderate", _("moderate")
    INSUFFICIENT = "insufficient", _("insufficient")


class Verdict(models.TextChoices):
    """A committee's judgement of one variable."""

    ACCEPT = "accept", _("accept")
    REJECT = "reject", _("reject")
    QUESTION = "question", _("question")


class Position(models.TextChoices):
    """A member's position on the draft advice."""

    AGREE = "agree", _("agrees")
    DISAGREE = "disagree", _("disagrees")


class AdviceStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    DEFINITIVE = "definitive", _("definitive")


class ClarificationStatus(models.TextChoices):
    OPEN = "open", _("waiting for answers")
    ANSWERED = "answered", _("answered")
    # The deadline passed without answers and the committee went on without them.
    CLOSED = "closed", _("closed without answers")


class RenderStatus(models.TextChoices):
    NONE = "", _("not requested")
    PENDING = "pending", _("waiting to be rendered")
    RUNNING = "running", _("rendering")
    DONE = "done", _("ready")
    FAILED = "failed", _("failed")


# A positive advice is valid for at most five years (DOMAIN.md, how the review works).
ADVICE_TERM_YEARS = 5


class AdviceOutcome(models.TextChoices):
    POSITIVE = "positive", _("positive")
    POSITIVE_WITH_CONDITIONS = "positive_conditions", _("positive with conditions")
    NEGATIVE = "negative", _("negative")


POSITIVE_OUTCOMES = {AdviceOutcome.POSITIVE, AdviceOutcome.POSITIVE_WITH_CONDITIONS}
