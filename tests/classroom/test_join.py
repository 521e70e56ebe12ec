"""Join codes and links: unambiguous, unique, regenerable, idempotent, and refusals in words."""

import pytest
from django.db import IntegrityError
from django.urls import reverse

from classroom import services
from classroom.models import JOIN_ALPHABET, JOIN_CODE_LENGTH, Classroom, Membership, new_join_code
from tests.factories import UserFactory


@pytest.fixture
def owner(db):
    return UserFactory(teacher=True)


@pytest.fixture
def classroom(owner):
    return services.classroom_create(owner=owner, name="Media 10B")


def test_join_codes_use_only_unambiguous_characters():
    assert not set("0O1IL") & set(JOIN_ALPHABET)
    for _ in range(500):
        code = new_join_code()
        assert len(code) == JOIN_CODE_LENGTH and set(code) <= set(JOIN_ALPHABET)


def test_join_codes_are_unique_in_the_database(owner, classroom):
    codes = {services.classroom_create(owner=owner, name=f"C{i}").join_code for i in range(30)}
    assert len(codes) == 30 and classroom.join_code not in codes
    with pytest.raises(IntegrityError):
        Classroom.objects.create(name="Clash", join_code=classroom.join_code)


def test_regenerating_the_code_invalidates_the_old_one(classroom, student):
    old = classroom.join_code
    services.join_code_regenerate(classroom=classroom)
    assert classroom.join_code != old
    with pytest.raises(services.Refused, match="No class has the code"):
        services.membership_join(student=student, code=old)
    membership, created = services.membership_join(student=student, code=classroom.join_code.lower())
    assert created and membership.classroom == classroom


def test_regenerating_the_link_invalidates_the_old_one(client, classroom, student):
    old = classroom.join_token
    services.join_link_regenerate(classroom=classroom)
    client.force_login(student)
    response = client.post(reverse("classroom:join_link", args=[old]))
    assert response.status_code == 404
    assert b"no longer valid" in response.content
    assert not Membership.objects.filter(student=student).exists()
    response = client.post(reverse("classroom:join_link", args=[classroom.join_token]))
    assert response.status_code == 302 and Membership.objects.filter(student=student, classroom=classroom).exists()


def test_join_link_get_asks_before_joining(client, classroom, student):
    client.force_login(student)
    response = client.get(reverse("classroom:join_link", args=[classroom.join_token]))
    assert response.status_code == 200 and b"Join Media 10B" in response.content
    assert not Membership.objects.filter(student=student).exists()


def test_joining_twice_is_idempotent(client, classroom, student):
    client.force_login(student)
    for _ in range(2):
        response = client.post(reverse("classroom:join"), {"code": classroom.join_code}, follow=True)
    assert Membership.objects.filter(student=student, classroom=classroom).count() == 1
    assert b"already in Media 10B" in response.content


def test_a_student_can_be_in_several_classes(owner, student):
    for name in ("A", "B", "C"):
        services.membership_join(student=student, code=services.classroom_create(owner=owner, name=name).join_code)
    assert Classroom.objects.for_student(student).count() == 3


@pytest.mark.parametrize("typed, words", [
    ("ABC", "A class code has 7 characters; you typed 3."),
    ("O0O0O0O", "codes never use 0, O, 1, I or L"),
    ("ABCD-EF9", None),
])
def test_a_bad_code_gets_a_clear_message(client, classroom, student, typed, words):
    client.force_login(student)
    response = client.post(reverse("classroom:join"), {"code": typed})
    assert response.status_code == 422
    html = response.content.decode()
    assert (words or "No class has the code ABCDEF9") in html
    assert 'role="alert"' in html or "field-errors" in html


def test_codes_are_forgiving_about_case_spaces_and_dashes(classroom, student):
    code = classroom.join_code
    typed = f" {code[:3].lower()}-{code[3:]} "
    membership, created = services.membership_join(student=student, code=typed)
    assert created


def test_joining_an_archived_class_is_refused_with_words(client, classroom, student):
    services.classroom_archive(classroom=classroom)
    client.force_login(student)
    response = client.post(reverse("classroom:join"), {"code": classroom.join_code})
    assert response.status_code == 409
    assert "Media 10B has been archived by its teacher, so it cannot be joined." in response.content.decode()
    response = client.post(reverse("classroom:join_link", args=[classroom.join_token]))
    assert response.status_code == 409 and b"archived" in response.content
    assert not Membership.objects.filter(student=student).exists()


def test_the_teacher_cannot_join_their_own_class_as_a_student(classroom, owner):
    with pytest.raises(services.Refused, match="You teach"):
        services.membership_join(student=owner, code=classroom.join_code)


def test_regenerate_code_as_htmx_swaps_the_join_panel(client, classroom, owner):
    client.force_login(owner)
    response = client.post(reverse("classroom:join_code_regenerate", args=[classroom.public_id]),
                           headers={"HX-Request": "true"})
    classroom.refresh_from_db()
    html = response.content.decode()
    assert response.status_code == 200 and 'id="join-panel"' in html and "<h1" not in html
    assert classroom.join_code in html and "old code no longer works" in html


def test_removing_a_student_keeps_their_records_and_lets_them_rejoin(client, classroom, owner, student):
    from lessons.models import Course, Lesson, LessonProgress

    membership, _ = services.membership_join(student=student, code=classroom.join_code)
    course = Course.objects.create(slug="c", title="Course", summary="s")
    lesson = Lesson.objects.create(course=course, slug="l", order=1, title="L", summary="s", body="b",
                                   source_file="l.md", section_count=1)
    progress = LessonProgress.objects.create(learner=student, lesson=lesson)
    client.force_login(owner)
    client.post(reverse("classroom:member_remove", args=[classroom.public_id, membership.public_id]))
    assert not Membership.objects.filter(pk=membership.pk).exists()
    assert LessonProgress.objects.filter(pk=progress.pk, learner=student).exists()  # their own, kept
    _, created = services.membership_join(student=student, code=classroom.join_code)
    assert created


def test_create_rename_and_archive_through_the_pages(client, owner):
    client.force_login(owner)
    response = client.post(reverse("classroom:class_create"), {"name": "Year 9"})
    classroom = Classroom.objects.get(name="Year 9")
    assert response.status_code == 302
    client.post(reverse("classroom:class_edit", args=[classroom.public_id]), {"name": "Year 9 (Tue)"})
    client.post(reverse("classroom:class_archive", args=[classroom.public_id]))
    classroom.refresh_from_db()
    assert classroom.name == "Year 9 (Tue)" and classroom.is_archived
    client.post(reverse("classroom:class_archive", args=[classroom.public_id]), {"archived": "false"})
    classroom.refresh_from_db()
    assert not classroom.is_archived


def test_co_teachers_are_added_by_email_and_the_owner_cannot_be_removed(client, classroom, owner):
    co = UserFactory(teacher=True, email="co@example.com")
    client.force_login(owner)
    client.post(reverse("classroom:coteacher_add", args=[classroom.public_id]), {"email": "CO@example.com"})
    assert Classroom.objects.for_teacher(co).filter(pk=classroom.pk).exists()
    owner_link = classroom.teacher_links.get(user=owner)
    with pytest.raises(services.Refused):
        services.coteacher_remove(link=owner_link)
    with pytest.raises(services.Refused, match="no teacher account"):
        services.coteacher_add(classroom=classroom, email="nobody@example.com")


def test_joining_by_link_reads_the_class_once(client, classroom, student):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(student)
    with CaptureQueriesContext(connection) as queries:
        response = client.post(reverse("classroom:join_link", args=[classroom.join_token]))
    assert response.status_code == 302
    lookups = [q["sql"] for q in queries.captured_queries if '"join_token" =' in q["sql"]]
    assert len(lookups) == 1, lookups


def test_a_co_teacher_the_form_cannot_add_keeps_what_was_typed_with_the_reason_on_the_field(client, classroom, owner):
    """It redirected to an empty form, the reason only in the message area at the top."""
    client.force_login(owner)
    response = client.post(reverse("classroom:coteacher_add", args=[classroom.public_id]),
                           {"email": "nobody@example.com"})
    html = response.content.decode()
    assert response.status_code == 422
    assert 'value="nobody@example.com"' in html and 'aria-invalid="true"' in html
    assert "There is a problem" in html and "no teacher account" in html
    assert "<title>Error: Roster:" in html
    assert client.get(reverse("classroom:roster", args=[classroom.public_id])).status_code == 200
