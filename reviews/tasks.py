from celery import shared_task

from . import advice


@shared_task(acks_late=True)
def render_advice_document(advice_id: int) -> None:
    advice.advice_document_render(advice_id=advice_id)


@shared_task(acks_late=True)
def finalise_lapsed_drafts(today: str | None = None) -> int:
    """Celery beat (settings.CELERY_BEAT_SCHEDULE): drafts whose reaction deadline passed without
    a reaction become definitive. Safe to run twice. ``today`` (ISO date) is for tests and
    catching up; by default the local date."""
    from datetime import date

    return advice.advice_finalise_lapsed(today=date.fromisoformat(today) if today else None)


# --- Clarification rounds (reviews.clarifications) ---------------------------------------------


@shared_task(acks_late=True)
def send_clarification_notice(request_id: int, kind: str) -> None:
    """E-mail that a round was sent or answered; once per round and kind."""
    from .clarifications import clarification_notice_send

    clarification_notice_send(request_id=request_id, kind=kind)


@shared_task(acks_late=True)
def send_deadline_reminders(today: str | None = None) -> dict:
    """Celery beat (settings.CELERY_BEAT_SCHEDULE): reminders before and after the deadlines of
    clarification rounds and reviews. Each goes out once, so running it twice is harmless.
    ``today`` (ISO date) is for tests and catching up; by default the local date."""
    from datetime import date

    from .clarifications import deadline_reminders_send

    return deadline_reminders_send(today=date.fromisoformat(today) if today else None)
