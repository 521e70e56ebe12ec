"""lessons.rendering: Markdown to sanitized HTML, sections and reading time."""

import pytest

from lessons.rendering import markdown_to_html, reading_minutes, render_body, sanitize_html


def test_script_tags_are_removed_with_their_content():
    html = markdown_to_html("Hello\n\n<script>alert('x')</script>\n\nText <script src='/evil.js'></script>")
    assert "<script" not in html
    assert "alert" not in html
    assert "Hello" in html and "Text" in html


@pytest.mark.parametrize("markup", [
    '<p onclick="alert(1)">Hi</p>',
    '<a href="/learn/" onmouseover="alert(1)">Hi</a>',
    '<img src="x" onerror="alert(1)">',
    '<h2 id="section-x" onfocus="alert(1)" tabindex="0">Hi</h2>',
    '<svg onload="alert(1)"></svg>',
])
def test_event_handlers_are_removed(markup):
    html = markdown_to_html(f"Before\n\n{markup}\n\nAfter")
    assert "alert" not in html
    assert "onclick" not in html and "onerror" not in html and "onload" not in html


@pytest.mark.parametrize("markdown_text", [
    "[click](javascript:alert(1))",
    '<a href="javascript:alert(1)">click</a>',
    '<a href="JaVaScRiPt:alert(1)">click</a>',
    '<a href="jav&#x09;ascript:alert(1)">click</a>',
    '<a href=" javascript:alert(1)">click</a>',
    '<a href="data:text/html,<script>alert(1)</script>">click</a>',
    "[click](vbscript:msgbox)",
])
def test_javascript_and_other_unsafe_urls_are_removed(markdown_text):
    html = markdown_to_html(markdown_text)
    assert "click" in html
    assert "javascript" not in html.lower()
    assert "data:" not in html and "vbscript" not in html


def test_http_https_and_relative_links_are_kept_with_rel_noopener():
    html = markdown_to_html(
        "[a](https://example.org/a) [b](http://example.org/b) [c](/learn/) [d](#section-x)"
    )
    for href in ("https://example.org/a", "http://example.org/b", "/learn/", "#section-x"):
        assert f'href="{href}"' in html
    assert html.count('rel="noopener noreferrer"') == 4


def test_style_attributes_style_tags_and_iframes_are_removed():
    html = markdown_to_html(
        '<p style="position:fixed">Hi</p>\n\n<style>body{display:none}</style>\n\n'
        '<iframe src="https://example.org"></iframe>\n\n| a | b |\n|:--|--:|\n| 1 | 2 |'
    )
    assert "style" not in html
    assert "display:none" not in html
    assert "<iframe" not in html
    assert "<table>" in html and "<th>" in html


def test_allowed_markup_survives():
    html = markdown_to_html(
        "## Part\n\n*em* **strong** `code`\n\n```\npre\n```\n\n> quote\n\n- item\n\n1. first\n"
    )
    for tag in ("<h2", "<em>", "<strong>", "<code>", "<pre>", "<blockquote>", "<ul>", "<ol>", "<li>"):
        assert tag in html


def test_headings_get_prefixed_ids_and_raw_ids_that_could_clash_with_the_page_are_dropped():
    html = markdown_to_html('## Main\n\n<h2 id="main">Raw</h2>\n\n<p id="sources">x</p>')
    assert 'id="section-main"' in html
    assert 'id="main"' not in html and 'id="sources"' not in html


def test_sanitize_html_alone_removes_forms_and_inputs():
    html = sanitize_html('<form action="/x"><input name="a"><button>Go</button></form><p>ok</p>')
    assert "<form" not in html and "<input" not in html and "<button" not in html
    assert "<p>ok</p>" in html


def test_render_body_splits_at_top_level_h2_only():
    body = render_body("Intro.\n\n> ## Not a section\n\n## One\n\nText one.\n\n## Two & more\n\nText two.\n")
    assert "Intro." in body.intro_html and "Not a section" in body.intro_html
    assert [(s.id, s.title) for s in body.sections] == [
        ("section-one", "One"),
        ("section-two-more", "Two & more"),
    ]
    assert body.sections[0].html.startswith('<h2 id="section-one">') and "Text one." in body.sections[0].html
    assert "Text two." in body.sections[1].html and "Text one." not in body.sections[1].html


def test_render_body_sanitizes_every_section():
    body = render_body("## One\n\n<script>alert(1)</script><a href='javascript:x()' onclick='y()'>z</a>")
    assert "alert" not in body.sections[0].html and "javascript" not in body.sections[0].html
    assert "onclick" not in body.sections[0].html


def test_render_body_flags_a_level_one_heading():
    assert render_body("# Title\n\n## One\n\ntext").has_h1
    assert not render_body("## One\n\ntext").has_h1


def test_word_count_and_reading_time_with_a_floor_of_one_minute():
    body = render_body("## One\n\n" + "word " * 500)
    assert body.word_count == 501
    assert reading_minutes(body.word_count) == 3
    assert reading_minutes(10) == 1
    assert reading_minutes(0) == 1
