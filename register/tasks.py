from celery import shared_task

from . import services


@shared_task(acks_late=True)
def send_decision_letter(decision_id: int) -> None:
    services.decision_letter_send(decision_id=decision_id)


@shared_task(acks_late=True)
def render_table_pdf(dataset_version_id: int) -> None:
    services.dataset_version_render_pdf(dataset_version_id=dataset_version_id)
