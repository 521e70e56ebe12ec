"""The real course: every page renders, and no internal link or image on it is broken."""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.urls import resolve, reverse

from lessons.links import practice_quiz_url
from lessons.models import Lesson
from lessons.services import lessons_load

from .conftest import REAL_CONTENT

pytestmark = pytest.mark.django_db


class LinkCollector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.urls: list[tuple[str, str]] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.add(attrs["id"])
        for name in ("href", "src"):
            if attrs.get(name) is not None:
                self.urls.append((tag, attrs[name]))


def parse(html: str) -> LinkCollector:
    collector = LinkCollector()
    collector.feed(html)
    collector.close()
    return collector


def is_internal(url: str) -> bool:
    parts = urlsplit(url)
    return not parts.scheme and not parts.netloc


@pytest.fixture
def real_course(db):
    lessons_load(path=REAL_CONTENT)
    return list(Lesson.objects.published().select_related("course"))


def test_every_lesson_and_the_overview_render_with_no_broken_internal_links_or_images(
    student_client, real_course
):
    pages = [reverse("lessons:overview")] + [lesson.get_absolute_url() for lesson in real_course]
    practice_urls = {practice_quiz_url(lesson.practice_techniques) for lesson in real_course}
    checked: dict[str, int] = {}
    for page in pages:
        response = student_client.get(page)
        assert response.status_code == 200, page
        html = response.content.decode()
        assert html.count("<h1") == 1, page
        found = parse(html)
        for tag, url in found.urls:
            if not is_internal(url):
                continue
            if url.startswith("#"):
                assert url[1:] in found.ids, f"{page}: in-page link {url} has no target"
                continue
            target = urlsplit(urljoin(page, url))
            if target.path.startswith("/" + settings.STATIC_URL.lstrip("/")):
                assert finders.find(target.path.removeprefix("/" + settings.STATIC_URL.lstrip("/"))), (
                    f"{page}: missing static file {url} ({tag})"
                )
                continue
            if url in practice_urls:
                # The quiz app owns what practice does (it starts an attempt); the link must route there.
                assert resolve(target.path).view_name == "quiz:practice"
                continue
            address = target.path + (f"?{target.query}" if target.query else "")
            if address not in checked:
                checked[address] = student_client.get(address).status_code
            assert checked[address] == 200, f"{page}: {url} ({tag}) answered {checked[address]}"
    assert set(checked) >= set(pages)


def test_the_overview_lists_every_real_lesson_in_order(client, real_course):
    html = client.get(reverse("lessons:overview")).content.decode()
    positions = [html.index(lesson.get_absolute_url()) for lesson in real_course]
    assert positions == sorted(positions)
    assert len(real_course) == len(list(REAL_CONTENT.glob("*.md")))


def test_every_real_lesson_has_a_toc_reading_time_and_checks(student_client, real_course):
    for lesson in real_course:
        html = student_client.get(lesson.get_absolute_url()).content.decode()
        assert lesson.section_count >= 1 and f"About {lesson.reading_minutes} min read" in html
        assert html.count("<fieldset>") == len(lesson.checks) >= 2
        assert html.count("<cite>") == len(lesson.sources) >= 1
