"""Assignments: a lesson or a quiz, paired tests, and each student's "My work" status."""

import random
import re
from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from classroom import analytics, services
from classroom.analytics import WorkStatus
from classroom.models import Assignment, AssignmentKind, Membership
from lessons.models import Course, Lesson, LessonProgress

from .conftest import answer_attempts, build_class, make_quiz, make_students


@pytest.fixture
def lesson(db):
    course = Course.objects.create(slug="c", title="Course", summary="s")
    return Lesson.objects.create(course=course, slug="what-is", order=1, title="What is a deepfake", summary="s",
                                 body="b", source_file="f.md", section_count=3)


@pytest.fixture
def data(db):
    return build_class(n_students=1, tag="work", answers=False)


def test_an_assignment_is_a_lesson_or_a_quiz_never_both_nor_neither(data, lesson):
    for fields in ({"lesson": lesson, "quiz": data.quiz}, {}):
        with pytest.raises(IntegrityError), transaction.atomic():
            Assignment.objects.create(classroom=data.classroom, **fields)
    for fields in ({"lesson": lesson, "quiz": data.quiz}, {}):
        with pytest.raises(services.Refused, match="one of the two"):
            services.assignment_create(classroom=data.classroom, created_by=data.teacher, **fields)


def test_pre_and_post_tests_must_be_quizzes_and_a_post_needs_a_pre_of_the_same_class(data, lesson):
    with pytest.raises(services.Refused, match="must be a quiz"):
        services.assignment_create(classroom=data.classroom, created_by=data.teacher, lesson=lesson,
                                   kind=AssignmentKind.PRE)
    with pytest.raises(services.Refused, match="Choose the pre-test"):
        services.assignment_create(classroom=data.classroom, created_by=data.teacher, quiz=data.quiz,
                                   kind=AssignmentKind.POST)
    other = build_class(n_students=0, tag="elsewhere", answers=False)
    foreign_pre = services.assignment_create(classroom=other.classroom, created_by=other.teacher,
                                             quiz=other.quiz, kind=AssignmentKind.PRE)
    with pytest.raises(services.Refused, match="this class"):
        services.assignment_create(classroom=data.classroom, created_by=data.teacher, quiz=data.quiz,
                                   kind=AssignmentKind.POST, pre=foreign_pre,
                                   opens_at=timezone.now() + timedelta(days=1))
    pre = services.assignment_create(classroom=data.classroom, created_by=data.teacher, quiz=data.quiz,
                                     kind=AssignmentKind.PRE)
    post = services.assignment_create(classroom=data.classroom, created_by=data.teacher, quiz=data.quiz,
                                      kind=AssignmentKind.POST, pre=pre, opens_at=pre.opens_at + timedelta(days=3))
    assert pre.post == post
    with pytest.raises(IntegrityError), transaction.atomic():
        Assignment.objects.filter(pk=pre.pk).update(pre=post)


def test_due_date_must_follow_the_opening(data):
    now = timezone.now()
    with pytest.raises(services.Refused, match="after the opening"):
        services.assignment_create(classroom=data.classroom, created_by=data.teacher, quiz=data.quiz,
                                   opens_at=now, due_at=now - timedelta(hours=1))


def test_an_archived_class_takes_no_new_work(data):
    services.classroom_archive(classroom=data.classroom)
    with pytest.raises(services.Refused, match="archived"):
        services.assignment_create(classroom=data.classroom, created_by=data.teacher, quiz=data.quiz)


def test_my_work_statuses_not_started_in_progress_done_late_and_not_open_yet(data, lesson):
    student = data.students[0]
    now = timezone.now()
    quiz_a = data.assignment  # opened 10 days ago, due 5 days ago
    future = services.assignment_create(classroom=data.classroom, created_by=data.teacher, lesson=lesson,
                                        opens_at=now + timedelta(days=2))
    lesson_now = Assignment.objects.create(classroom=data.classroom, lesson=lesson, opens_at=now - timedelta(days=1),
                                           due_at=now + timedelta(days=1))
    statuses = lambda: {w.assignment.pk: w for g in analytics.student_work(student=student) for w in g.works}  # noqa: E731
    got = statuses()
    assert got[quiz_a.pk].status == WorkStatus.LATE and not got[quiz_a.pk].is_finished
    assert got[future.pk].status == WorkStatus.UPCOMING
    assert got[lesson_now.pk].status == WorkStatus.NOT_STARTED
    LessonProgress.objects.create(learner=student, lesson=lesson, started_at=now)
    assert statuses()[lesson_now.pk].status == WorkStatus.IN_PROGRESS
    LessonProgress.objects.filter(learner=student).update(completed_at=now)
    assert statuses()[lesson_now.pk].status == WorkStatus.DONE
    # Finished after the due date: late, and says it was handed in.
    answer_attempts(quiz=data.quiz, clips=data.clips, students=[student], rng=random.Random(1),
                    started_at=quiz_a.due_at + timedelta(hours=1))
    work = statuses()[quiz_a.pk]
    assert work.status == WorkStatus.LATE and work.label == "Done late"


def test_a_quiz_finished_on_time_is_done_and_an_unfinished_one_in_progress(data):
    student = data.students[0]
    Assignment.objects.filter(pk=data.assignment.pk).update(due_at=timezone.now() + timedelta(days=1))
    answer_attempts(quiz=data.quiz, clips=data.clips, students=[student], rng=random.Random(1),
                    started_at=timezone.now() - timedelta(hours=2), answered=3, finished=False)
    [group] = analytics.student_work(student=student)
    assert group.works[0].status == WorkStatus.IN_PROGRESS
    answer_attempts(quiz=data.quiz, clips=data.clips, students=[student], rng=random.Random(1),
                    started_at=timezone.now() - timedelta(hours=1))
    [group] = analytics.student_work(student=student)
    assert group.works[0].status == WorkStatus.DONE


def test_preview_attempts_and_attempts_before_opening_do_not_count_as_work(data):
    student = data.students[0]
    answer_attempts(quiz=data.quiz, clips=data.clips, students=[student], rng=random.Random(1),
                    started_at=data.assignment.opens_at - timedelta(days=1))
    answer_attempts(quiz=data.quiz, clips=data.clips, students=[student], rng=random.Random(1),
                    started_at=data.assignment.opens_at + timedelta(days=1), is_preview=True)
    [group] = analytics.student_work(student=student)
    assert group.works[0].started_at is None


def test_my_work_page_links_the_quiz_start_and_shows_due_dates_and_status_in_words(client, data):
    client.force_login(data.students[0])
    html = client.get(reverse("classroom:my_work")).content.decode()
    assert reverse("quiz:quiz_start", args=[data.quiz.public_id]) in html
    assert "Late" in html and data.assignment.due_at.strftime("%Y") in html
    assert html.count("<h1") == 1


def test_archived_classes_leave_my_work(client, data):
    services.classroom_archive(classroom=data.classroom)
    client.force_login(data.students[0])
    assert data.classroom.name not in client.get(reverse("classroom:my_work")).content.decode()


def test_home_page_shows_the_my_work_summary_to_students_and_classes_to_teachers(client, data):
    client.force_login(data.students[0])
    html = client.get(reverse("home")).content.decode()
    assert "My work" in html and data.quiz.title in html
    client.force_login(data.teacher)
    assert data.classroom.name in client.get(reverse("home")).content.decode()


def test_assignment_pages_create_edit_and_delete(client, data, lesson):
    client.force_login(data.teacher)
    url = reverse("classroom:assignment_create", args=[data.classroom.public_id])
    assert client.get(url).status_code == 200
    response = client.post(url, {"kind": "regular", "lesson": lesson.pk, "opens_at": "2030-01-01T09:00"})
    assert response.status_code == 302
    created = Assignment.objects.get(lesson=lesson)
    response = client.post(url, {"kind": "post", "quiz": data.quiz.pk, "opens_at": "2030-01-01T09:00"})
    assert response.status_code == 422 and b"Choose the pre-test" in response.content
    edit = reverse("classroom:assignment_edit", args=[data.classroom.public_id, created.public_id])
    client.post(edit, {"kind": "regular", "lesson": lesson.pk, "opens_at": "2030-01-01T09:00",
                       "due_at": "2030-01-08T09:00"})
    created.refresh_from_db()
    assert created.due_at is not None
    client.post(reverse("classroom:assignment_delete", args=[data.classroom.public_id, created.public_id]))
    assert not Assignment.objects.filter(pk=created.pk).exists()
    assert Assignment.objects.filter(pk=data.assignment.pk).exists()  # only the one deleted


def test_dashboard_status_counts_from_the_database_equal_each_students_status(lesson):
    """The class overview counts statuses in SQL; they must be what each student's "My work" says."""
    data = build_class(n_students=9, tag="counts", answers=False)
    now = timezone.now()
    s = data.students
    past_due = data.assignment  # opened 10 days ago, due 5 days ago
    open_quiz = Assignment.objects.create(classroom=data.classroom, quiz=data.quiz, opens_at=now - timedelta(days=2),
                                          due_at=now + timedelta(days=2))
    no_due = Assignment.objects.create(classroom=data.classroom, lesson=lesson, opens_at=now - timedelta(days=1))
    lesson_due = Assignment.objects.create(classroom=data.classroom, lesson=lesson, opens_at=now - timedelta(days=3),
                                           due_at=now - timedelta(hours=1))
    upcoming = Assignment.objects.create(classroom=data.classroom, quiz=data.quiz, opens_at=now + timedelta(days=3))
    other_quiz = make_quiz(owner=data.teacher, clips=data.clips, title="Another quiz")
    second = Assignment.objects.create(classroom=data.classroom, quiz=other_quiz, opens_at=now - timedelta(days=4),
                                       due_at=now + timedelta(days=1))
    rng = random.Random(3)
    # The other quiz: one student finished it, which says nothing about the first quiz.
    answer_attempts(quiz=other_quiz, clips=data.clips, students=s[8:9], rng=rng, started_at=now - timedelta(days=3))
    # Past-due quiz: on time, late, started and never finished, never started.
    answer_attempts(quiz=data.quiz, clips=data.clips, students=s[0:2], rng=rng,
                    started_at=past_due.opens_at + timedelta(days=1))
    answer_attempts(quiz=data.quiz, clips=data.clips, students=s[2:3], rng=rng,
                    started_at=past_due.due_at + timedelta(hours=1))
    answer_attempts(quiz=data.quiz, clips=data.clips, students=s[3:4], rng=rng,
                    started_at=past_due.opens_at + timedelta(days=1), answered=2, finished=False)
    # Open quiz: finished, in progress, a preview that must not count.
    answer_attempts(quiz=data.quiz, clips=data.clips, students=s[4:6], rng=rng, started_at=now - timedelta(days=1))
    answer_attempts(quiz=data.quiz, clips=data.clips, students=s[6:7], rng=rng, started_at=now - timedelta(hours=1),
                    answered=1, finished=False)
    answer_attempts(quiz=data.quiz, clips=data.clips, students=s[7:8], rng=rng, started_at=now - timedelta(hours=1),
                    is_preview=True)
    # Lessons: done before the due time, done after it, only started.
    LessonProgress.objects.create(learner=s[0], lesson=lesson, started_at=now - timedelta(days=2),
                                  completed_at=now - timedelta(days=2))
    LessonProgress.objects.create(learner=s[1], lesson=lesson, started_at=now - timedelta(days=2),
                                  completed_at=now - timedelta(minutes=5))
    LessonProgress.objects.create(learner=s[2], lesson=lesson, started_at=now - timedelta(days=2))
    # Someone outside the class with progress on the same lesson is not counted.
    outsider = make_students(1, "outside")[0]
    LessonProgress.objects.create(learner=outsider, lesson=lesson, started_at=now - timedelta(days=1), completed_at=now)
    assignments = [past_due, open_quiz, no_due, lesson_due, upcoming, second]
    overview = analytics.class_overview(classroom=data.classroom, assignments=assignments, now=now)
    table = analytics.work_table(assignments=assignments, learner_ids=[x.pk for x in s], now=now)
    for progress in overview.assignments:
        works = [table.get(x.pk, progress.assignment) for x in s]
        expected = {status: sum(w.status == status for w in works) for status in WorkStatus.LABELS}
        got = {status: progress.count(status) for status in WorkStatus.LABELS}
        assert got == expected, progress.assignment
        assert progress.finished == sum(w.is_finished for w in works)
    # The situations above really are all there.
    by_pk = {p.assignment.pk: p for p in overview.assignments}
    assert by_pk[past_due.pk].count(WorkStatus.LATE) == 7 and by_pk[past_due.pk].count(WorkStatus.DONE) == 2
    assert by_pk[open_quiz.pk].count(WorkStatus.IN_PROGRESS) == 1 and by_pk[open_quiz.pk].finished == 2
    assert by_pk[lesson_due.pk].count(WorkStatus.DONE) == 1 and by_pk[lesson_due.pk].count(WorkStatus.LATE) == 8
    assert by_pk[no_due.pk].count(WorkStatus.NOT_STARTED) == 6
    assert by_pk[upcoming.pk].count(WorkStatus.UPCOMING) == 9
    assert by_pk[second.pk].finished == 1 and by_pk[second.pk].count(WorkStatus.NOT_STARTED) == 8
    assert overview.completion == pytest.approx((3 + 2 + 2 + 2 + 1) / (5 * 9))
    # The roster rows of the overview say the same per student.
    rows = {r.membership.student_id: r for r in overview.student_rows(data.memberships)}
    for x in s:
        opened = [a for a in assignments if a.is_open(now)]
        works = [table.get(x.pk, a) for a in opened]
        assert (rows[x.pk].finished, rows[x.pk].late, rows[x.pk].assigned) == (
            sum(w.is_finished for w in works), sum(w.status == WorkStatus.LATE for w in works), len(opened))


def test_a_student_leaves_a_class_after_confirming_and_keeps_their_work(client, db):
    data = build_class(n_students=2, tag="leave")
    student, other = data.students
    teacher_view = lambda: analytics.class_overview(classroom=data.classroom, assignments=[data.assignment])  # noqa: E731
    assert teacher_view().n_students == 2 and student.pk in teacher_view().skills
    client.force_login(student)
    my_work = client.get(reverse("classroom:my_work")).content.decode()
    leave_url = reverse("classroom:leave", args=[data.classroom.public_id])
    assert leave_url in my_work
    page = client.get(leave_url).content.decode()
    assert "Your own answers, results and lesson progress stay" in page
    assert Membership.objects.filter(student=student).exists()  # the page only asks
    response = client.post(leave_url, follow=True)
    html = response.content.decode()
    assert f"You left {data.classroom.name}" in html and data.quiz.title not in html
    assert not Membership.objects.filter(student=student, classroom=data.classroom).exists()
    # The class's numbers no longer count them; their own attempts are still theirs.
    assert teacher_view().n_students == 1 and student.pk not in teacher_view().skills
    assert student.attempts.filter(quiz=data.quiz).exists()
    # A second try, or someone else's class, is a plain 404.
    assert client.post(leave_url).status_code == 404
    client.force_login(other)
    assert client.post(reverse("classroom:leave", args=[build_class(n_students=0, tag="x").classroom.public_id])
                       ).status_code == 404


def test_a_class_with_only_a_lesson_set_counts_its_statuses(lesson):
    data = build_class(n_students=3, tag="lessononly", answers=False)
    data.assignment.delete()
    now = timezone.now()
    reading = Assignment.objects.create(classroom=data.classroom, lesson=lesson, opens_at=now - timedelta(days=1))
    LessonProgress.objects.create(learner=data.students[0], lesson=lesson, started_at=now - timedelta(hours=2),
                                  completed_at=now - timedelta(hours=1))
    LessonProgress.objects.create(learner=data.students[1], lesson=lesson, started_at=now - timedelta(hours=2))
    overview = analytics.class_overview(classroom=data.classroom, assignments=[reading], now=now)
    [progress] = overview.assignments
    assert overview.n_students == 3 and overview.completion == pytest.approx(1 / 3)
    assert (progress.count(WorkStatus.DONE), progress.count(WorkStatus.IN_PROGRESS),
            progress.count(WorkStatus.NOT_STARTED)) == (1, 1, 1)
    rows = {r.membership.student_id: r for r in overview.student_rows(data.memberships)}
    assert [rows[s.pk].finished for s in data.students] == [1, 0, 0]


def test_an_assignment_whose_quiz_or_lesson_was_unpublished_since_can_still_have_its_dates_changed(
        client, data, lesson):
    from quiz.models import Quiz

    lesson_work = services.assignment_create(classroom=data.classroom, created_by=data.teacher, lesson=lesson,
                                             opens_at=timezone.now() + timedelta(days=1))
    Quiz.objects.filter(pk=data.quiz.pk).update(is_published=False, is_public=False)
    lesson.is_published = False
    lesson.save()
    client.force_login(data.teacher)
    c = data.classroom.public_id
    edit = reverse("classroom:assignment_edit", args=[c, data.assignment.public_id])
    html = client.get(edit).content.decode()
    assert f'<option value="{data.quiz.pk}" selected>{data.quiz.title}</option>' in html
    response = client.post(edit, {"kind": "regular", "quiz": data.quiz.pk, "opens_at": "2030-01-01T09:00",
                                  "due_at": "2030-02-01T09:00"})
    assert response.status_code == 302, response.content.decode()
    data.assignment.refresh_from_db()
    assert data.assignment.quiz == data.quiz and data.assignment.due_at.year == 2030
    lesson_edit = reverse("classroom:assignment_edit", args=[c, lesson_work.public_id])
    assert f'<option value="{lesson.pk}" selected>' in client.get(lesson_edit).content.decode()
    response = client.post(lesson_edit, {"kind": "regular", "lesson": lesson.pk, "opens_at": "2030-01-01T09:00",
                                         "due_at": "2030-01-08T09:00"})
    assert response.status_code == 302
    # New work is not offered what students can no longer open, nor another assignment's unpublished quiz.
    new = client.get(reverse("classroom:assignment_create", args=[c])).content.decode()
    assert data.quiz.title not in new and lesson.title not in new
    quiz_choices = re.search(r'<select name="quiz".*?</select>', client.get(lesson_edit).content.decode(),
                             re.DOTALL)
    assert data.quiz.title not in quiz_choices.group()


def test_a_double_click_on_assign_sets_the_work_once(client, data):
    """The same POST twice: one assignment, and the second answer says what to do instead."""
    answer_attempts(quiz=data.quiz, clips=data.clips, students=data.students, rng=random.Random(5),
                    started_at=timezone.now() - timedelta(minutes=30))
    client.force_login(data.teacher)
    url = reverse("classroom:assignment_create", args=[data.classroom.public_id])
    opens = timezone.localtime(timezone.now() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    form = {"kind": "regular", "quiz": data.quiz.pk, "opens_at": opens}
    first = client.post(url, form)
    second = client.post(url, form)
    assert first.status_code == 302
    assert second.status_code == 422
    assert "This quiz is already assigned to this class" in second.content.decode()
    assert "Edit that assignment instead." in second.content.decode()
    assert Assignment.objects.filter(classroom=data.classroom, quiz=data.quiz).count() == 2  # the old one and one new
    # The student sees the new work once, done, and not beside a "Not started" copy of it.
    client.force_login(data.students[0])
    html = client.get(reverse("classroom:my_work")).content.decode()
    new = Assignment.objects.filter(classroom=data.classroom, quiz=data.quiz).latest("opens_at")
    works = [w for g in analytics.student_work(student=data.students[0]) for w in g.works if w.assignment == new]
    assert len(works) == 1 and works[0].status == WorkStatus.DONE
    assert "Not started" not in html


def test_the_same_work_is_set_again_only_once_the_earlier_assignment_is_due(data, lesson):
    now = timezone.now()

    def create(**fields):
        return services.assignment_create(classroom=data.classroom, created_by=data.teacher, **fields)

    # data.assignment: opened 10 days ago, due 5 days ago. Setting the quiz again now is a new round.
    again = create(quiz=data.quiz, opens_at=now, due_at=now + timedelta(days=7))
    with pytest.raises(services.Refused, match="already assigned to this class .* still open then"):
        create(quiz=data.quiz, opens_at=now + timedelta(days=2))
    with pytest.raises(services.Refused, match="while this one would still be open"):
        create(quiz=data.quiz, opens_at=now - timedelta(days=1), due_at=now + timedelta(hours=1))
    create(quiz=data.quiz, opens_at=now + timedelta(days=8))  # after the round is due: allowed
    # A lesson only not twice at the same opening: it has no attempts to split, so setting it again
    # for revision while it is still open is fine.
    create(lesson=lesson, opens_at=now)
    with pytest.raises(services.Refused, match="This lesson is already assigned"):
        create(lesson=lesson, opens_at=now)
    create(lesson=lesson, opens_at=now + timedelta(days=3))
    # Editing an assignment does not clash with itself, but cannot be moved onto another one.
    services.assignment_update(assignment=again, quiz=data.quiz, opens_at=now, due_at=now + timedelta(days=6))
    with pytest.raises(services.Refused, match="already assigned"):
        services.assignment_update(assignment=again, quiz=data.quiz, opens_at=now, due_at=now + timedelta(days=9))
    # A pre-test without a due date and its post-test of the same quiz are meant to split its attempts.
    other = build_class(n_students=0, tag="pairs", answers=False)
    other.assignment.delete()
    pre = services.assignment_create(classroom=other.classroom, created_by=other.teacher, quiz=other.quiz,
                                     kind=AssignmentKind.PRE, opens_at=now)
    post = services.assignment_create(classroom=other.classroom, created_by=other.teacher, quiz=other.quiz,
                                      kind=AssignmentKind.POST, pre=pre, opens_at=now + timedelta(days=7))
    services.assignment_update(assignment=pre, quiz=other.quiz, kind=AssignmentKind.PRE, opens_at=now,
                               due_at=now + timedelta(days=8))
    assert Assignment.objects.get(pk=post.pk).pre_id == pre.pk


def test_the_database_refuses_the_same_work_opening_twice_at_once(data, lesson):
    with pytest.raises(IntegrityError), transaction.atomic():
        Assignment.objects.create(classroom=data.classroom, quiz=data.quiz, opens_at=data.assignment.opens_at)
    Assignment.objects.create(classroom=data.classroom, lesson=lesson, opens_at=data.assignment.opens_at)
    with pytest.raises(IntegrityError), transaction.atomic():
        Assignment.objects.create(classroom=data.classroom, lesson=lesson, opens_at=data.assignment.opens_at)
    # Another class may open the same quiz at the same time.
    other = build_class(n_students=0, tag="sametime", answers=False)
    Assignment.objects.create(classroom=other.classroom, quiz=data.quiz, opens_at=data.assignment.opens_at)


@pytest.mark.django_db(transaction=True)
def test_two_clicks_at_the_same_moment_set_the_work_once():
    """Both requests read "not assigned yet" unless the class is locked while one checks and writes."""
    from datetime import datetime, timezone as tz

    from tests.concurrency import at_once

    data = build_class(n_students=0, tag="race", answers=False)
    opens = datetime(2030, 1, 1, 9, tzinfo=tz.utc)

    def assign(_):
        try:
            services.assignment_create(classroom=data.classroom, created_by=data.teacher, quiz=data.quiz,
                                       opens_at=opens)
            return "set"
        except services.Refused as refusal:
            return refusal.message

    results = at_once(assign, 1, 2)
    assert sorted(results)[1] == "set" and "already assigned to this class" in sorted(results)[0]
    assert Assignment.objects.filter(classroom=data.classroom, quiz=data.quiz, opens_at=opens).count() == 1


def test_work_taken_down_after_it_was_set_is_shown_as_such_without_a_dead_link(client, data, lesson):
    """A lesson unpublished (or a quiz unpublished) after it was set led "My work" to a page not found."""
    from quiz.models import Quiz

    services.assignment_create(classroom=data.classroom, created_by=data.teacher, lesson=lesson)
    Lesson.objects.filter(pk=lesson.pk).update(is_published=False)
    Quiz.objects.filter(pk=data.quiz.pk).update(is_published=False, is_public=False)
    client.force_login(data.students[0])
    html = client.get(reverse("classroom:my_work")).content.decode()
    assert html.count("(taken down: no longer available)") == 2
    assert lesson.get_absolute_url() not in html
    assert reverse("quiz:quiz_start", args=[data.quiz.public_id]) not in html


def test_a_due_date_already_gone_by_is_refused_for_new_work_but_kept_on_old(client, data):
    """Set with a date gone by, the work was late for every student the moment it appeared."""
    client.force_login(data.teacher)
    past = (timezone.localtime() - timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    opens = (timezone.localtime() - timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    url = reverse("classroom:assignment_create", args=[data.classroom.public_id])
    response = client.post(url, {"kind": "regular", "quiz": data.quiz.pk, "opens_at": opens, "due_at": past})
    assert response.status_code == 422 and "That date has passed" in response.content.decode()
    assert data.classroom.assignments.count() == 1
    # The class's own assignment was due days ago (build_class): editing its opening keeps that date.
    old = data.assignment
    response = client.post(reverse("classroom:assignment_edit", args=[data.classroom.public_id, old.public_id]), {
        "kind": "regular", "quiz": data.quiz.pk,
        "opens_at": timezone.localtime(old.opens_at - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        "due_at": timezone.localtime(old.due_at).strftime("%Y-%m-%dT%H:%M")})
    assert response.status_code == 302, response.content.decode()[:2000]
