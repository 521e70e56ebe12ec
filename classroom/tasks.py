"""Celery tasks for classes: they take ids and call services."""

from celery import shared_task

from . import services


@shared_task(acks_late=True)
def export_job_run(job_id: int) -> None:
    services.export_job_run(job_id=job_id)


@shared_task
def export_jobs_sweep_stuck() -> int:
    return services.export_jobs_sweep_stuck()
