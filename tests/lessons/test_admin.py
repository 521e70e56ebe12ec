"""Admin: every lessons model is registered; lesson content is read-only there."""

import pytest
from django.contrib import admin
from django.urls import reverse

from accounts.models import User
from lessons.models import CheckAnswer, Course, Lesson, LessonProgress
from lessons.services import check_answer_record

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser(db):
    return User.objects.create_superuser(email="admin@example.com")


def test_every_lessons_model_is_registered():
    for model in (Course, Lesson, LessonProgress, CheckAnswer):
        assert admin.site.is_registered(model)


def test_admin_lists_and_change_pages_render(client, superuser, lesson):
    check_answer_record(learner=superuser, lesson=lesson, check_id="q1", option_index=0)
    client.force_login(superuser)
    for model, obj in (
        (Course, lesson.course),
        (Lesson, lesson),
        (LessonProgress, LessonProgress.objects.get()),
        (CheckAnswer, CheckAnswer.objects.get()),
    ):
        opts = model._meta
        assert client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")).status_code == 200
        assert (
            client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])).status_code
            == 200
        )


def test_lesson_content_cannot_be_edited_added_or_deleted_in_the_admin(client, superuser, lesson):
    client.force_login(superuser)
    change_url = reverse("admin:lessons_lesson_change", args=[lesson.pk])
    html = client.get(change_url).content.decode()
    assert 'name="title"' not in html and 'name="body"' not in html
    client.post(change_url, {"title": "Edited in the admin"})
    assert Lesson.objects.get(pk=lesson.pk).title == lesson.title
    assert client.get(reverse("admin:lessons_lesson_add")).status_code == 403
    assert client.get(reverse("admin:lessons_lesson_delete", args=[lesson.pk])).status_code == 403
