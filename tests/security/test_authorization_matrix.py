"""Every URL in the project, requested by everyone who might try it, answers only what they may see.

The URL list is walked from ``get_resolver()``, so a pattern added anywhere
without a row in ``EXPECTED`` fails ``test_every_url_pattern_has_an_expectation``;
its arguments come from a world that holds one of every object (``conftest.World``).
The Django admin's own patterns are checked apart: all of them send an anonymous
visitor to the admin log-in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.converters import IntConverter
from django.urls.resolvers import RegexPattern, RoutePattern

from .conftest import ROLES

OK, LOGIN = "ok", "login"
FORBIDDEN, NOT_FOUND, NOT_ALLOWED = "403", "404", "405"


def _row(**kwargs) -> dict:
    return {role: kwargs.get(role, kwargs.get("others")) for role in ROLES}


PUBLIC = _row(others=OK)
SIGNED_IN = _row(anonymous=LOGIN, others=OK)
TEACHERS = _row(anonymous=LOGIN, student=FORBIDDEN, other_student=FORBIDDEN, others=OK)
# The first teacher's quiz or clip: another teacher gets 404, an admin may edit it.
OWNER_OR_ADMIN = {**TEACHERS, "other_teacher": NOT_FOUND}
# The first teacher's own records (import jobs): nobody else, admins included.
OWNER_ONLY = {**OWNER_OR_ADMIN, "admin": NOT_FOUND}
# Pages of the first teacher's class. Admins are not the class's teachers; they use the Django admin.
CLASS = OWNER_ONLY
# The first student's attempt: everyone else, teachers and admins included, gets 404.
ATTEMPT = _row(anonymous=LOGIN, student=OK, others=NOT_FOUND)
# Leaving the first class: only its student; everyone else is not in it (404).
MEMBER = ATTEMPT


@dataclass(frozen=True)
class Row:
    method: str  # "get", or "post" for views that take POST only (GET must answer 405)
    expected: dict


EXPECTED: dict[str, Row] = {
    # config.urls and accounts
    "landing": Row("get", PUBLIC),
    "home": Row("get", SIGNED_IN),
    "media": Row("get", PUBLIC),  # renditions at random names; originals and exports have no URL
    "accounts:signup": Row("get", PUBLIC),
    "accounts:account_delete": Row("get", SIGNED_IN),
    "accounts:login": Row("get", PUBLIC),
    "accounts:logout": Row("post", PUBLIC),
    "accounts:password_change": Row("get", SIGNED_IN),
    "accounts:password_change_done": Row("get", SIGNED_IN),
    "accounts:password_reset": Row("get", PUBLIC),
    "accounts:password_reset_done": Row("get", PUBLIC),
    "accounts:password_reset_confirm": Row("get", PUBLIC),
    "accounts:password_reset_complete": Row("get", PUBLIC),
    # lessons
    "lessons:overview": Row("get", PUBLIC),
    "lessons:lesson_detail": Row("get", SIGNED_IN),
    "lessons:check_answer": Row("post", SIGNED_IN),
    "lessons:section_read": Row("post", SIGNED_IN),
    "lessons:lesson_complete": Row("post", SIGNED_IN),
    # clips (the clip in the URL is the first teacher's private one)
    "clips:library": Row("get", TEACHERS),
    "clips:upload": Row("get", TEACHERS),
    "clips:import_new": Row("get", TEACHERS),
    "clips:import_detail": Row("get", OWNER_ONLY),
    "clips:detail": Row("get", OWNER_OR_ADMIN),
    "clips:status": Row("get", OWNER_OR_ADMIN),
    "clips:retry": Row("post", OWNER_OR_ADMIN),
    "clips:edit": Row("get", OWNER_OR_ADMIN),
    "clips:delete": Row("get", OWNER_OR_ADMIN),
    "clips:download": Row("get", OWNER_OR_ADMIN),
    # quiz (the quiz is published: any signed-in learner with the link may take it)
    "quiz:quiz_list": Row("get", SIGNED_IN),
    "quiz:practice": Row("get", SIGNED_IN),
    "quiz:guest": Row("get", PUBLIC),
    "quiz:attempt_history": Row("get", SIGNED_IN),
    "quiz:quiz_manage": Row("get", TEACHERS),
    "quiz:quiz_create": Row("get", TEACHERS),
    "quiz:quiz_edit": Row("get", OWNER_OR_ADMIN),
    "quiz:quiz_clips": Row("get", OWNER_OR_ADMIN),
    "quiz:quiz_duplicate": Row("post", OWNER_OR_ADMIN),
    "quiz:quiz_preview": Row("post", OWNER_OR_ADMIN),
    "quiz:quiz_delete": Row("post", OWNER_OR_ADMIN),
    "quiz:attempt_take": Row("get", ATTEMPT),
    "quiz:response_submit": Row("post", ATTEMPT),
    "quiz:attempt_reveal": Row("get", ATTEMPT),
    "quiz:attempt_results": Row("get", ATTEMPT),
    "quiz:quiz_start": Row("get", SIGNED_IN),
    # classroom
    "classroom:class_list": Row("get", TEACHERS),
    "classroom:class_create": Row("get", TEACHERS),
    "classroom:join": Row("get", SIGNED_IN),
    "classroom:join_link": Row("get", SIGNED_IN),
    "classroom:my_work": Row("get", SIGNED_IN),
    "classroom:leave": Row("get", MEMBER),
    "classroom:class_detail": Row("get", CLASS),
    "classroom:class_edit": Row("get", CLASS),
    "classroom:class_archive": Row("post", CLASS),
    "classroom:class_delete": Row("get", CLASS),
    "classroom:roster": Row("get", CLASS),
    "classroom:join_code_regenerate": Row("post", CLASS),
    "classroom:join_link_regenerate": Row("post", CLASS),
    "classroom:student_detail": Row("get", CLASS),
    "classroom:member_remove": Row("post", CLASS),
    "classroom:coteacher_add": Row("post", CLASS),
    "classroom:coteacher_remove": Row("post", CLASS),
    "classroom:assignment_create": Row("get", CLASS),
    "classroom:assignment_edit": Row("get", CLASS),
    "classroom:assignment_delete": Row("post", CLASS),
    "classroom:prepost": Row("get", CLASS),
    "classroom:technique_grid": Row("get", CLASS),
    "classroom:item_analysis": Row("get", CLASS),
    "classroom:export": Row("get", CLASS),
    "classroom:export_detail": Row("get", CLASS),
    "classroom:export_download": Row("get", CLASS),
}

# Integer arguments that are not object ids (a section number inside a lesson).
INT_ARGUMENTS_ALLOWED = {"lessons:section_read": {"number"}}


@dataclass(frozen=True)
class Pattern:
    name: str | None
    route: str
    converters: dict
    is_regex: bool
    namespace: str


def walk(resolver=None, prefix: str = "", namespace: str = "", converters=None):
    """Every URL pattern under the root, with its full name, full route and converters."""
    resolver = resolver or get_resolver()
    converters = converters or {}
    for entry in resolver.url_patterns:
        own = dict(getattr(entry.pattern, "converters", {}))
        if isinstance(entry.pattern, RegexPattern):
            own.update({group: None for group in entry.pattern.regex.groupindex})
        if isinstance(entry, URLResolver):
            child_ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from walk(entry, prefix + str(entry.pattern), child_ns, {**converters, **own})
        elif isinstance(entry, URLPattern):
            yield Pattern(f"{namespace}{entry.name}" if entry.name else None, prefix + str(entry.pattern),
                          {**converters, **own}, isinstance(entry.pattern, RegexPattern), namespace)


def app_patterns() -> list[Pattern]:
    return [p for p in walk() if not p.namespace.startswith("admin:")]


def admin_patterns() -> list[Pattern]:
    return [p for p in walk() if p.namespace.startswith("admin:")]


def test_every_url_pattern_has_an_expectation():
    patterns = app_patterns()
    unnamed = [p.route for p in patterns if p.name is None]
    assert not unnamed, f"URL patterns without a name cannot be in the matrix: {unnamed}"
    names = [p.name for p in patterns]
    missing = sorted(set(names) - set(EXPECTED))
    assert not missing, f"URL patterns with no row in EXPECTED (add who may open them): {missing}"
    stale = sorted(set(EXPECTED) - set(names))
    assert not stale, f"rows in EXPECTED for URL patterns that no longer exist: {stale}"
    assert len(names) == len(set(names)), "two URL patterns share a name"


def test_no_user_facing_url_takes_a_sequential_integer_id():
    for pattern in app_patterns():
        ints = {name for name, conv in pattern.converters.items() if isinstance(conv, IntConverter)}
        assert ints <= INT_ARGUMENTS_ALLOWED.get(pattern.name, set()), (
            f"{pattern.name} ({pattern.route}) takes <int:{'>, <int:'.join(sorted(ints))}>; use an opaque public_id")
        if pattern.is_regex:
            assert not re.search(r"\(\?P<\w+>\\d\+?\)", pattern.route), f"{pattern.name} takes a numeric id"


def test_static_files_and_private_files_have_no_url(client, world, settings):
    from django.urls import Resolver404, resolve

    # Static files are whitenoise's (middleware), not a URL pattern a view could widen.
    with pytest.raises(Resolver404):
        resolve("/static/css/app.css")
    # Originals, import archives and exports live in private storage, which has no URL; guessing
    # their names under /media/ finds nothing.
    for name in (world.import_job.archive.name, world.export_job.file.name, "../private/" + world.export_job.file.name,
                 "originals/0123456789abcdef0123456789abcdef", "renditions/../../" + world.export_job.file.name):
        assert client.get("/media/" + name).status_code == 404, name


def outcome(response, login_prefix: str) -> str:
    code = response.status_code
    if 300 <= code < 400:
        return LOGIN if response["Location"].startswith(login_prefix) else OK
    if 200 <= code < 300:
        hx_redirect = response.get("HX-Redirect", "")
        return LOGIN if hx_redirect.startswith(login_prefix) else OK
    return str(code)


def _drain(response):
    if getattr(response, "streaming", False):
        b"".join(response.streaming_content)
    response.close()


def _cases():
    # Every (URL, role) as a page; the refusals again as htmx requests, since a partial must refuse too.
    for name in sorted(EXPECTED):
        for role in ROLES:
            yield pytest.param(name, role, False, id=f"{name}-{role}")
            if EXPECTED[name].expected[role] != OK:
                yield pytest.param(name, role, True, id=f"{name}-{role}-htmx")


@pytest.mark.parametrize(("name", "role", "htmx"), list(_cases()))
def test_each_role_gets_only_what_it_may_see(client, world, name, role, htmx):
    row = EXPECTED[name]
    pattern = next(p for p in app_patterns() if p.name == name)
    url = reverse(name, kwargs=world.kwargs_for(name, pattern.converters))
    user = world.users[role]
    if user is not None:
        client.force_login(user)
    headers = {"HX-Request": "true"} if htmx else {}
    want = row.expected[role]
    login = reverse("accounts:login")

    if row.method == "post" and want == OK:
        refused = client.get(url, headers=headers)
        assert refused.status_code == 405, f"GET {name} as {role}: {refused.status_code}, wanted 405"
    if row.method == "post":
        response = client.post(url, world.post_data(name), headers=headers)
    else:
        response = client.get(url, headers=headers)
    got = outcome(response, login)
    body = b"" if response.streaming else response.content
    _drain(response)
    assert got == want, f"{row.method.upper()} {url} ({name}) as {role}: {response.status_code} -> {got}, wanted {want}"
    if htmx and want == LOGIN:
        # A fragment must not become the log-in page: htmx is told to load it as a whole page.
        assert response.get("HX-Redirect", "").startswith(login), f"{name} as {role} (htmx): {response.status_code}"
    if want in (FORBIDDEN, NOT_FOUND, LOGIN):
        for secret in world.secrets:
            assert secret.encode() not in body, f"{name} as {role} answered {want} but shows {secret!r}"


def _admin_url(pattern: Pattern) -> str:
    values = {"app_label": "accounts", "model_name": "user", "object_id": "1", "content_type_id": "1",
              "url": "anything/", "uidb64": "x", "token": "y"}
    path = "/" + pattern.route
    path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: values.get(m.group(1), "1"), path)
    path = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: values.get(m.group(1), "1"), path)
    return path.replace("^", "").replace("$", "").replace("\\Z", "")


def test_admin_patterns_are_found():
    names = {p.name for p in admin_patterns()}
    assert {"admin:index", "admin:login", "admin:accounts_user_changelist", "admin:quiz_attempt_change"} <= names


@pytest.mark.parametrize("role", ["anonymous", "student", "teacher"])
def test_every_admin_page_sends_non_staff_to_the_admin_login(client, world, role):
    if world.users[role] is not None:
        client.force_login(world.users[role])
    admin_login = reverse("admin:login")
    checked = 0
    for pattern in admin_patterns():
        if pattern.name in ("admin:login", "admin:logout"):
            continue
        url = _admin_url(pattern)
        response = client.get(url)
        assert response.status_code == 302, f"{pattern.name} {url} as {role}: {response.status_code}"
        assert response["Location"].startswith(admin_login), f"{pattern.name} {url}: {response['Location']}"
        checked += 1
    assert checked > 50


def test_the_admin_login_refuses_a_teacher(client, world):
    teacher = world.users["teacher"]
    response = client.post(reverse("admin:login"), {"username": teacher.email, "password": "a-long-Unusual-passphrase-42"})
    assert response.status_code == 200 and "_auth_user_id" not in client.session


def test_an_admin_reaches_the_admin(client, world):
    client.force_login(world.users["admin"])
    assert client.get(reverse("admin:index")).status_code == 200
    assert client.get(reverse("admin:quiz_attempt_changelist")).status_code == 200
