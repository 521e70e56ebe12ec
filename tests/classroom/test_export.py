"""CSV export: streamed at once for small classes, a worker job with progress for large ones."""

import csv
import io
import random
from datetime import timedelta

import pytest
from django.http import StreamingHttpResponse
from django.urls import reverse

from classroom import services
from classroom.models import ExportJob, ExportStatus
from quiz.models import Response

from .conftest import answer_attempts, build_class, make_students


@pytest.fixture
def data(db):
    data = build_class(n_students=4, tag="exp")
    data.students[0].display_name = "=HYPERLINK(\"http://evil\")"
    data.students[0].save()
    return data


def rows_of(text):
    return list(csv.DictReader(io.StringIO(text)))


def test_a_small_class_streams_its_csv_at_once_with_only_what_the_teacher_may_see(client, data):
    answer_attempts(quiz=data.quiz, clips=data.clips, students=data.students[:1], is_preview=True,
                    rng=random.Random(1), started_at=data.assignment.opens_at + timedelta(days=2))
    outsider = make_students(1, "outside")
    answer_attempts(quiz=data.quiz, clips=data.clips, students=outsider, rng=random.Random(1),
                    started_at=data.assignment.opens_at + timedelta(days=2))
    client.force_login(data.teacher)
    response = client.get(reverse("classroom:export", args=[data.classroom.public_id]) + "?download=1")
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Disposition"].startswith("attachment;")
    text = b"".join(response.streaming_content).decode()
    rows = rows_of(text)
    assert len(rows) == len(data.students) * len(data.clips)
    assert {r["email"] for r in rows} == {s.email for s in data.students}
    assert all(r["assignment"] == data.assignment.public_id for r in rows)
    assert any(r["student"].startswith("'=HYPERLINK") for r in rows)


@pytest.mark.django_db(transaction=False)
def test_a_large_class_gets_a_job_with_progress_and_a_download(client, data, settings,
                                                               django_capture_on_commit_callbacks):
    settings.CLASSROOM_EXPORT_STREAM_MAX_RESPONSES = 10
    client.force_login(data.teacher)
    url = reverse("classroom:export", args=[data.classroom.public_id])
    page = client.get(url + "?download=1")
    assert page.status_code == 200 and b"Prepare the CSV" in page.content
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(url)
    job = ExportJob.objects.get()
    assert response.status_code == 302 and job.status == ExportStatus.PENDING and len(callbacks) == 1
    detail = reverse("classroom:export_detail", args=[data.classroom.public_id, job.public_id])
    partial = client.get(detail, headers={"HX-Request": "true"}).content.decode()
    assert "<progress" in partial and 'hx-trigger="every 2s"' in partial and "<h1" not in partial
    callbacks[0]()  # the worker runs the task
    job.refresh_from_db()
    assert job.status == ExportStatus.DONE and job.total == Response.objects.count()
    finished = client.get(detail, headers={"HX-Request": "true"}).content.decode()
    assert "hx-trigger" not in finished and "Download CSV" in finished
    download = client.get(reverse("classroom:export_download", args=[data.classroom.public_id, job.public_id]))
    body = b"".join(download.streaming_content).decode()
    streamed = "".join(services.export_lines(classroom=data.classroom, assignments=[data.assignment]))
    assert body == streamed


def test_running_the_export_job_twice_writes_it_once(data):
    job = ExportJob.objects.create(classroom=data.classroom, requested_by=data.teacher)
    services.export_job_run(job_id=job.pk)
    name = ExportJob.objects.get(pk=job.pk).file.name
    services.export_job_run(job_id=job.pk)
    assert ExportJob.objects.get(pk=job.pk).file.name == name
