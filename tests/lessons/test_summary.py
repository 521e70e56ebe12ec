"""What the classroom dashboards read: QuerySet methods and lesson_progress_summary."""

from __future__ import annotations

import dataclasses

import pytest

from accounts.models import User
from lessons.models import CheckAnswer, Lesson, LessonProgress
from lessons.services import (
    LessonProgressSummary,
    check_answer_record,
    lesson_complete,
    lesson_progress_summary,
    lesson_section_read,
    lesson_start,
)

pytestmark = pytest.mark.django_db


def make_learners(count: int) -> list[User]:
    return [User.objects.create_user(email=f"learner{i}@example.com") for i in range(count)]


def test_summary_reports_progress_and_check_results_as_plain_data(loaded):
    ada, bo = make_learners(2)
    first, second = Lesson.objects.filter(slug__in=["lesson-1", "lesson-2"]).order_by("order")
    check_answer_record(learner=ada, lesson=first, check_id="q1", option_index=1)
    check_answer_record(learner=ada, lesson=first, check_id="q1", option_index=0)
    check_answer_record(learner=ada, lesson=first, check_id="q2", option_index=0)
    lesson_complete(learner=ada, lesson=first)
    lesson_section_read(learner=bo, lesson=second, section=2)

    summary = lesson_progress_summary(learner_ids=[ada.pk, bo.pk])

    assert set(summary) == {(ada.pk, first.pk), (bo.pk, second.pk)}
    ada_first = summary[(ada.pk, first.pk)]
    assert isinstance(ada_first, LessonProgressSummary) and dataclasses.is_dataclass(ada_first)
    assert ada_first.is_complete
    assert (ada_first.checks_total, ada_first.checks_answered, ada_first.checks_correct, ada_first.attempts) \
        == (2, 2, 1, 3)
    assert (ada_first.sections_read, ada_first.section_count) == (3, 3)
    bo_second = summary[(bo.pk, second.pk)]
    assert not bo_second.is_complete
    assert (bo_second.sections_read, bo_second.checks_answered, bo_second.attempts) == (2, 0, 0)


def test_summary_is_limited_to_the_learners_and_lessons_asked_for(loaded):
    ada, bo = make_learners(2)
    first, second = Lesson.objects.filter(slug__in=["lesson-1", "lesson-2"]).order_by("order")
    for learner in (ada, bo):
        for lesson in (first, second):
            lesson_start(learner=learner, lesson=lesson)
    summary = lesson_progress_summary(learner_ids=User.objects.filter(pk=ada.pk).values("pk"),
                                      lesson_ids=[second.pk])
    assert list(summary) == [(ada.pk, second.pk)]


def test_summary_leaves_out_answers_to_checks_removed_from_the_file(loaded):
    (ada,) = make_learners(1)
    lesson = Lesson.objects.get(slug="lesson-1")
    check_answer_record(learner=ada, lesson=lesson, check_id="q1", option_index=0)
    check_answer_record(learner=ada, lesson=lesson, check_id="q2", option_index=1)
    Lesson.objects.filter(pk=lesson.pk).update(checks=lesson.checks[:1])
    row = lesson_progress_summary(learner_ids=[ada.pk])[(ada.pk, lesson.pk)]
    assert (row.checks_total, row.checks_answered, row.checks_correct) == (1, 1, 1)
    assert CheckAnswer.objects.filter(learner=ada).count() == 2


@pytest.mark.parametrize("learner_count", [2, 30])
def test_summary_takes_three_queries_however_big_the_class(
    loaded, django_assert_max_num_queries, learner_count
):
    learners = make_learners(learner_count)
    for learner in learners:
        for lesson in Lesson.objects.all():
            check_answer_record(learner=learner, lesson=lesson, check_id="q1", option_index=0)
    with django_assert_max_num_queries(3):
        summary = lesson_progress_summary(learner_ids=[learner.pk for learner in learners])
    assert len(summary) == learner_count * Lesson.objects.count()


def test_summary_of_nobody_is_empty(loaded):
    assert lesson_progress_summary(learner_ids=[]) == {}


def test_queryset_methods_scope_progress_to_learners(loaded):
    ada, bo, cy = make_learners(3)
    lesson = Lesson.objects.get(slug="lesson-1")
    lesson_complete(learner=ada, lesson=lesson)
    lesson_start(learner=bo, lesson=lesson)
    lesson_start(learner=cy, lesson=lesson)
    check_answer_record(learner=cy, lesson=lesson, check_id="q1", option_index=0)

    assert set(LessonProgress.objects.for_learners([ada, bo]).values_list("learner", flat=True)) == {
        ada.pk,
        bo.pk,
    }
    assert set(
        LessonProgress.objects.for_learners(User.objects.filter(pk=cy.pk)).values_list("learner", flat=True)
    ) == {cy.pk}
    assert list(LessonProgress.objects.for_learner(ada).completed().values_list("learner", flat=True)) == [
        ada.pk
    ]
    assert LessonProgress.objects.in_progress().count() == 2
    assert CheckAnswer.objects.for_learners([ada, bo]).count() == 0
    assert CheckAnswer.objects.for_learner(cy).count() == 1
