"""Background jobs, as every app sends and watches them: a task sent once the rows it reads are
committed, and jobs whose worker is gone ended in words."""

import logging
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

log = logging.getLogger(__name__)

# A job still waiting or running this long after it was asked for has lost its worker (a database
# restart, a lost message): its page would otherwise poll for ever.
STUCK_AFTER = timedelta(hours=1)


def send_on_commit(task, *args, on_broker_down=None) -> None:
    """Send ``task(*args)`` once the current transaction commits (its worker must find the rows).

    If the broker is down, ``on_broker_down()`` says so in words (an export or import job is marked
    failed); without it the work waits where it is stored, for a sweeper to send it again (a clip
    left pending, ``clips.services.clips_sweep_stuck``)."""

    def send():
        try:
            task.delay(*args)
        except Exception:  # kombu/redis raise several kinds of connection errors
            if on_broker_down is None:
                log.warning("broker unavailable; %s%s stays queued for the sweeper", task.name, args, exc_info=True)
            else:
                log.warning("broker unavailable; %s%s not sent", task.name, args, exc_info=True)
                on_broker_down()

    transaction.on_commit(send)


def jobs_fail_stuck(jobs, *, error: str, now=None) -> int:
    """End, with ``error``, the jobs of this queryset (an export's or import's model, whose statuses
    are "pending", "running" and "failed") still waiting or running ``STUCK_AFTER`` on."""
    now = now or timezone.now()
    return jobs.filter(status__in=["pending", "running"], created_at__lt=now - STUCK_AFTER).update(
        status="failed", error=error, finished_at=now)
