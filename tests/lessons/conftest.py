"""Fixtures for the lessons tests: small courses written into tmp_path, and the real content."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from lessons.management.commands.load_lessons import default_content_path
from lessons.models import Lesson
from lessons.services import lessons_load

REAL_CONTENT = default_content_path()


def lesson_meta(slug: str, order: int, **overrides) -> dict:
    meta = {
        "slug": slug,
        "title": f"Lesson {order}: {slug}",
        "order": order,
        "summary": f"What lesson {order} is about.",
        "objectives": ["Say what a deepfake is.", "Name two ways they are made."],
        "practice_techniques": ["face_swap"],
        "checks": [
            {
                "id": "q1",
                "question": "Which word goes with 'deep' in 'deepfake'?",
                "options": [
                    {
                        "text": "Fake",
                        "correct": True,
                        "explanation": "EXPLAIN-Q1-RIGHT: deep learning plus fake.",
                    },
                    {"text": "Web", "correct": False, "explanation": "EXPLAIN-Q1-WRONG: not the deep web."},
                ],
            },
            {
                "id": "q2",
                "question": "Is every edited photo a deepfake?",
                "options": [
                    {"text": "Yes", "correct": False, "explanation": "EXPLAIN-Q2-YES: older edits are not."},
                    {
                        "text": "No",
                        "correct": True,
                        "explanation": "EXPLAIN-Q2-NO: deepfakes use machine learning.",
                    },
                    {"text": "Only at night", "correct": False, "explanation": "EXPLAIN-Q2-NIGHT: no."},
                ],
            },
        ],
        "sources": [
            {
                "title": "A source",
                "authors": "Doe, J.",
                "year": 2020,
                "publisher": "Press",
                "url": "https://example.org/source",
            }
        ],
    }
    meta.update(overrides)
    return {key: value for key, value in meta.items() if value is not None}


DEFAULT_BODY = """Intro paragraph.

## First part

One two three four five.

## Second part

Six seven eight.

## Third part

Nine ten.
"""


def write_lesson(folder: Path, file_name: str, meta: dict, body: str = DEFAULT_BODY) -> Path:
    path = folder / file_name
    path.write_text(
        "---\n" + yaml.safe_dump(meta, sort_keys=False, allow_unicode=True) + "---\n" + body, encoding="utf-8"
    )
    return path


def write_course(folder: Path, lessons: int = 3) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "course.yaml").write_text(
        "slug: test-course\ntitle: Test course\nsummary: A course for tests.\n", encoding="utf-8"
    )
    for order in range(1, lessons + 1):
        write_lesson(folder, f"{order:02d}-lesson-{order}.md", lesson_meta(f"lesson-{order}", order))
    return folder


@pytest.fixture
def course_dir(tmp_path) -> Path:
    return write_course(tmp_path / "content")


@pytest.fixture
def loaded(db, course_dir):
    return lessons_load(path=course_dir)


@pytest.fixture
def lesson(loaded) -> Lesson:
    return Lesson.objects.get(slug="lesson-2")


@pytest.fixture
def real_content_copy(tmp_path) -> Path:
    return Path(shutil.copytree(REAL_CONTENT, tmp_path / "real-content"))
