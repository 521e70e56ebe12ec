"""A class owner deletes a class and its results: exactly the class's records go, nothing of another class's."""

import random
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from classroom import services
from classroom.models import Assignment, Classroom, ClassTeacher, ExportJob, ExportStatus, Membership, TeacherRole
from lessons.models import LessonProgress
from quiz import services as quiz_services
from quiz.models import Attempt, AttemptItem, Mode, Response, Selection
from tests.factories import ClipFactory, UserFactory

from .conftest import make_lesson

pytestmark = pytest.mark.django_db


def _quiz(owner, clips, title):
    quiz = quiz_services.quiz_create(owner=owner, title=title, mode=Mode.PRACTICE, selection=Selection.FIXED,
                                     is_published=True)
    quiz_services.quiz_set_clips(quiz=quiz, add=[c.pk for c in clips], remove=[])
    return quiz


def _answered(quiz, learner, started_at, *, is_preview=False):
    attempt = quiz_services.attempt_start(quiz=quiz, learner=learner, is_preview=is_preview, now=started_at,
                                          rng=random.Random(1))
    item = quiz_services.attempt_progress(attempt=attempt).item
    quiz_services.response_record(attempt=attempt, token=item.token, answered_fake=True, confidence=60,
                                  now=started_at + timedelta(seconds=5))
    return quiz_services.attempt_finish(attempt=attempt, now=started_at + timedelta(minutes=1))


@pytest.fixture
def school():
    now = timezone.now()
    opened = now - timedelta(days=10)
    owner, other_teacher, co = (UserFactory(teacher=True) for _ in range(3))
    only_here, in_both, elsewhere, left = (UserFactory() for _ in range(4))
    clips = [ClipFactory(), ClipFactory(fake=True)]
    class_quiz = _quiz(owner, clips, "Only for this class")
    shared_quiz = _quiz(owner, clips, "Set in both classes")
    unrelated = _quiz(owner, clips, "Never assigned")

    doomed = services.classroom_create(owner=owner, name="Year 9 media")
    ClassTeacher.objects.create(classroom=doomed, user=co, role=TeacherRole.CO_TEACHER)
    kept = services.classroom_create(owner=other_teacher, name="Year 9 science")
    for classroom, students in ((doomed, [only_here, in_both, left]), (kept, [in_both, elsewhere])):
        for student in students:  # joined before any of the work below (a class sees none from before)
            Membership.objects.create(classroom=classroom, student=student, joined_at=opened - timedelta(days=30))
    Assignment.objects.create(classroom=doomed, quiz=class_quiz, opens_at=opened, created_by=owner)
    Assignment.objects.create(classroom=doomed, quiz=shared_quiz, opens_at=opened, created_by=owner)
    Assignment.objects.create(classroom=doomed, lesson=make_lesson(), opens_at=opened, created_by=owner)
    kept_assignment = Assignment.objects.create(classroom=kept, quiz=shared_quiz, opens_at=opened,
                                                created_by=other_teacher)

    after = opened + timedelta(days=1)
    gone = {
        "class quiz, class student": _answered(class_quiz, only_here, after),
        "shared quiz, student only in this class": _answered(shared_quiz, only_here, after),
        "class quiz, student in both classes": _answered(class_quiz, in_both, after),
    }
    stays = {
        "before the quiz was assigned": _answered(class_quiz, only_here, opened - timedelta(days=3)),
        "counts for the other class too": _answered(shared_quiz, in_both, after),
        "student of the other class only": _answered(shared_quiz, elsewhere, after),
        "quiz never assigned": _answered(unrelated, only_here, after),
        "teacher preview": _answered(class_quiz, owner, after, is_preview=True),
        "student who left the class": _answered(class_quiz, left, after),
        "before the student joined": _answered(class_quiz, newcomer := UserFactory(), after),
    }
    Membership.objects.create(classroom=doomed, student=newcomer)  # joins now, after that attempt
    Membership.objects.filter(classroom=doomed, student=left).delete()
    LessonProgress.objects.create(learner=only_here, lesson=make_lesson("lesson-two"))
    job = ExportJob.objects.create(classroom=doomed, requested_by=owner, status=ExportStatus.DONE, total=1, done=1)
    job.file.save("export.csv", ContentFile(b"student,answer\n"))
    return dict(owner=owner, co=co, other_teacher=other_teacher, doomed=doomed, kept=kept, gone=gone, stays=stays,
                kept_assignment=kept_assignment, job=job, only_here=only_here, in_both=in_both)


def test_the_confirm_page_says_exactly_what_goes_and_what_stays(client, school):
    client.force_login(school["owner"])
    html = client.get(reverse("classroom:class_delete", args=[school["doomed"].public_id])).content.decode()
    assert "What is deleted" in html and "What stays" in html
    assert "3 student places" in html and "2 teacher places" in html and "3 assignments" in html
    assert "3 quiz attempts with 3 answers" in html and "1 prepared CSV export" in html
    assert reverse("classroom:export", args=[school["doomed"].public_id]) in html
    settings_page = client.get(reverse("classroom:class_edit", args=[school["doomed"].public_id])).content.decode()
    assert reverse("classroom:class_delete", args=[school["doomed"].public_id]) in settings_page


def test_deleting_a_class_removes_its_records_and_nothing_of_another_class(client, school,
                                                                          django_capture_on_commit_callbacks):
    doomed, kept = school["doomed"], school["kept"]
    gone_ids = [a.pk for a in school["gone"].values()]
    stay_ids = {label: a.pk for label, a in school["stays"].items()}
    kept_before = (Membership.objects.filter(classroom=kept).count(), Assignment.objects.filter(classroom=kept).count())
    file_name = school["job"].file.name
    storage = ExportJob._meta.get_field("file").storage
    assert storage.exists(file_name)

    client.force_login(school["owner"])
    url = reverse("classroom:class_delete", args=[doomed.public_id])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"confirm_name": " Year 9 media "})
    assert response.status_code == 302 and response["Location"] == reverse("classroom:class_list")

    assert not Classroom.objects.filter(pk=doomed.pk).exists()
    assert not Membership.objects.filter(classroom_id=doomed.pk).exists()
    assert not Assignment.objects.filter(classroom_id=doomed.pk).exists()
    assert not ClassTeacher.objects.filter(classroom_id=doomed.pk).exists()
    assert not ExportJob.objects.filter(classroom_id=doomed.pk).exists()
    assert not Attempt.objects.filter(pk__in=gone_ids).exists()
    assert not AttemptItem.objects.filter(attempt_id__in=gone_ids).exists()
    assert not Response.objects.filter(item__attempt_id__in=gone_ids).exists()
    for label, pk in stay_ids.items():
        assert Attempt.objects.filter(pk=pk).exists(), f"deleted an attempt it should keep: {label}"
        assert Response.objects.filter(item__attempt_id=pk).exists(), label
    assert (Membership.objects.filter(classroom=kept).count(),
            Assignment.objects.filter(classroom=kept).count()) == kept_before
    assert LessonProgress.objects.filter(learner=school["only_here"]).exists()
    assert school["only_here"].__class__.objects.filter(pk=school["only_here"].pk).exists()
    assert not storage.exists(file_name)


def test_the_name_must_be_typed_exactly_and_a_wrong_one_deletes_nothing(client, school):
    client.force_login(school["owner"])
    url = reverse("classroom:class_delete", args=[school["doomed"].public_id])
    for typed in ("", "year 9 media", "Year 9 science"):
        response = client.post(url, {"confirm_name": typed})
        assert response.status_code == 422
    assert "nothing was deleted" in response.content.decode()
    assert Classroom.objects.filter(pk=school["doomed"].pk).exists()
    assert Attempt.objects.count() == len(school["gone"]) + len(school["stays"])


@pytest.mark.parametrize("who, status", [("co", 403), ("other_teacher", 404)])
def test_only_the_owner_can_delete_a_class(client, school, who, status):
    client.force_login(school[who])
    url = reverse("classroom:class_delete", args=[school["doomed"].public_id])
    assert client.post(url, {"confirm_name": "Year 9 media"}).status_code == status
    assert client.get(url).status_code == status
    assert Classroom.objects.filter(pk=school["doomed"].pk).exists()
    assert Attempt.objects.count() == len(school["gone"]) + len(school["stays"])
