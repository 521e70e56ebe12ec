"""Lesson bodies: Markdown to sanitized HTML, split into sections at the ``##`` headings.

Pure functions, no ORM. Python-Markdown renders (with the toc extension for heading
ids); nh3 then keeps only an allow-list, so raw HTML in a lesson file cannot bring
scripts, event handlers, styles or ``javascript:`` links onto the page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser

import markdown
import nh3
from markdown.extensions.toc import TocExtension, slugify_unicode

# Heading ids are prefixed so that a heading called "Main" or "Sources" cannot take
# an id the page layout already uses; ids without the prefix are dropped.
HEADING_ID_PREFIX = "section-"

ALLOWED_TAGS = frozenset({
    "h2", "h3", "h4", "h5", "h6", "p", "br", "hr",
    "ul", "ol", "li", "em", "strong", "code", "pre", "blockquote", "a",
    "table", "caption", "thead", "tbody", "tfoot", "tr", "th", "td",
})
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    **{f"h{level}": {"id"} for level in range(2, 7)},
    "th": {"scope", "colspan", "rowspan"},
    "td": {"colspan", "rowspan"},
}
URL_SCHEMES = frozenset({"http", "https"})
LINK_REL = "noopener noreferrer"
WORDS_PER_MINUTE = 200

_VOID_TAGS = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
                        "source", "track", "wbr"})


@dataclass(frozen=True)
class Section:
    id: str | None
    title: str
    html: str


@dataclass(frozen=True)
class RenderedBody:
    intro_html: str
    sections: list[Section]
    word_count: int
    has_h1: bool


def _section_slug(value: str, separator: str) -> str:
    return HEADING_ID_PREFIX + slugify_unicode(value, separator)


def _keep_prefixed_ids(tag: str, attribute: str, value: str) -> str | None:
    if attribute == "id" and not value.startswith(HEADING_ID_PREFIX):
        return None
    return value


def sanitize_html(html: str) -> str:
    """Keep only the allow-list; links keep http(s) or relative targets and get rel."""
    return nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
        attribute_filter=_keep_prefixed_ids,
        url_schemes=set(URL_SCHEMES),
        link_rel=LINK_REL,
        strip_comments=True,
    )


def _markdown_to_unsafe_html(text: str) -> str:
    md = markdown.Markdown(
        extensions=[TocExtension(slugify=_section_slug), "tables", "fenced_code", "sane_lists"],
        output_format="html",
    )
    return md.convert(text)


def markdown_to_html(text: str) -> str:
    """Render Markdown (raw HTML included) to HTML that is safe to mark safe."""
    return sanitize_html(_markdown_to_unsafe_html(text))


def reading_minutes(word_count: int) -> int:
    return max(1, round(word_count / WORDS_PER_MINUTE))


class _TopLevelHeadings(HTMLParser):
    """Finds the ``h2`` elements at the top level of a fragment and counts words."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.depth = 0
        self.words = 0
        self.headings: list[tuple[tuple[int, int], str | None, list[str]]] = []
        self._title: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "h2" and self.depth == 0:
            self._title = []
            self.headings.append((self.getpos(), dict(attrs).get("id"), self._title))
        if tag not in _VOID_TAGS:
            self.depth += 1

    def handle_endtag(self, tag):
        if tag in _VOID_TAGS:
            return
        self.depth -= 1
        if tag == "h2" and self.depth == 0:
            self._title = None

    def handle_data(self, data):
        self.words += len(data.split())
        if self._title is not None:
            self._title.append(data)


def _offsets(html: str, positions: list[tuple[int, int]]) -> list[int]:
    """Turn HTMLParser's (line, column) positions into string offsets."""
    line_starts = [0] + [match.end() for match in re.finditer("\n", html)]
    return [line_starts[line - 1] + column for line, column in positions]


def render_body(text: str) -> RenderedBody:
    """Render a lesson body and cut it into the intro and one section per top-level ``##``."""
    unsafe = _markdown_to_unsafe_html(text)
    html = sanitize_html(unsafe)
    parser = _TopLevelHeadings()
    parser.feed(html)
    parser.close()
    cuts = _offsets(html, [position for position, _, _ in parser.headings])
    ends = [*cuts[1:], len(html)] if cuts else []
    bounds = list(zip(cuts, ends, strict=True))
    sections = [
        Section(id=heading_id, title=" ".join("".join(title_parts).split()), html=html[start:end].strip())
        for (start, end), (_, heading_id, title_parts) in zip(bounds, parser.headings, strict=True)
    ]
    return RenderedBody(
        intro_html=html[: cuts[0] if cuts else len(html)].strip(),
        sections=sections,
        word_count=parser.words,
        has_h1=re.search(r"<h1[\s>]", unsafe) is not None,
    )
