"""The base layout: landmarks, one h1, CSP with nonces, htmx from the package."""

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("name", ["landing", "accounts:login", "accounts:signup", "accounts:password_reset"])
def test_public_pages_have_landmarks_skip_link_and_one_h1(client, name):
    html = client.get(reverse(name)).content.decode()
    assert html.count("<h1") == 1
    assert 'href="#main"' in html and 'id="main"' in html
    assert "<nav" in html and "<header" in html and "<footer" in html and "<main" in html
    assert 'lang="en"' in html


def test_landing_says_what_the_app_is_for_and_who_it_serves(client):
    html = client.get(reverse("landing")).content.decode()
    assert "Students" in html and "Teachers" in html
    assert "real" in html and "synthetic" in html


def test_csp_header_present_and_every_script_carries_its_nonce(client):
    response = client.get(reverse("landing"))
    header = response["Content-Security-Policy"]
    nonce = re.search(r"'nonce-([^']+)'", header).group(1)
    assert "unsafe-inline" not in header.split("script-src")[1].split(";")[0]
    scripts = re.findall(r"<script[^>]*>", response.content.decode())
    assert scripts, "the page should load htmx and app.js"
    for tag in scripts:
        assert f'nonce="{nonce}"' in tag, tag
    assert any("htmx" in tag for tag in scripts)


def test_nonce_changes_between_requests(client):
    first = client.get(reverse("landing"))["Content-Security-Policy"]
    second = client.get(reverse("landing"))["Content-Security-Policy"]
    assert first != second


def test_csrf_token_is_in_hx_headers_on_body(client):
    html = client.get(reverse("landing")).content.decode()
    assert re.search(r"<body[^>]*hx-headers='\{\"X-CSRFToken\": \"[^\"]+\"\}'", html)


def test_navigation_fits_the_role(client, student, teacher):
    client.force_login(student)
    assert "Clip library" not in client.get(reverse("home")).content.decode()
    client.force_login(teacher)
    assert "Clip library" in client.get(reverse("home")).content.decode()


def test_no_template_comment_spans_lines():
    """Django's {# #} comment ends at the end of its line: one that goes on is printed on the page
    (the reveal showed a developer's note to every learner). Longer notes use {% comment %}."""
    from pathlib import Path

    from django.conf import settings

    opened = [f"{path.relative_to(settings.BASE_DIR)}:{n}"
              for path in sorted((Path(settings.BASE_DIR) / "templates").rglob("*.html"))
              for n, line in enumerate(path.read_text().splitlines(), 1)
              if re.search(r"\{#(?!.*#\})", line)]
    assert not opened
