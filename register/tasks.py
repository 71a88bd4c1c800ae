from celery import shared_task

from . import services


@shared_task(acks_late=True)
def send_decision_letter(decision_id: int) -> None:
    services.decision_letter_send(decision_id=decision_id)
