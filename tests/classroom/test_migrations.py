"""Migrations that change data: run against the historical models, as on a database in use
(``migrate_to``, in tests/conftest.py)."""

from datetime import timedelta

import pytest
from django.utils import timezone

BEFORE = [("classroom", "0002_exportjob_status_removed")]
AFTER = [("classroom", "0004_assignment_one_per_opening")]


@pytest.mark.django_db(transaction=True)
def test_work_assigned_twice_with_one_opening_keeps_one_assignment_before_the_constraint(migrate_to):
    apps = migrate_to(BEFORE)
    Classroom = apps.get_model("classroom", "Classroom")
    Assignment = apps.get_model("classroom", "Assignment")
    Quiz = apps.get_model("quiz", "Quiz")
    Course = apps.get_model("lessons", "Course")
    Lesson = apps.get_model("lessons", "Lesson")
    classroom = Classroom.objects.create(name="Year 9", join_code="ABCDEFG", join_token="t" * 20,
                                         public_id="class-1")
    other_class = Classroom.objects.create(name="Year 10", join_code="HJKMNPQ", join_token="u" * 20,
                                           public_id="class-2")
    quiz = Quiz.objects.create(title="Q", mode="assessment", selection="fixed", public_id="quiz-1")
    course = Course.objects.create(slug="c", title="Course", summary="s")
    lesson = Lesson.objects.create(course=course, slug="l", order=1, title="L", summary="s", body="b",
                                   source_file="f.md", section_count=1)
    opens = timezone.now() - timedelta(days=1)
    n = iter(range(100))

    def assign(**fields):
        return Assignment.objects.create(public_id=f"a-{next(n)}", opens_at=fields.pop("opens_at", opens), **fields)

    # A double click on "Assign": twice the same; the newer one is where attempts counted.
    older, newer = assign(classroom=classroom, quiz=quiz), assign(classroom=classroom, quiz=quiz)
    # A pre-test set twice, the older one already paired with a post-test: the pair is kept.
    later = opens + timedelta(days=3)
    paired = assign(classroom=classroom, quiz=quiz, kind="pre", opens_at=later)
    unpaired = assign(classroom=classroom, quiz=quiz, kind="pre", opens_at=later)
    post = assign(classroom=classroom, quiz=quiz, kind="post", pre=paired, opens_at=later + timedelta(days=7))
    # Both copies of a pre-test paired with a post-test: one pair stays, the other post-test is kept
    # as ordinary work (a post-test without its pre-test could not be edited).
    much_later = later + timedelta(days=30)
    pre_a = assign(classroom=classroom, quiz=quiz, kind="pre", opens_at=much_later)
    pre_b = assign(classroom=classroom, quiz=quiz, kind="pre", opens_at=much_later)
    post_a = assign(classroom=classroom, quiz=quiz, kind="post", pre=pre_a, opens_at=much_later + timedelta(days=7))
    post_b = assign(classroom=classroom, quiz=quiz, kind="post", pre=pre_b, opens_at=much_later + timedelta(days=8))
    lesson_twice = [assign(classroom=classroom, lesson=lesson) for _ in range(3)]
    # Not duplicates: another class, another opening.
    elsewhere = assign(classroom=other_class, quiz=quiz)
    next_round = assign(classroom=classroom, quiz=quiz, opens_at=opens + timedelta(days=1))

    apps = migrate_to(AFTER)
    Assignment = apps.get_model("classroom", "Assignment")
    left = set(Assignment.objects.values_list("pk", flat=True))
    assert left == {newer.pk, paired.pk, post.pk, pre_b.pk, post_a.pk, post_b.pk, lesson_twice[-1].pk,
                    elsewhere.pk, next_round.pk}
    assert older.pk not in left and unpaired.pk not in left and pre_a.pk not in left
    assert Assignment.objects.get(pk=post.pk).pre_id == paired.pk
    assert Assignment.objects.get(pk=post_b.pk).pre_id == pre_b.pk
    orphan = Assignment.objects.get(pk=post_a.pk)
    assert (orphan.kind, orphan.pre_id) == ("regular", None)
