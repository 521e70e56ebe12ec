"""A real worker on the real Redis processes a teacher's upload end to end."""

import io

import pytest
from django.urls import reverse
from PIL import Image

from clips.models import Clip, Status

from tests.workers import wait_until

pytestmark = pytest.mark.integration


def test_upload_is_processed_by_a_real_worker(client, teacher, celery_worker_process):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(teacher)
    buffer = io.BytesIO()
    Image.new("RGB", (800, 600), (90, 140, 40)).save(buffer, "JPEG")
    response = client.post(reverse("clips:upload"), {
        "file": SimpleUploadedFile("field.jpg", buffer.getvalue(), content_type="image/jpeg"),
        "title": "A field", "alt_text": "A green field.", "truth": "real", "difficulty": "1",
        "source": "Own camera", "licence": "CC0-1.0", "digital_source_type": "digitalCapture",
        "visibility": "private",
    })
    assert response.status_code == 302
    clip = Clip.objects.get()
    # The web process only enqueued; the worker does the work.
    assert clip.status in (Status.PENDING, Status.PROCESSING, Status.READY)
    ready = wait_until(lambda: Clip.objects.filter(pk=clip.pk, status=Status.READY).exists(), timeout=90)
    assert ready, celery_worker_process.log.read_text()[-3000:]
    clip.refresh_from_db()
    assert client.get(clip.rendition.url).status_code == 200
    assert "clips.tasks.clip_process" in celery_worker_process.log.read_text()
