"""Celery tasks for the media pipeline: they take ids and call services."""

from celery import shared_task

from . import services


@shared_task(bind=True, acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def clip_process(self, clip_id: int) -> str:
    return services.clip_process(clip_id=clip_id, last_try=self.request.retries >= self.max_retries).status


@shared_task(acks_late=True)
def clip_sweep_stuck() -> int:
    return len(services.clips_sweep_stuck())


@shared_task(acks_late=True)
def import_job_run(job_id: int) -> None:
    services.import_job_run(job_id=job_id)


@shared_task
def import_jobs_sweep_stuck() -> int:
    return services.import_jobs_sweep_stuck()
