"""The committee's internal notes on a review (issue 4): short remarks among the members, never
shown to the registry. A note is kept as written; the audit trail records it without the
registry, so the dossier's trail never shows it (as with conflicts of interest, reviews.advice).
"""

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from register.audit import audit_record
from register.exceptions import DomainError, PermissionDenied

from .models import Review, ReviewNote
from .permissions import can_review

NOTE_MAX_CHARS = 5000


def review_notes(*, review: Review) -> QuerySet[ReviewNote]:
    """The review's notes, newest first, with their authors (one query per page)."""
    return (
        ReviewNote.objects.filter(review=review)
        .select_related("author")
        .order_by("-created_at", "-pk")
    )


def review_note_add(*, review: Review, actor, text: str) -> ReviewNote:
    """Add an internal note. Only a member of the reviewing committee without a declared
    conflict of interest (reviews.permissions.can_review); the text is required and at most
    NOTE_MAX_CHARS characters."""
    if not can_review(actor, review):
        raise PermissionDenied(
            _("Only members of the reviewing committee can add notes to its review.")
        )
    text = (text or "").strip()
    if not text:
        raise DomainError(_("Write the note."), field="text")
    if len(text) > NOTE_MAX_CHARS:
        raise DomainError(
            _("A note has at most %(max)s characters; this one has %(count)s.")
            % {"max": f"{NOTE_MAX_CHARS:,}", "count": f"{len(text):,}"},
            field="text",
        )
    with transaction.atomic():
        review = Review.objects.select_related("committee").get(pk=review.pk)
        note = ReviewNote.objects.create(review=review, author=actor, text=text)
        # Internal to the committee: not in the registry's audit trail.
        audit_record(
            actor=actor,
            action="review_note.add",
            obj=note,
            changes={
                "committee": review.committee.code,
                "review": review.pk,
                "characters": len(text),
            },
        )
    return note
