from celery import shared_task

from . import services


@shared_task(acks_late=True)
def render_advice_document(advice_id: int) -> None:
    services.advice_document_render(advice_id=advice_id)
