"""Deleting one's own account deletes its learning records (integrity rule 4)."""

import random

import pytest
from axes.models import AccessAttempt, AccessLog
from django.apps import apps
from django.conf import settings
from django.db import models
from django.urls import reverse

from accounts.models import User
from classroom import services as class_services
from classroom.models import Classroom, ClassTeacher, Membership, TeacherRole
from lessons import services as lesson_services
from lessons.models import CheckAnswer, LessonProgress
from quiz import services as quiz_services
from quiz.models import Attempt, AttemptItem, Mode, Response, Selection
from tests.factories import ClipFactory, UserFactory
from tests.security.conftest import make_lesson

pytestmark = pytest.mark.django_db
PASSWORD = "a-long-Unusual-passphrase-42"
URL = "/accounts/delete/"


def _learning_records(user) -> dict[str, int]:
    """Rows in every table that points at the user, found from the models, not listed by hand."""
    counts = {}
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if isinstance(field, models.ForeignKey) and field.related_model == apps.get_model(settings.AUTH_USER_MODEL):
                n = model._default_manager.filter(**{field.name: user.pk}).count()
                if n:
                    counts[f"{model._meta.label}.{field.name}"] = n
    return counts


@pytest.fixture
def learner_with_records(client):
    teacher = UserFactory(teacher=True)
    student = UserFactory(email="delete.me@example.com")
    bystander = UserFactory()
    classroom = class_services.classroom_create(owner=teacher, name="Year 7")
    for user in (student, bystander):
        Membership.objects.create(classroom=classroom, student=user)
    quiz = quiz_services.quiz_create(owner=teacher, title="Check", mode=Mode.PRACTICE, selection=Selection.FIXED,
                                     is_public=True)
    quiz_services.quiz_set_clips(quiz=quiz, add=[ClipFactory().pk, ClipFactory(fake=True).pk], remove=[])
    lesson = make_lesson()
    for user in (student, bystander):
        attempt = quiz_services.attempt_start(quiz=quiz, learner=user, rng=random.Random(2))
        item = quiz_services.attempt_progress(attempt=attempt).item
        quiz_services.response_record(attempt=attempt, token=item.token, answered_fake=False, confidence=90)
        lesson_services.lesson_start(learner=user, lesson=lesson)
        lesson_services.check_answer_record(learner=user, lesson=lesson, check_id="q1", option_index=0)
    # A guest attempt claimed at sign-up is the account's too.
    guest = quiz_services.attempt_start(quiz=quiz, guest_key="g-123", rng=random.Random(4))
    quiz_services.attempts_claim_guest(guest_key="g-123", user=student)
    # django-axes keeps log-in records under the e-mail address.
    client.post(reverse("accounts:login"), {"username": student.email, "password": "wrong"})
    client.post(reverse("accounts:login"), {"username": student.email, "password": PASSWORD})
    assert AccessAttempt.objects.filter(username=student.email).exists() or AccessLog.objects.filter(
        username=student.email).exists()
    return dict(student=student, bystander=bystander, classroom=classroom, quiz=quiz, guest=guest)


def test_deleting_the_account_leaves_no_row_of_the_learner_anywhere(client, learner_with_records):
    student = learner_with_records["student"]
    attempt_ids = list(Attempt.objects.filter(learner=student).values_list("pk", flat=True))
    assert len(attempt_ids) == 2
    assert set(_learning_records(student)) >= {"quiz.Attempt.learner", "lessons.LessonProgress.learner",
                                               "lessons.CheckAnswer.learner", "classroom.Membership.student"}
    client.force_login(student)
    page = client.get(URL)
    assert page.status_code == 200 and "cannot be undone" in page.content.decode()

    response = client.post(URL, {"password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("landing")
    assert not User.objects.filter(pk=student.pk).exists()
    assert _learning_records(student) == {}
    assert not AttemptItem.objects.filter(attempt_id__in=attempt_ids).exists()
    assert not Response.objects.filter(item__attempt_id__in=attempt_ids).exists()
    assert not AccessAttempt.objects.filter(username__iexact=student.email).exists()
    assert not AccessLog.objects.filter(username__iexact=student.email).exists()
    # Signed out, and told so.
    landing = client.get(reverse("landing"))
    assert "_auth_user_id" not in client.session
    assert "have been deleted" in landing.content.decode()


def test_other_learners_records_are_untouched(client, learner_with_records):
    bystander = learner_with_records["bystander"]
    before = _learning_records(bystander)
    responses = Response.objects.filter(item__attempt__learner=bystander).count()
    client.force_login(learner_with_records["student"])
    client.post(URL, {"password": PASSWORD})
    assert _learning_records(bystander) == before
    assert Response.objects.filter(item__attempt__learner=bystander).count() == responses == 1
    assert Classroom.objects.filter(pk=learner_with_records["classroom"].pk).exists()
    assert LessonProgress.objects.filter(learner=bystander).exists() and CheckAnswer.objects.filter(
        learner=bystander).exists()


def test_a_wrong_password_deletes_nothing(client, learner_with_records):
    student = learner_with_records["student"]
    before = _learning_records(student)
    client.force_login(student)
    response = client.post(URL, {"password": "not-my-password"})
    assert response.status_code == 422
    assert "not your current password" in response.content.decode()
    assert User.objects.filter(pk=student.pk).exists() and _learning_records(student) == before


def test_guessing_the_password_on_the_delete_page_is_rate_limited(client, learner_with_records, isolated_ratelimits):
    student = learner_with_records["student"]
    client.force_login(student)
    statuses = [client.post(URL, {"password": f"guess-{i}"}).status_code for i in range(10)]
    assert statuses == [422] * 10
    assert client.post(URL, {"password": PASSWORD}).status_code == 429
    assert User.objects.filter(pk=student.pk).exists()


def test_a_teacher_who_owns_classes_is_asked_to_delete_or_hand_them_over_first(client):
    teacher = UserFactory(teacher=True)
    owned = class_services.classroom_create(owner=teacher, name="Year 10 media")
    client.force_login(teacher)
    page = client.get(URL).content.decode()
    assert "Year 10 media" in page and "hand the class to another teacher" in page
    assert 'type="password"' not in page
    response = client.post(URL, {"password": PASSWORD})
    assert response.status_code == 409
    assert User.objects.filter(pk=teacher.pk).exists() and Classroom.objects.filter(pk=owned.pk).exists()
    assert reverse("classroom:class_edit", args=[owned.public_id]) in response.content.decode()
    # Once the class is deleted, the account can go.
    class_services.classroom_delete(classroom=owned)
    assert client.post(URL, {"password": PASSWORD}).status_code == 302
    assert not User.objects.filter(pk=teacher.pk).exists()


def test_a_co_teacher_can_delete_their_account_and_the_class_stays(client):
    owner, co = UserFactory(teacher=True), UserFactory(teacher=True)
    classroom = class_services.classroom_create(owner=owner, name="Year 11")
    ClassTeacher.objects.create(classroom=classroom, user=co, role=TeacherRole.CO_TEACHER)
    quiz = quiz_services.quiz_create(owner=co, title="Co's quiz", mode=Mode.PRACTICE, selection=Selection.FIXED)
    client.force_login(co)
    assert client.post(URL, {"password": PASSWORD}).status_code == 302
    assert list(ClassTeacher.objects.filter(classroom=classroom).values_list("user_id", "role")) == [
        (owner.pk, TeacherRole.OWNER)]
    quiz.refresh_from_db()
    assert quiz.owner is None


def test_the_account_page_links_to_deletion_and_anonymous_visitors_must_log_in(client, learner_with_records):
    assert reverse("accounts:account_delete") == URL
    client.logout()
    response = client.get(URL)
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))
    client.force_login(learner_with_records["student"])
    assert URL in client.get(reverse("accounts:password_change")).content.decode()


def test_a_teacher_deleting_their_account_takes_their_dataset_uploads_with_it(client, django_capture_on_commit_callbacks):
    """Rule 4: an uploaded dataset ZIP is private data of the account; it is not left in storage."""
    from django.core.files.base import ContentFile
    from django.core.files.storage import storages

    from clips.models import ImportJob

    teacher = UserFactory(teacher=True)
    job = ImportJob(owner=teacher, fmt=ImportJob.Format.CSV)
    job.archive.save("dataset.zip", ContentFile(b"PK\x05\x06" + b"\0" * 18), save=False)
    job.save()
    name = job.archive.name
    assert storages["private"].exists(name)
    client.force_login(teacher)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(URL, {"password": PASSWORD}).status_code == 302
    assert not ImportJob.objects.filter(pk=job.pk).exists()
    assert not storages["private"].exists(name)


def test_a_deleted_students_classes_keep_no_export_that_lists_them(client, learner_with_records,
                                                                    django_capture_on_commit_callbacks):
    """Rule 4: an export written while the student was in the class is deleted with the account."""
    from django.core.files.base import ContentFile

    from classroom.models import ExportJob, ExportStatus

    student, classroom = learner_with_records["student"], learner_with_records["classroom"]
    teacher = classroom.teacher_links.get().user
    job = ExportJob(classroom=classroom, requested_by=teacher, status=ExportStatus.DONE, total=1, done=1)
    job.file.save("export.csv", ContentFile(f"student,email\nDelete Me,{student.email}\n".encode()), save=False)
    job.save()
    name, storage = job.file.name, job.file.storage
    unrelated = class_services.classroom_create(owner=teacher, name="Year 8")
    kept = ExportJob(classroom=unrelated, requested_by=teacher, status=ExportStatus.DONE, total=1, done=1)
    kept.file.save("other.csv", ContentFile(b"student,email\n"), save=False)
    kept.save()

    client.force_login(student)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(URL, {"password": PASSWORD}).status_code == 302

    assert not storage.exists(name)
    job.refresh_from_db()
    assert job.status == ExportStatus.REMOVED and not job.file
    client.force_login(teacher)
    download = client.get(reverse("classroom:export_download", args=[classroom.public_id, job.public_id]))
    assert download.status_code == 302
    html = client.get(download["Location"]).content.decode()
    assert "deleted because the class changed" in html and "Prepare a fresh export" in html
    kept.refresh_from_db()
    assert kept.status == ExportStatus.DONE and storage.exists(kept.file.name)


def test_deleting_a_student_in_the_django_admin_is_the_same_deletion(admin_client, learner_with_records,
                                                                     django_capture_on_commit_callbacks):
    """The admin goes through the service: no learning record, log-in record or export that lists them stays."""
    from django.core.files.base import ContentFile

    from classroom.models import ExportJob, ExportStatus

    student, classroom = learner_with_records["student"], learner_with_records["classroom"]
    job = ExportJob(classroom=classroom, status=ExportStatus.DONE, total=1, done=1)
    job.file.save("export.csv", ContentFile(f"email\n{student.email}\n".encode()), save=False)
    job.save()
    AccessLog.objects.create(username=student.email, ip_address="127.0.0.1", user_agent="test")
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(reverse("admin:accounts_user_delete", args=[student.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert _learning_records(student) == {} and not User.objects.filter(pk=student.pk).exists()
    assert not AccessLog.objects.filter(username=student.email).exists()
    job.refresh_from_db()
    assert job.status == ExportStatus.REMOVED and not job.file


def test_the_django_admin_will_not_delete_a_teacher_who_owns_classes(admin_client):
    teacher = UserFactory(teacher=True)
    class_services.classroom_create(owner=teacher, name="Year 10 media")
    url = reverse("admin:accounts_user_delete", args=[teacher.pk])
    page = admin_client.get(url).content.decode()
    assert "Year 10 media" in page and "hand it to another teacher" in page
    admin_client.post(url, {"post": "yes"})
    assert User.objects.filter(pk=teacher.pk).exists()
    bulk = admin_client.post(reverse("admin:accounts_user_changelist"),
                             {"action": "delete_selected", "_selected_action": [teacher.pk], "post": "yes"})
    assert bulk.status_code in (200, 302) and User.objects.filter(pk=teacher.pk).exists()


@pytest.mark.parametrize("model", ["accounts.user", "clips.clip", "classroom.membership"])
def test_a_bulk_deletion_in_the_admin_that_fails_part_way_deletes_nothing(admin_client, monkeypatch, model):
    """Nothing lost (rule 5): the admin's "delete selected" action has no transaction of its own,
    so a failure on the second row left the first deleted and the rest not."""
    from django.apps import apps

    from accounts import services as account_services
    from classroom.models import Membership
    from clips import services as clip_services
    from tests.factories import ClipFactory

    if model == "accounts.user":
        rows = UserFactory.create_batch(2)
        module, name = account_services, "user_delete"
    elif model == "clips.clip":
        rows = ClipFactory.create_batch(2)
        module, name = clip_services, "clip_delete"
    else:
        classroom = class_services.classroom_create(owner=UserFactory(teacher=True), name="Year 9")
        rows = [Membership.objects.create(classroom=classroom, student=s) for s in UserFactory.create_batch(2)]
        module, name = class_services, "membership_remove"
    real, calls = getattr(module, name), []

    def fails_second_time(**kwargs):
        calls.append(kwargs)
        if len(calls) == 2:
            raise RuntimeError("the database went away")
        return real(**kwargs)

    monkeypatch.setattr(module, name, fails_second_time)
    admin_client.raise_request_exception = False
    app_label, model_name = model.split(".")
    response = admin_client.post(reverse(f"admin:{app_label}_{model_name}_changelist"),
                                 {"action": "delete_selected", "_selected_action": [r.pk for r in rows], "post": "yes"})
    assert response.status_code == 500 and len(calls) == 2
    assert apps.get_model(model).objects.filter(pk__in=[r.pk for r in rows]).count() == 2
