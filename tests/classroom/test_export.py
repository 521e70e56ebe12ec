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


def _finished_export(client, data, settings, django_capture_on_commit_callbacks):
    """A teacher prepares a (large-class) export and the worker writes it; returns the job."""
    settings.CLASSROOM_EXPORT_STREAM_MAX_RESPONSES = 10
    client.force_login(data.teacher)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("classroom:export", args=[data.classroom.public_id]))
    job = ExportJob.objects.get()
    assert job.status == ExportStatus.DONE
    return job


def _download(client, data, job):
    return client.get(reverse("classroom:export_download", args=[data.classroom.public_id, job.public_id]))


def test_an_export_made_before_a_student_left_is_deleted_and_a_fresh_one_offered(
        client, data, settings, django_capture_on_commit_callbacks):
    """Rule 4: the leave page promises the class's teachers no longer see the student; no old CSV may either."""
    job = _finished_export(client, data, settings, django_capture_on_commit_callbacks)
    name, storage = job.file.name, job.file.storage
    leaver = data.students[1]
    assert leaver.email in b"".join(_download(client, data, job).streaming_content).decode()

    client.force_login(leaver)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("classroom:leave", args=[data.classroom.public_id]))

    assert not storage.exists(name)
    job.refresh_from_db()
    assert job.status == ExportStatus.REMOVED and not job.file
    client.force_login(data.teacher)
    detail = reverse("classroom:export_detail", args=[data.classroom.public_id, job.public_id])
    assert _download(client, data, job)["Location"] == detail
    html = client.get(detail).content.decode()
    assert "deleted because the class changed" in html and "Prepare a fresh export" in html
    assert "Download CSV" not in html and "hx-trigger" not in html
    listing = client.get(reverse("classroom:export", args=[data.classroom.public_id])).content.decode()
    assert "Removed (the class changed)" in listing
    # The fresh export has the students who are still in the class, and only them.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("classroom:export", args=[data.classroom.public_id]))
    fresh = ExportJob.objects.exclude(pk=job.pk).get()
    emails = {r["email"] for r in rows_of(b"".join(_download(client, data, fresh).streaming_content).decode())}
    assert emails == {s.email for s in data.students} - {leaver.email}


def test_removing_a_student_from_the_roster_deletes_the_class_exports_that_list_them(
        client, data, settings, django_capture_on_commit_callbacks):
    job = _finished_export(client, data, settings, django_capture_on_commit_callbacks)
    name, storage = job.file.name, job.file.storage
    other = build_class(n_students=1, tag="otherexp")
    other_job = ExportJob.objects.create(classroom=other.classroom, requested_by=other.teacher)
    services.export_job_run(job_id=other_job.pk)
    other_job.refresh_from_db()
    membership = data.memberships[2]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("classroom:member_remove",
                                       args=[data.classroom.public_id, membership.public_id]))
    assert response.status_code == 302
    assert not storage.exists(name)
    assert ExportJob.objects.get(pk=job.pk).status == ExportStatus.REMOVED
    # Another class's export is not touched.
    assert ExportJob.objects.get(pk=other_job.pk).status == ExportStatus.DONE and storage.exists(other_job.file.name)


def test_a_file_being_written_when_a_student_leaves_is_not_kept(data, monkeypatch,
                                                                 django_capture_on_commit_callbacks):
    job = ExportJob.objects.create(classroom=data.classroom, requested_by=data.teacher)
    storage = job.file.storage
    written = services.export_lines

    def lines_then_leave(**kwargs):
        yield from written(**kwargs)
        # The student leaves after their rows were read, before the file is stored.
        with django_capture_on_commit_callbacks(execute=True):
            services.membership_remove(membership=data.memberships[0])

    monkeypatch.setattr(services, "export_lines", lines_then_leave)
    services.export_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == ExportStatus.REMOVED and not job.file
    assert not storage.exists("exports") or storage.listdir("exports") == ([], [])
    services.export_job_run(job_id=job.pk)  # a retry does not write it again
    assert ExportJob.objects.get(pk=job.pk).status == ExportStatus.REMOVED


@pytest.mark.django_db(transaction=True)  # the request commits, so the task is sent inside it
def test_with_the_broker_down_the_export_says_so_instead_of_a_500_or_waiting_for_ever(
        client, data, settings, monkeypatch):
    from kombu.exceptions import OperationalError

    from classroom.tasks import export_job_run

    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to redis:6379. Connection refused.")

    monkeypatch.setattr(export_job_run, "apply_async", broker_down)
    settings.CLASSROOM_EXPORT_STREAM_MAX_RESPONSES = 10
    client.force_login(data.teacher)
    response = client.post(reverse("classroom:export", args=[data.classroom.public_id]))
    job = ExportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("classroom:export_detail", args=[data.classroom.public_id, job.public_id])
    assert job.status == ExportStatus.FAILED and job.error == services.EXPORT_BROKER_DOWN
    html = client.get(response["Location"]).content.decode()
    assert "Our background service is busy; try again in a few minutes." in html
    assert "hx-trigger" not in html and "Try again" in html and "Download CSV" not in html


def test_taking_a_student_off_a_class_in_the_admin_deletes_its_exports_too(
        client, data, settings, django_capture_on_commit_callbacks):
    from accounts.models import User

    job = _finished_export(client, data, settings, django_capture_on_commit_callbacks)
    name, storage = job.file.name, job.file.storage
    client.force_login(User.objects.create_superuser(email="admin@example.com"))
    one, several = data.memberships[0], data.memberships[1:3]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("admin:classroom_membership_delete", args=[one.pk]), {"post": "yes"})
    assert response.status_code == 302 and not storage.exists(name)
    assert ExportJob.objects.get(pk=job.pk).status == ExportStatus.REMOVED
    # The list's "delete selected" action goes the same way.
    second = ExportJob.objects.create(classroom=data.classroom, requested_by=data.teacher)
    services.export_job_run(job_id=second.pk)
    second.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("admin:classroom_membership_changelist"),
                    {"action": "delete_selected", "_selected_action": [m.pk for m in several], "post": "yes"})
    assert not data.classroom.memberships.filter(pk__in=[m.pk for m in several]).exists()
    assert ExportJob.objects.get(pk=second.pk).status == ExportStatus.REMOVED
    assert not storage.exists(second.file.name)


def test_the_admin_cannot_move_a_student_to_another_class_past_the_exports(client, data, settings,
                                                                         django_capture_on_commit_callbacks):
    """Editing a membership's class or student would change two rosters without deleting the export
    files that list the student: the admin shows both as fixed (remove, then add)."""
    from accounts.models import User

    from tests.classroom.conftest import build_class

    other = build_class(n_students=1, tag="other", answers=False)
    membership = data.memberships[0]
    client.force_login(User.objects.create_superuser(email="admin@example.com"))
    url = reverse("admin:classroom_membership_change", args=[membership.pk])
    page = client.get(url).content.decode()
    assert 'name="classroom"' not in page and 'name="student"' not in page
    client.post(url, {"classroom": other.classroom.pk, "student": other.students[0].pk})
    membership.refresh_from_db()
    assert (membership.classroom_id, membership.student_id) == (data.classroom.pk, data.students[0].pk)


def test_an_export_that_fails_after_writing_its_file_leaves_no_file_behind(data, monkeypatch):
    """Learner privacy: the last update failing (a database restart) left the class's CSV on disk
    with no row naming it, so no roster change or class deletion would ever remove it."""
    from django.core.files.storage import storages
    from django.db import OperationalError
    from django.db.models.query import QuerySet

    job = ExportJob.objects.create(classroom=data.classroom, requested_by=data.teacher)
    update = QuerySet.update

    def fails_when_done(self, **kwargs):
        if self.model is ExportJob and kwargs.get("status") == ExportStatus.DONE:
            raise OperationalError("server closed the connection unexpectedly")
        return update(self, **kwargs)

    monkeypatch.setattr(QuerySet, "update", fails_when_done)
    with pytest.raises(OperationalError):
        services.export_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == ExportStatus.FAILED and not job.file
    _, names = storages["private"].listdir("exports")
    assert names == []


def test_export_jobs_left_running_by_a_lost_worker_end_in_words(data):
    from datetime import timedelta

    from django.utils import timezone

    stuck = ExportJob.objects.create(classroom=data.classroom, requested_by=data.teacher, status=ExportStatus.RUNNING)
    ExportJob.objects.filter(pk=stuck.pk).update(created_at=timezone.now() - timedelta(hours=2))
    fresh = ExportJob.objects.create(classroom=data.classroom, requested_by=data.teacher, status=ExportStatus.RUNNING)
    assert services.export_jobs_sweep_stuck() == 1
    stuck.refresh_from_db(), fresh.refresh_from_db()
    assert stuck.status == ExportStatus.FAILED and "Ask for a new one" in stuck.error
    assert fresh.status == ExportStatus.RUNNING
