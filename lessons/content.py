"""Reading and validating the course files under ``lessons/content/``.

Reads files and returns plain data or raises ``ContentError`` listing every
problem found, each naming its file (and check). No database here; the loader in
``services.py`` writes what this returns.

The folder holds ``course.yaml`` (``slug``, ``title``, ``summary``) and one Markdown
file per lesson with YAML front matter (see ``LESSON_KEYS``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import frontmatter
import yaml

from clips.models import Technique

from .rendering import RenderedBody, render_body

COURSE_FILE = "course.yaml"
LESSON_KEYS = frozenset({
    "slug", "title", "order", "summary", "objectives", "practice_techniques", "checks", "sources",
})
MIN_CHECKS = 2
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
CHECK_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$")
URL_RE = re.compile(r"^https?://\S+$")


class ContentError(Exception):
    """The content folder cannot be loaded; ``problems`` says why, one line each."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("Lesson content rejected:\n" + "\n".join(f"- {p}" for p in problems))


@dataclass(frozen=True)
class LessonContent:
    file_name: str
    slug: str
    title: str
    order: int
    summary: str
    objectives: list[str]
    practice_techniques: list[str]
    checks: list[dict[str, Any]]
    sources: list[dict[str, Any]]
    body: str
    rendered: RenderedBody


@dataclass(frozen=True)
class CourseContent:
    slug: str
    title: str
    summary: str
    lessons: list[LessonContent]


def _text(value: Any) -> str:
    return " ".join(value.split()) if isinstance(value, str) else ""


def _read_course_file(path: Path, problems: list[str]) -> dict[str, str]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        problems.append(f"{COURSE_FILE}: missing (it gives the course slug, title and summary)")
        return {}
    except yaml.YAMLError as error:
        problems.append(f"{COURSE_FILE}: not valid YAML ({error})")
        return {}
    if not isinstance(data, dict):
        problems.append(f"{COURSE_FILE}: expected slug, title and summary")
        return {}
    course = {key: _text(data.get(key)) for key in ("slug", "title", "summary")}
    for key, value in course.items():
        if not value:
            problems.append(f"{COURSE_FILE}: missing {key}")
    if course["slug"] and not SLUG_RE.match(course["slug"]):
        problems.append(f"{COURSE_FILE}: slug {course['slug']!r} must be lower-case words joined by hyphens")
    return course


def _check_problems(name: str, index: int, check: Any) -> list[str]:
    if not isinstance(check, dict):
        return [f"{name}: check {index} must be a mapping with id, question and options"]
    check_id = str(check.get("id", "")).strip()
    label = f"check {check_id!r}" if check_id else f"check {index}"
    problems = []
    if not CHECK_ID_RE.match(check_id):
        problems.append(f"{name}: {label}: id must be letters, digits, '-' or '_' (e.g. q1)")
    if not _text(check.get("question")):
        problems.append(f"{name}: {label}: missing question")
    options = check.get("options")
    if not isinstance(options, list) or len(options) < 2:
        return [*problems, f"{name}: {label}: needs at least 2 options"]
    correct = 0
    for number, option in enumerate(options, start=1):
        if not isinstance(option, dict):
            problems.append(
                f"{name}: {label}, option {number}: must be a mapping with text, correct, explanation"
            )
            continue
        if not _text(option.get("text")):
            problems.append(f"{name}: {label}, option {number}: missing text")
        if not _text(option.get("explanation")):
            problems.append(f"{name}: {label}, option {number}: missing explanation")
        if not isinstance(option.get("correct", False), bool):
            problems.append(f"{name}: {label}, option {number}: correct must be true or false")
        correct += option.get("correct") is True
    if correct != 1:
        problems.append(f"{name}: {label}: needs exactly one correct option, found {correct}")
    return problems


def _source_problems(name: str, number: int, source: Any) -> list[str]:
    if not isinstance(source, dict) or not _text(source.get("title")):
        return [f"{name}: source {number}: missing title"]
    url = source.get("url")
    if url is not None and not (isinstance(url, str) and URL_RE.match(url)):
        return [f"{name}: source {number}: url must start with http:// or https://"]
    if not (url or _text(source.get("publisher"))):
        return [f"{name}: source {number}: give a url or a publisher so a reader can find it"]
    return []


def _clean_check(check: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": str(check["id"]).strip(),
        "question": _text(check["question"]),
        "options": [
            {
                "text": _text(o["text"]),
                "correct": o.get("correct") is True,
                "explanation": _text(o["explanation"]),
            }
            for o in check["options"]
        ],
    }


def _clean_source(source: dict[str, Any]) -> dict[str, Any]:
    cleaned = {key: _text(source.get(key)) for key in ("title", "authors", "publisher")}
    cleaned["year"] = _text(str(source.get("year") or ""))
    cleaned["url"] = source.get("url") or ""
    return cleaned


def read_lesson(path: Path) -> tuple[LessonContent | None, list[str]]:
    """One lesson file: its content, or the problems that keep it out."""
    name = path.name
    try:
        post = frontmatter.loads(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, ValueError) as error:
        return None, [f"{name}: front matter is not valid YAML ({error})"]
    meta, body = post.metadata, post.content
    problems = []
    unknown = sorted(set(meta) - LESSON_KEYS)
    if unknown:
        problems.append(
            f"{name}: unknown front-matter keys {', '.join(unknown)}"
            f" (allowed: {', '.join(sorted(LESSON_KEYS))})"
        )
    slug = _text(meta.get("slug"))
    if not SLUG_RE.match(slug):
        problems.append(f"{name}: missing or invalid slug (lower-case words joined by hyphens)")
    for key in ("title", "summary"):
        if not _text(meta.get(key)):
            problems.append(f"{name}: missing {key}")
    order = meta.get("order")
    if not isinstance(order, int) or isinstance(order, bool) or order < 1:
        problems.append(f"{name}: missing order (a whole number from 1)")
    objectives = meta.get("objectives")
    if not isinstance(objectives, list) or not objectives or not all(_text(o) for o in objectives):
        problems.append(f"{name}: missing objectives (a list of learning objectives)")
    checks = meta.get("checks")
    if not isinstance(checks, list) or len(checks) < MIN_CHECKS:
        problems.append(f"{name}: missing checks (at least {MIN_CHECKS} knowledge checks)")
        checks = checks if isinstance(checks, list) else []
    for index, check in enumerate(checks, start=1):
        problems += _check_problems(name, index, check)
    check_ids = [str(c.get("id", "")).strip() for c in checks if isinstance(c, dict)]
    for duplicate in sorted({i for i in check_ids if check_ids.count(i) > 1}):
        problems.append(f"{name}: check {duplicate!r}: id used more than once")
    sources = meta.get("sources")
    if not isinstance(sources, list) or not sources:
        problems.append(f"{name}: missing sources (at least one reference a reader can check)")
        sources = []
    for number, source in enumerate(sources, start=1):
        problems += _source_problems(name, number, source)
    techniques = meta.get("practice_techniques") or []
    if not isinstance(techniques, list):
        problems.append(f"{name}: practice_techniques must be a list of technique codes")
        techniques = []
    for technique in techniques:
        if technique not in Technique.values:
            problems.append(
                f"{name}: unknown practice technique {technique!r} (known: {', '.join(Technique.values)})"
            )
    rendered = render_body(body)
    if not body.strip():
        problems.append(f"{name}: the lesson body is empty")
    if body.strip() and not rendered.sections:
        problems.append(f"{name}: the body has no sections; start each one with a '## ' heading")
    if rendered.has_h1:
        problems.append(
            f"{name}: the body has a level-1 heading; the lesson title is the page's only h1,"
            " use ## for sections"
        )
    for section in rendered.sections:
        if not section.id:
            problems.append(
                f"{name}: the heading {section.title!r} has no id:"
                f" write it in Markdown ('## {section.title}')"
            )
    if problems:
        return None, problems
    return LessonContent(
        file_name=name,
        slug=slug,
        title=_text(meta["title"]),
        order=order,
        summary=_text(meta["summary"]),
        objectives=[_text(o) for o in objectives],
        practice_techniques=list(dict.fromkeys(techniques)),
        checks=[_clean_check(c) for c in checks],
        sources=[_clean_source(s) for s in sources],
        body=body,
        rendered=rendered,
    ), []


def read_course(path: Path) -> CourseContent:
    """The whole folder, validated; raises ``ContentError`` naming every bad file."""
    path = Path(path)
    if not path.is_dir():
        raise ContentError([f"{path}: no such content folder"])
    problems: list[str] = []
    course = _read_course_file(path / COURSE_FILE, problems)
    files = sorted(path.glob("*.md"))
    if not files:
        problems.append(f"{path}: no lesson files (*.md)")
    lessons = []
    for file in files:
        lesson, lesson_problems = read_lesson(file)
        problems += lesson_problems
        if lesson:
            lessons.append(lesson)
    for attribute in ("slug", "order"):
        seen: dict[object, str] = {}
        for lesson in lessons:
            value = getattr(lesson, attribute)
            if value in seen:
                problems.append(f"{lesson.file_name}: {attribute} {value!r} is also used by {seen[value]}")
            seen[value] = lesson.file_name
    if problems:
        raise ContentError(problems)
    return CourseContent(lessons=sorted(lessons, key=lambda lesson: lesson.order), **course)
