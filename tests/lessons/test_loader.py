"""load_lessons: validation of the content files, idempotent loading, updates in place."""

from __future__ import annotations

import re

import pytest
from django.core.management import CommandError, call_command

from lessons.content import ContentError, read_course
from lessons.models import CheckAnswer, Course, Lesson, LessonProgress
from lessons.services import check_answer_record, lesson_complete, lessons_load

from .conftest import REAL_CONTENT, lesson_meta, write_course, write_lesson

pytestmark = pytest.mark.django_db


def snapshot():
    return (
        list(Course.objects.values_list("pk", "slug", "title", "updated_at")),
        list(
            Lesson.objects.order_by("pk").values_list(
                "pk", "slug", "title", "order", "is_published", "updated_at"
            )
        ),
    )


def load(path):
    call_command("load_lessons", path=path, stdout=None)


# Validation ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "missing, message",
    [
        ("objectives", "missing objectives"),
        ("checks", "missing checks"),
        ("sources", "missing sources"),
    ],
)
def test_lesson_missing_objectives_checks_or_sources_is_rejected_naming_the_file(
    course_dir, missing, message
):
    write_lesson(course_dir, "02-lesson-2.md", lesson_meta("lesson-2", 2, **{missing: None}))
    with pytest.raises(ContentError) as error:
        read_course(course_dir)
    assert f"02-lesson-2.md: {message}" in str(error.value)


@pytest.mark.parametrize("missing", ["objectives", "checks", "sources"])
def test_rejected_content_fails_the_command_and_changes_nothing(course_dir, missing):
    load(course_dir)
    before = snapshot()
    write_lesson(
        course_dir, "02-lesson-2.md", lesson_meta("lesson-2", 2, title="A new title", **{missing: None})
    )
    write_lesson(course_dir, "04-lesson-4.md", lesson_meta("lesson-4", 4))
    with pytest.raises(CommandError, match=r"02-lesson-2\.md"):
        load(course_dir)
    assert snapshot() == before


def test_rejected_content_on_an_empty_database_creates_nothing(course_dir):
    write_lesson(course_dir, "03-lesson-3.md", lesson_meta("lesson-3", 3, sources=[]))
    with pytest.raises(CommandError, match=r"03-lesson-3\.md: missing sources"):
        load(course_dir)
    assert not Course.objects.exists() and not Lesson.objects.exists()


def test_a_single_check_is_not_enough(course_dir):
    meta = lesson_meta("lesson-1", 1)
    write_lesson(course_dir, "01-lesson-1.md", {**meta, "checks": meta["checks"][:1]})
    with pytest.raises(ContentError, match=r"01-lesson-1\.md: missing checks \(at least 2"):
        read_course(course_dir)


@pytest.mark.parametrize("correct_flags, found", [((True, True, False), 2), ((False, False, False), 0)])
def test_a_check_without_exactly_one_correct_option_is_rejected_naming_file_and_check(
    course_dir, correct_flags, found
):
    meta = lesson_meta("lesson-1", 1)
    for option, flag in zip(meta["checks"][1]["options"], correct_flags):
        option["correct"] = flag
    write_lesson(course_dir, "01-lesson-1.md", meta)
    with pytest.raises(ContentError) as error:
        read_course(course_dir)
    assert f"01-lesson-1.md: check 'q2': needs exactly one correct option, found {found}" in str(error.value)


def test_an_option_without_explanation_is_rejected_naming_file_and_check(course_dir):
    meta = lesson_meta("lesson-1", 1)
    del meta["checks"][0]["options"][1]["explanation"]
    write_lesson(course_dir, "01-lesson-1.md", meta)
    with pytest.raises(ContentError, match=r"01-lesson-1\.md: check 'q1', option 2: missing explanation"):
        read_course(course_dir)


def test_an_unknown_practice_technique_is_rejected(course_dir):
    write_lesson(course_dir, "01-lesson-1.md", lesson_meta("lesson-1", 1, practice_techniques=["deep_magic"]))
    with pytest.raises(ContentError, match=r"01-lesson-1\.md: unknown practice technique 'deep_magic'"):
        read_course(course_dir)


@pytest.mark.parametrize(
    "overrides, body, message",
    [
        ({"order": 1}, None, "order 1 is also used by 01-lesson-1.md"),
        ({"slug": "lesson-1"}, None, "slug 'lesson-1' is also used by 01-lesson-1.md"),
        ({"objective": ["typo"]}, None, "unknown front-matter keys objective"),
        ({}, "# A second h1\n\n## Part\n\ntext", "level-1 heading"),
        ({}, "Only an intro, no sections.", "no sections"),
        ({"checks": None}, None, "missing checks"),
    ],
)
def test_other_content_mistakes_are_rejected_naming_the_file(course_dir, overrides, body, message):
    meta = {
        key: value for key, value in {**lesson_meta("lesson-2", 2), **overrides}.items() if value is not None
    }
    write_lesson(course_dir, "02-lesson-2.md", meta, **({"body": body} if body else {}))
    with pytest.raises(ContentError) as error:
        read_course(course_dir)
    assert any(p.startswith("02-lesson-2.md: ") and message in p for p in error.value.problems), (
        error.value.problems
    )


def test_every_problem_is_reported_at_once(course_dir):
    write_lesson(course_dir, "01-lesson-1.md", lesson_meta("lesson-1", 1, objectives=None))
    write_lesson(course_dir, "02-lesson-2.md", lesson_meta("lesson-2", 2, sources=None))
    with pytest.raises(ContentError) as error:
        read_course(course_dir)
    assert len(error.value.problems) == 2


def test_a_missing_course_file_is_rejected(course_dir):
    (course_dir / "course.yaml").unlink()
    with pytest.raises(ContentError, match="course.yaml: missing"):
        read_course(course_dir)


def test_the_real_content_is_valid():
    course = read_course(REAL_CONTENT)
    assert len(course.lessons) == len(list(REAL_CONTENT.glob("*.md")))
    for lesson in course.lessons:
        assert len(lesson.checks) >= 2 and lesson.objectives and lesson.sources, lesson.file_name


# Loading ------------------------------------------------------------------------------


def test_loading_twice_gives_the_same_counts_and_ids(real_content_copy):
    first = lessons_load(path=real_content_copy)
    before = snapshot()
    second = lessons_load(path=real_content_copy)
    assert snapshot() == before
    assert (
        Lesson.objects.count()
        == first.created
        == second.unchanged
        == len(list(real_content_copy.glob("*.md")))
    )
    assert (second.created, second.updated, second.retired) == (0, 0, 0)
    assert Course.objects.count() == 1


def test_the_command_loads_the_real_content_by_default():
    call_command("load_lessons", stdout=None)
    call_command("load_lessons", stdout=None)
    assert Lesson.objects.published().count() == len(list(REAL_CONTENT.glob("*.md")))


def test_editing_a_file_updates_the_same_row_and_keeps_learner_progress(real_content_copy, student):
    lessons_load(path=real_content_copy)
    lesson = Lesson.objects.get(slug="what-are-deepfakes")
    lesson_complete(learner=student, lesson=lesson)
    check_answer_record(learner=student, lesson=lesson, check_id="q1", option_index=0)

    path = real_content_copy / "01-what-are-deepfakes.md"
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"^title: .*$", "title: Deepfakes, defined", text, count=1, flags=re.M)
    text = text.replace("## A working definition", "## A working definition\n\nA NEW PARAGRAPH.", 1)
    path.write_text(text, encoding="utf-8")
    result = lessons_load(path=real_content_copy)

    updated = Lesson.objects.get(slug="what-are-deepfakes")
    assert updated.pk == lesson.pk
    assert updated.title == "Deepfakes, defined"
    assert "A NEW PARAGRAPH." in updated.sections[1]["html"]
    assert (result.created, result.updated) == (0, 1)
    progress = LessonProgress.objects.get(learner=student, lesson=updated)
    assert progress.completed_at is not None
    assert CheckAnswer.objects.get(learner=student, lesson=updated, check_id="q1").correct


def test_a_removed_file_unpublishes_its_lesson_but_keeps_progress_until_it_returns(course_dir, student):
    lessons_load(path=course_dir)
    lesson = Lesson.objects.get(slug="lesson-3")
    lesson_complete(learner=student, lesson=lesson)
    saved = (course_dir / "03-lesson-3.md").read_bytes()
    (course_dir / "03-lesson-3.md").unlink()

    assert lessons_load(path=course_dir).retired == 1
    assert not Lesson.objects.get(pk=lesson.pk).is_published
    assert LessonProgress.objects.filter(learner=student, lesson=lesson).exists()

    (course_dir / "03-lesson-3.md").write_bytes(saved)
    lessons_load(path=course_dir)
    assert Lesson.objects.published().filter(pk=lesson.pk).exists()
    assert LessonProgress.objects.get(learner=student, lesson=lesson).completed_at is not None


def test_swapping_the_order_of_two_lessons_reloads_in_place(course_dir):
    lessons_load(path=course_dir)
    ids = dict(Lesson.objects.values_list("slug", "pk"))
    write_lesson(course_dir, "01-lesson-1.md", lesson_meta("lesson-1", 2))
    write_lesson(course_dir, "02-lesson-2.md", lesson_meta("lesson-2", 1))
    lessons_load(path=course_dir)
    assert list(Lesson.objects.published().values_list("slug", flat=True)) == [
        "lesson-2",
        "lesson-1",
        "lesson-3",
    ]
    assert dict(Lesson.objects.values_list("slug", "pk")) == ids


def test_a_new_lesson_with_the_order_of_a_retired_one_loads(course_dir):
    lessons_load(path=course_dir)
    (course_dir / "03-lesson-3.md").unlink()
    write_lesson(course_dir, "03-replacement.md", lesson_meta("replacement", 3))
    result = lessons_load(path=course_dir)
    assert (result.created, result.retired) == (1, 1)
    assert list(Lesson.objects.published().values_list("slug", flat=True)) == [
        "lesson-1",
        "lesson-2",
        "replacement",
    ]


def test_loaded_lessons_store_rendered_sections_and_checks(loaded):
    lesson = Lesson.objects.get(slug="lesson-1")
    assert [s["title"] for s in lesson.sections] == ["First part", "Second part", "Third part"]
    assert lesson.section_count == 3
    assert lesson.intro_html == "<p>Intro paragraph.</p>"
    assert [c["id"] for c in lesson.checks] == ["q1", "q2"]
    assert lesson.practice_techniques == ["face_swap"]
    assert lesson.source_file == "01-lesson-1.md"


def test_the_demo_content_command_loads_the_lessons():
    call_command("load_demo_content", stdout=None)
    assert Lesson.objects.published().count() == len(list(REAL_CONTENT.glob("*.md")))


def test_write_course_helper_makes_a_valid_course(tmp_path):
    assert len(read_course(write_course(tmp_path / "c", lessons=2)).lessons) == 2
