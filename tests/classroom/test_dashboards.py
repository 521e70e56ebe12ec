"""Dashboard pages: the same number of queries for 5 and 200 students, and accessible markup."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from classroom.models import ClassTeacher, TeacherRole

from .conftest import add_prepost, build_class

# Whatever the class size. Each page: session, user, teacher role, class with my role in it, then its reads.
BOUNDS = {
    "class_detail": 7,
    "technique_grid": 9,
    "student_detail": 11,
    "item_analysis": 10,
    "prepost": 9,
    "roster": 7,
    "export": 8,
    "class_list": 4,
}


def page_urls(data, post):
    c = data.classroom.public_id
    m = data.memberships[0].public_id
    return {
        "class_detail": reverse("classroom:class_detail", args=[c]),
        "technique_grid": reverse("classroom:technique_grid", args=[c]),
        "student_detail": reverse("classroom:student_detail", args=[c, m]),
        "item_analysis": reverse("classroom:item_analysis", args=[c, data.quiz.public_id]),
        "prepost": reverse("classroom:prepost", args=[c, post.public_id]),
        "roster": reverse("classroom:roster", args=[c]),
        "export": reverse("classroom:export", args=[c]),
        "class_list": reverse("classroom:class_list"),
    }


def measure(client, data, post):
    client.force_login(data.teacher)
    counts = {}
    for name, url in page_urls(data, post).items():
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        assert response.status_code == 200, (name, response.status_code)
        counts[name] = len(ctx.captured_queries)
    return counts


@pytest.mark.django_db
def test_every_dashboard_runs_the_same_queries_for_5_and_for_200_students(client, django_assert_max_num_queries):
    small = build_class(n_students=5, tag="five")
    _, small_post = add_prepost(small)
    large = build_class(n_students=200, tag="twohundred")
    _, large_post = add_prepost(large)
    small_counts = measure(client, small, small_post)
    large_counts = measure(client, large, large_post)
    assert small_counts == large_counts
    print("queries per page:", large_counts)
    for name, url in page_urls(large, large_post).items():
        with django_assert_max_num_queries(BOUNDS[name]):
            client.get(url)


@pytest.mark.django_db
def test_my_work_and_home_run_the_same_queries_for_one_class_and_for_five(client):
    from classroom.models import Membership

    first = build_class(n_students=1, tag="one")
    student = first.students[0]
    client.force_login(student)
    with CaptureQueriesContext(connection) as one:
        assert client.get(reverse("classroom:my_work")).status_code == 200
    for i in range(4):
        other = build_class(n_students=0, tag=f"more{i}", answers=False)
        Membership.objects.create(classroom=other.classroom, student=student)
    with CaptureQueriesContext(connection) as five:
        response = client.get(reverse("classroom:my_work"))
    assert len(one.captured_queries) == len(five.captured_queries) <= 6
    assert response.content.decode().count("<h2") >= 5
    with CaptureQueriesContext(connection) as home:
        assert client.get(reverse("home")).status_code == 200
    assert len(home.captured_queries) <= 7


def assert_accessible(html: str):
    assert html.count("<h1") == 1
    assert not re.search(r"\sstyle=", html), "inline style attributes break the CSP"
    assert "<script>" not in html and " hx-on" not in html
    for table in re.findall(r"<table.*?</table>", html, flags=re.S):
        assert "<caption" in table
        assert '<th scope="col"' in table
    assert not re.search(r"<th(?=[\s>])(?![^>]*scope=)[^>]*>", html), "every th has a scope"


@pytest.mark.django_db
def test_dashboards_have_one_h1_captioned_tables_scoped_headers_and_no_inline_styles(client):
    data = build_class(n_students=8, tag="a11y")
    _, post = add_prepost(data)
    client.force_login(data.teacher)
    for name, url in page_urls(data, post).items():
        assert_accessible(client.get(url).content.decode())


@pytest.mark.django_db
def test_overview_shows_not_enough_data_below_threshold_and_words_beside_colour(client):
    data = build_class(n_students=3, tag="few", answers=False)
    from .conftest import answer_attempts
    import random
    answer_attempts(quiz=data.quiz, clips=data.clips, students=data.students[:1], rng=random.Random(2),
                    started_at=data.assignment.opens_at, answered=3, finished=False)
    client.force_login(data.teacher)
    html = client.get(reverse("classroom:class_detail", args=[data.classroom.public_id])).content.decode()
    assert "not enough data" in html
    grid = client.get(reverse("classroom:technique_grid", args=[data.classroom.public_id])).content.decode()
    # The one student with 3 answers is below the threshold: said in words, with how many it rests on.
    assert "not enough data (n=" in grid


@pytest.mark.django_db
def test_overview_student_table_is_an_htmx_partial_and_paginates(client):
    data = build_class(n_students=30, tag="pages")
    client.force_login(data.teacher)
    url = reverse("classroom:class_detail", args=[data.classroom.public_id])
    full = client.get(url).content.decode()
    assert "Page 1 of 2" in full
    partial = client.get(url + "?page=2", headers={"HX-Request": "true"}).content.decode()
    assert "<h1" not in partial and 'id="student-table"' in partial
    assert "Page 2 of 2" in partial
    # The page turn sums only its own students; what it shows equals the full page's table.
    whole = client.get(url + "?page=2").content.decode()
    table = lambda html: html[html.index('<div id="student-table">'):html.index("</nav>", html.index('<div id="student-table">'))]  # noqa: E731
    assert table(partial) == table(whole)
    assert "Student pages 0029" in partial and "of 1</td>" in partial


@pytest.mark.django_db
def test_co_teacher_sees_the_dashboard_and_owner_only_actions_are_refused_to_them(client):
    data = build_class(n_students=2, tag="co")
    from tests.factories import UserFactory
    co = UserFactory(teacher=True)
    ClassTeacher.objects.create(classroom=data.classroom, user=co, role=TeacherRole.CO_TEACHER)
    client.force_login(co)
    assert client.get(reverse("classroom:class_detail", args=[data.classroom.public_id])).status_code == 200
    assert client.post(reverse("classroom:class_archive", args=[data.classroom.public_id])).status_code == 403


@pytest.mark.django_db
def test_a_class_with_students_and_no_work_set_lists_its_students(client):
    data = build_class(n_students=3, tag="nowork", answers=False)
    data.assignment.delete()
    client.force_login(data.teacher)
    html = client.get(reverse("classroom:class_detail", args=[data.classroom.public_id])).content.decode()
    assert "No students yet" not in html
    for student in data.students:
        assert student.display_name in html
    assert "<dd>3</dd>" in html and "Nothing open yet" in html


@pytest.mark.django_db
def test_the_class_before_and_after_numbers_cover_every_student_not_just_this_page(client):
    """30 students: the table pages at 25, the class's means must not (page 1 said 25 students, page 2 said 5)."""
    from classroom import analytics
    from classroom.models import Membership

    data = build_class(n_students=30, tag="pages")
    pre, post = add_prepost(data, post_skill=lambda i: 0.55 + (i % 5) / 10)
    client.force_login(data.teacher)
    url = reverse("classroom:prepost", args=[data.classroom.public_id, post.public_id])
    sections = []
    for page in (1, 2):
        html = client.get(url, {"page": page}).content.decode()
        section = re.search(r'<section aria-labelledby="class-gain-heading">.*?</section>', html, re.DOTALL)
        sections.append(section.group())
    assert sections[0] == sections[1]
    everyone = analytics.prepost(classroom=data.classroom, assignments=[pre, post], post=post,
                                 memberships=list(Membership.objects.filter(classroom=data.classroom)))
    assert everyone.mean_pre_accuracy.n == 30
    assert f"{everyone.mean_pre_accuracy.value:.1f} %</td><td>30</td>" in sections[0]
    assert f"{everyone.mean_post_accuracy.value:.1f} %</td><td>30</td>" in sections[0]


@pytest.mark.django_db
def test_item_analysis_labels_every_clip_in_words(client):
    """Rule 2: a synthetic clip shown to a teacher carries a visible "Synthetic" label, in the
    most-missed cards and in the table, and a real one says "Real"."""
    data = build_class(n_students=8, tag="labels")
    client.force_login(data.teacher)
    html = client.get(reverse("classroom:item_analysis", args=[data.classroom.public_id,
                                                                data.quiz.public_id])).content.decode()
    rows = {title: row for title, row in re.findall(r'<th scope="row">([^<]+)</th>(.*?)</tr>', html, re.S)}
    cards = {title: card for card, title in
             ((card, re.search(r'class="clip-title">([^<]+)<', card).group(1))
              for card in re.findall(r'<li class="clip-card">(.*?)</li>', html, re.S))}
    assert cards, "the class answered enough for a most-missed list"
    for clip in data.clips:
        badge = 'badge-synthetic">Synthetic<' if clip.truth == "synthetic" else 'badge-real">Real<'
        assert badge in rows[clip.title], clip.title
        if clip.title in cards:
            assert badge in cards[clip.title], clip.title


def _all_right(responses):
    from quiz.models import Response
    from quiz.services import attempt_scores_rebuild

    for response in responses.select_related("item__clip"):
        Response.objects.filter(pk=response.pk).update(answered_fake=response.item.clip.truth == "synthetic")
    attempt_scores_rebuild(attempts=list(responses.values_list("item__attempt_id", flat=True).distinct()))


@pytest.mark.django_db
def test_most_missed_lists_only_clips_someone_got_wrong(client):
    from classroom import analytics
    from quiz.models import Response

    data = build_class(n_students=6, tag="missed")
    _all_right(Response.objects.filter(item__clip__truth="real"))
    report = analytics.item_analysis(classroom=data.classroom, assignments=[data.assignment], quiz=data.quiz)
    assert report.most_missed and all(row.clip.truth == "synthetic" for row in report.most_missed)
    _all_right(Response.objects.all())
    report = analytics.item_analysis(classroom=data.classroom, assignments=[data.assignment], quiz=data.quiz)
    assert report.most_missed == []


@pytest.mark.django_db
def test_a_class_already_at_100_percent_before_is_told_no_gain_was_possible(client):
    from quiz.models import Response

    data = build_class(n_students=6, tag="perfect")
    pre, post = add_prepost(data)
    _all_right(Response.objects.filter(item__attempt__started_at__lt=post.opens_at))
    client.force_login(data.teacher)
    html = client.get(reverse("classroom:prepost", args=[data.classroom.public_id, post.public_id])).content.decode()
    assert "Mean accuracy before</th><td>100.0 %" in html
    assert "none possible: the class was already at 100 % before" in html


@pytest.mark.django_db
def test_students_are_listed_by_the_name_shown_whatever_its_case(client):
    data = build_class(n_students=3, tag="order", answers=False)
    for student, name, email in zip(data.students, ["", "Student so 0002", "alice"],
                                    ["zed@example.com", "b@example.com", "c@example.com"]):
        student.display_name, student.email = name, email
        student.save()
    client.force_login(data.teacher)
    html = client.get(reverse("classroom:roster", args=[data.classroom.public_id])).content.decode()
    shown = [html.index(text) for text in ("alice", "Student so 0002", "zed@example.com")]
    assert shown == sorted(shown)


@pytest.mark.django_db
def test_the_skill_chart_draws_no_bar_from_too_few_answers(client):
    """One wrong answer drew a 0 % bar beside "not enough data" in the table (one right one, 100 %)."""
    import random
    from datetime import timedelta

    from classroom.models import Membership

    from .conftest import answer_attempts

    data = build_class(n_students=1, tag="few", answers=False)
    answer_attempts(quiz=data.quiz, clips=data.clips, students=data.students, answered=1, rng=random.Random(2),
                    started_at=data.assignment.opens_at + timedelta(hours=2))
    member = Membership.objects.get(student=data.students[0])
    client.force_login(data.teacher)
    html = client.get(reverse("classroom:student_detail", args=[data.classroom.public_id,
                                                                 member.public_id])).content.decode()
    chart = html.split('id="timeline-heading"')[1].split("</svg>")[0]
    assert 'class="bar-missing"' in chart and '<rect class="bar"' not in chart
