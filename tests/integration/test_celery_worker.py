"""A real worker on the real Redis runs a real task end to end."""

import pytest
from django.urls import reverse

from tests.workers import wait_until

pytestmark = pytest.mark.integration


def test_password_reset_email_is_sent_by_a_real_worker(client, student, celery_worker_process, worker_env):
    from pathlib import Path

    mail_dir = Path(worker_env["EMAIL_FILE_PATH"])
    response = client.post(reverse("accounts:password_reset"), {"email": student.email})
    assert response.status_code == 302
    sent = wait_until(lambda: list(mail_dir.glob("*.log")) if mail_dir.exists() else [], timeout=60)
    assert sent, "the worker never sent the e-mail:\n" + celery_worker_process.log.read_text()[-2000:]
    text = sent[0].read_text()
    assert student.email in text
    assert "/accounts/password/reset/" in text
