"""Sign-up, log-in, log-out, password reset and the teacher role."""

import re
from urllib.parse import urlencode

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.test import RequestFactory
from django.urls import reverse

from accounts.decorators import teacher_required
from accounts.models import User

pytestmark = pytest.mark.django_db


def signup(client, email="new.learner@example.com", password="a-long-Unusual-passphrase-42", **extra):
    data = {"email": email, "display_name": "Nia", "password1": password, "password2": password, **extra}
    return client.post(reverse("accounts:signup"), data)


def test_signup_creates_a_student_and_logs_them_in(client):
    response = signup(client)
    assert response.status_code == 302
    user = User.objects.get(email="new.learner@example.com")
    assert not user.is_teacher
    assert client.get(reverse("home")).context["user"] == user


def test_signup_lowercases_the_email(client):
    signup(client, email="Mixed.Case@Example.COM")
    assert User.objects.filter(email="mixed.case@example.com").exists()


@pytest.mark.parametrize(
    ("email", "password", "message"),
    [
        ("sam.student@example.com", "a-long-Unusual-passphrase-42", "already exists"),
        ("SAM.STUDENT@example.com", "a-long-Unusual-passphrase-42", "already exists"),
        ("new@example.com", "password", "too common"),
        ("new@example.com", "12345678901", "entirely numeric"),
        ("new@example.com", "short1!", "too short"),
        ("not-an-address", "a-long-Unusual-passphrase-42", "valid email"),
    ],
)
def test_bad_signup_says_what_is_wrong_and_creates_nothing(client, student, email, password, message):
    before = User.objects.count()
    response = signup(client, email=email, password=password)
    assert response.status_code == 422
    assert message in response.content.decode()
    assert User.objects.count() == before
    assert "_auth_user_id" not in client.session


def test_signup_with_mismatched_passwords_creates_nothing(client):
    response = client.post(reverse("accounts:signup"), {
        "email": "x@example.com", "password1": "a-long-Unusual-passphrase-42", "password2": "different-Passphrase-43",
    })
    assert response.status_code == 422
    assert "didn’t match" in response.content.decode() or "didn't match" in response.content.decode()
    assert not User.objects.filter(email="x@example.com").exists()


def test_login_and_logout(client, student, password):
    response = client.post(reverse("accounts:login"), {"username": student.email, "password": password})
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 302


@pytest.mark.parametrize("typed", [str.title, str.upper, lambda email: f" {email.capitalize()} "])
def test_the_e_mail_address_logs_in_whatever_its_case(client, student, password, typed):
    """Sign-up stores addresses in lower case; people type them as they like (a phone capitalises
    the first letter). "Sam.Student@Example.Com" was refused as a wrong password and counted to the lockout."""
    response = client.post(reverse("accounts:login"), {"username": typed(student.email), "password": password})
    assert response.status_code == 302 and client.session["_auth_user_id"] == str(student.pk)


def test_an_address_typed_with_capitals_elsewhere_is_the_same_account(student, password):
    """The admin and createteacher keep no second, capitalised account beside the first."""
    admin_made = User.objects.create_user(email="Tess.Teacher@School.org", password=password)
    assert admin_made.email == "tess.teacher@school.org"
    admin_made.email = "Tess.Teacher@School.ORG"
    admin_made.save()
    assert User.objects.get(pk=admin_made.pk).email == "tess.teacher@school.org"
    call_command("createteacher", student.email.title())
    assert User.objects.filter(email__iexact=student.email).count() == 1
    assert User.objects.get(pk=student.pk).is_teacher


def test_capitals_do_not_get_round_the_log_in_lockout(client, student, password, settings):
    for typed in (str.lower, str.title, str.upper, str.capitalize, str.swapcase)[:settings.AXES_FAILURE_LIMIT]:
        client.post(reverse("accounts:login"), {"username": typed(student.email), "password": "wrong-password"})
    response = client.post(reverse("accounts:login"), {"username": student.email.title(), "password": password})
    assert response.status_code == 429


def test_login_with_wrong_password_is_refused_with_a_message(client, student):
    response = client.post(reverse("accounts:login"), {"username": student.email, "password": "wrong-password"})
    assert response.status_code == 200
    assert "correct e-mail address and password" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_password_reset_sends_a_link_that_sets_a_new_password(client, student, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:password_reset"), {"email": student.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/]+(/accounts/password/reset/\S+)", mail.outbox[0].body).group(1)
    response = client.get(link, follow=True)
    form_url = response.redirect_chain[-1][0]
    new = "another-Unusual-passphrase-77"
    response = client.post(form_url, {"new_password1": new, "new_password2": new})
    assert response.status_code == 302
    student.refresh_from_db()
    assert student.check_password(new)


def test_password_reset_for_unknown_address_sends_nothing_and_does_not_say_so(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:password_reset"), {"email": "nobody@example.com"})
    assert response.status_code == 302
    assert mail.outbox == []


def test_password_change(client, student, password):
    client.force_login(student)
    new = "changed-Unusual-passphrase-99"
    response = client.post(reverse("accounts:password_change"),
                           {"old_password": password, "new_password1": new, "new_password2": new})
    assert response.status_code == 302
    student.refresh_from_db()
    assert student.check_password(new)


def test_home_sends_anonymous_visitors_to_login(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_teacher_required_gives_students_403_and_anonymous_a_login_redirect(student, teacher):
    view = teacher_required(lambda request: "ok")
    request = RequestFactory().get("/teach/")
    request.user = AnonymousUser()
    assert view(request).status_code == 302
    request.user = student
    with pytest.raises(PermissionDenied):
        view(request)
    request.user = User.objects.get(pk=teacher.pk)
    assert view(request) == "ok"


def test_createteacher_grants_the_role(student):
    call_command("createteacher", student.email)
    assert User.objects.get(pk=student.pk).is_teacher


def test_createteacher_rejects_a_malformed_address():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="not a valid e-mail"):
        call_command("createteacher", "not-an-email")


def test_demo_content_is_idempotent():
    call_command("load_demo_content")
    call_command("load_demo_content")
    assert User.objects.filter(email="teacher@example.com").count() == 1
    assert User.objects.get(email="teacher@example.com").is_teacher
    assert User.objects.filter(email="student@example.com").count() == 1


def test_repeated_wrong_passwords_lock_the_login_for_a_while(client, student, password, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("accounts:login"), {"username": student.email, "password": "wrong-password"})
    response = client.post(reverse("accounts:login"), {"username": student.email, "password": password})
    assert response.status_code == 429
    assert "Too many log-in attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("next_url, lands", [
    ("/lessons/", "/lessons/"),
    ("https://evil.example/steal", "/home/"),
    ("//evil.example/steal", "/home/"),
    ("not-a-path", "/home/"),
])
def test_signup_goes_on_only_to_a_path_on_this_site(client, next_url, lands):
    """An address from a link must not send a new account to another site, nor crash after saving it."""
    password = "a-long-enough-passphrase-2026"
    response = client.post(reverse("accounts:signup") + "?" + urlencode({"next": next_url}), {
        "email": "newcomer@example.com", "display_name": "New", "password1": password, "password2": password})
    assert response.status_code == 302 and response.url == lands
    assert User.objects.filter(email="newcomer@example.com").exists()


def test_the_lockout_says_how_long_in_words_and_a_password_reset_lifts_it(client, student, password, settings,
                                                                           django_capture_on_commit_callbacks):
    """The page said "paused for PT15M" and offered a reset as the way out, which then still met the lockout."""
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("accounts:login"), {"username": student.email, "password": "wrong-password"})
    page = client.post(reverse("accounts:login"), {"username": student.email, "password": password})
    assert page.status_code == 429 and "paused for 15 minutes" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:password_reset"), {"email": student.email})
    link = re.search(r"(/accounts/password/reset/\S+/)", mail.outbox[-1].body).group(1)
    form_url = client.get(link).url
    client.post(form_url, {"new_password1": "another-Unusual-passphrase-77",
                           "new_password2": "another-Unusual-passphrase-77"})
    response = client.post(reverse("accounts:login"), {"username": student.email,
                                                       "password": "another-Unusual-passphrase-77"})
    assert response.status_code == 302


def test_password_reset_requests_are_limited_so_no_inbox_is_flooded(client, student, isolated_ratelimits,
                                                                    django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        statuses = [client.post(reverse("accounts:password_reset"), {"email": student.email}).status_code
                    for _ in range(6)]
    assert statuses[:5] == [302] * 5 and statuses[5] == 429 and len(mail.outbox) == 5


def test_the_sign_up_pages_log_in_link_keeps_the_way_back(client):
    html = client.get(reverse("accounts:signup") + "?next=/learn/").content.decode()
    assert 'href="/accounts/login/?next=/learn/"' in html.replace("%2F", "/")


def test_behind_a_load_balancer_one_persons_wrong_passwords_do_not_lock_out_everyone(client, student, password,
                                                                                    settings):
    """Without django-ipware axes read every log-in as coming from the balancer: five typos from one
    device locked the account for every device. It reads the client's address as the rate limits do."""
    settings.AXES_IPWARE_PROXY_COUNT = 1
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("accounts:login"), {"username": student.email, "password": "wrong-password"},
                    REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.7")
    locked = client.post(reverse("accounts:login"), {"username": student.email, "password": password},
                         REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert locked.status_code == 429
    other_device = client.post(reverse("accounts:login"), {"username": student.email, "password": password},
                               REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert other_device.status_code == 302
