from django.conf import settings
from django.contrib.auth.models import Group
from django.db import models
from django.utils.translation import gettext_lazy as _

from register.models import Submission

from .constants import AdviceOutcome, CommitteeCode, Perspective, ReviewStatus


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

    class Meta:
        verbose_name = _("advice (advies)")
        verbose_name_plural = _("advice")

    def __str__(self):
        return f"{self.review.committee}: {self.get_outcome_display()}"
