"""Every classroom URL, requested as everyone who might try it, answers only what they may see.

The list of URLs comes from ``classroom.urls``; a URL added there without an entry
in ``EXPECTED`` fails ``test_every_classroom_url_is_in_the_matrix``.
"""

import pytest
from django.core.files.base import ContentFile
from django.urls import URLPattern, reverse

from classroom import urls as classroom_urls
from classroom.models import ClassTeacher, ExportJob, ExportStatus, Membership, TeacherRole
from tests.factories import UserFactory

from .conftest import add_prepost, build_class

ROLES = ["anonymous", "student", "other_student", "other_teacher", "co_teacher", "teacher"]

OK = "ok"  # 200, or a redirect after a successful POST
LOGIN = "login"
FORBIDDEN = 403
NOT_FOUND = 404

TEACHER_PAGE = {"anonymous": LOGIN, "student": FORBIDDEN, "other_student": FORBIDDEN,
                "other_teacher": NOT_FOUND, "co_teacher": OK, "teacher": OK}
OWNER_ONLY = {**TEACHER_PAGE, "co_teacher": FORBIDDEN}
STUDENT_PAGE = {"anonymous": LOGIN, "student": OK, "other_student": OK, "other_teacher": OK,
                "co_teacher": OK, "teacher": OK}

# name: (method, expected per role)
EXPECTED = {
    "class_list": ("get", {**TEACHER_PAGE, "other_teacher": OK}),
    "class_create": ("get", {**TEACHER_PAGE, "other_teacher": OK}),
    "join": ("get", STUDENT_PAGE),
    "join_link": ("get", STUDENT_PAGE),
    "my_work": ("get", STUDENT_PAGE),
    # Only a student of the class may leave it; for anyone else it is not theirs to leave.
    "leave": ("get", {"anonymous": LOGIN, "student": OK, "other_student": NOT_FOUND, "other_teacher": NOT_FOUND,
                      "co_teacher": NOT_FOUND, "teacher": NOT_FOUND}),
    "class_detail": ("get", TEACHER_PAGE),
    "class_edit": ("get", TEACHER_PAGE),
    "class_archive": ("post", OWNER_ONLY),
    "class_delete": ("get", OWNER_ONLY),
    "roster": ("get", TEACHER_PAGE),
    "join_code_regenerate": ("post", TEACHER_PAGE),
    "join_link_regenerate": ("post", TEACHER_PAGE),
    "student_detail": ("get", TEACHER_PAGE),
    "member_remove": ("post", TEACHER_PAGE),
    "coteacher_add": ("post", OWNER_ONLY),
    "coteacher_remove": ("post", OWNER_ONLY),
    "assignment_create": ("get", TEACHER_PAGE),
    "assignment_edit": ("get", TEACHER_PAGE),
    "assignment_delete": ("post", TEACHER_PAGE),
    "prepost": ("get", TEACHER_PAGE),
    "technique_grid": ("get", TEACHER_PAGE),
    "item_analysis": ("get", TEACHER_PAGE),
    "export": ("get", TEACHER_PAGE),
    "export_detail": ("get", TEACHER_PAGE),
    "export_download": ("get", TEACHER_PAGE),
}


def url_names():
    return [p.name for p in classroom_urls.urlpatterns if isinstance(p, URLPattern)]


def test_every_classroom_url_is_in_the_matrix():
    assert sorted(url_names()) == sorted(EXPECTED)


@pytest.fixture
def world(db):
    data = build_class(n_students=3, tag="mine")
    pre, post = add_prepost(data)
    other = build_class(n_students=1, tag="theirs")
    co = UserFactory(teacher=True)
    co_link = ClassTeacher.objects.create(classroom=data.classroom, user=co, role=TeacherRole.CO_TEACHER)
    job = ExportJob.objects.create(classroom=data.classroom, requested_by=data.teacher, status=ExportStatus.DONE,
                                   total=1, done=1)
    job.file.save("e.csv", ContentFile(b"student\n"))
    users = {
        "anonymous": None,
        "student": data.students[0],
        "other_student": other.students[0],
        "other_teacher": other.teacher,
        "co_teacher": co,
        "teacher": data.teacher,
    }
    kwargs = {
        "class_id": data.classroom.public_id,
        "member_id": Membership.objects.get(student=data.students[1]).public_id,
        "teacher_id": co_link.public_id,
        "assignment_id": post.public_id,
        "quiz_id": data.quiz.public_id,
        "job_id": job.public_id,
        "token": data.classroom.join_token,
    }
    return data, users, kwargs


def url_for(name, kwargs):
    pattern = next(p for p in classroom_urls.urlpatterns if p.name == name)
    needed = {k: kwargs[k] for k in pattern.pattern.converters}
    return reverse(f"classroom:{name}", kwargs=needed)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_role_gets_only_what_it_may_see(client, world, name, role):
    data, users, kwargs = world
    method, expected = EXPECTED[name]
    if users[role] is not None:
        client.force_login(users[role])
    url = url_for(name, kwargs)
    # A teacher who may be added: the form then succeeds for whoever may use it.
    data_post = {"email": users["other_teacher"].email} if name == "coteacher_add" else {}
    response = client.post(url, data_post) if method == "post" else client.get(url)
    want = expected[role]
    if want == LOGIN:
        assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))
    elif want == OK:
        assert response.status_code in (200, 302), response.status_code
        if response.status_code == 302:
            assert not response["Location"].startswith(reverse("accounts:login"))
    else:
        assert response.status_code == want
        assert data.classroom.name.encode() not in response.content
        assert data.students[0].email.encode() not in response.content


def test_my_work_shows_only_the_students_own_classes(client, world):
    data, users, _ = world
    client.force_login(users["other_student"])
    html = client.get(reverse("classroom:my_work")).content.decode()
    assert data.classroom.name not in html
    client.force_login(users["student"])
    assert data.classroom.name in client.get(reverse("classroom:my_work")).content.decode()


def test_a_teacher_sees_other_teachers_classes_nowhere_in_their_list(client, world):
    data, users, _ = world
    client.force_login(users["other_teacher"])
    assert data.classroom.name not in client.get(reverse("classroom:class_list")).content.decode()
