"""A large class's CSV export is written by a real worker on the real Redis, then downloaded."""

import pytest
from django.urls import reverse

from classroom import services
from classroom.models import ExportJob, ExportStatus
from tests.classroom.conftest import build_class
from tests.workers import wait_until

pytestmark = pytest.mark.integration


def test_a_large_export_is_written_by_a_real_worker_and_downloads_whole(client, settings, celery_worker_process):
    settings.CLASSROOM_EXPORT_STREAM_MAX_RESPONSES = 10  # this class is "large": a job, not a stream
    data = build_class(n_students=12, tag="export-worker")
    client.force_login(data.teacher)
    url = reverse("classroom:export", args=[data.classroom.public_id])
    response = client.post(url)
    assert response.status_code == 302
    job = ExportJob.objects.get(classroom=data.classroom)
    done = wait_until(lambda: ExportJob.objects.filter(pk=job.pk, status=ExportStatus.DONE).first(), timeout=60)
    assert done, "the worker never finished the export:\n" + celery_worker_process.log.read_text()[-2000:]
    assert done.total == done.done == 12 * len(data.clips)
    log = celery_worker_process.log.read_text()
    assert "classroom.tasks.export_job_run" in log and "succeeded" in log  # the worker, not this process
    page = client.get(reverse("classroom:export_detail", args=[data.classroom.public_id, job.public_id]))
    assert "Download CSV" in page.content.decode()
    download = client.get(reverse("classroom:export_download", args=[data.classroom.public_id, job.public_id]))
    body = b"".join(download.streaming_content).decode()
    assert body == "".join(services.export_lines(classroom=data.classroom, assignments=[data.assignment]))
