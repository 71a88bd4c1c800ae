from celery import shared_task

from . import services


@shared_task(acks_late=True)
def send_decision_letter(decision_id: int) -> None:
    services.decision_letter_send(decision_id=decision_id)


@shared_task(acks_late=True)
def render_table_pdf(dataset_version_id: int) -> None:
    services.dataset_version_render_pdf(dataset_version_id=dataset_version_id)


@shared_task(acks_late=True)
def run_table_import(job_id: int) -> None:
    """Import an uploaded accountability table (register.table_imports); safe to run twice."""
    from .table_imports import table_import_run

    table_import_run(job_id)
