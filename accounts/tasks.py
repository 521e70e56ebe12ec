"""Celery tasks for accounts: e-mail is sent by a worker, not in the request."""

from celery import shared_task
from django.core.mail import EmailMultiAlternatives


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def email_send(subject: str, body: str, to: list[str], html_body: str | None = None) -> int:
    message = EmailMultiAlternatives(subject=subject, body=body, to=to)
    if html_body:
        message.attach_alternative(html_body, "text/html")
    return message.send()
