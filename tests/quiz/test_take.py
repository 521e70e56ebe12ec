"""Taking a quiz: disclosure, drawing (shuffle, siblings, fake share), limits, resume,
guests, the practice URL, both the full page and the htmx partial, spot the tell."""

import random
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from clips.models import Technique, Visibility
from quiz import services
from quiz.models import Attempt, Mode, Response, Selection
from tests.factories import ClipFactory, UserFactory

from .conftest import answer, make_clips, make_quiz, take_url

pytestmark = pytest.mark.django_db


def test_start_page_discloses_synthetic_media_and_scoring(student_client, practice_quiz):
    response = student_client.get(reverse("quiz:quiz_start", args=[practice_quiz.public_id]))
    html = response.content.decode()
    assert response.status_code == 200 and html.count("<h1") == 1
    assert "this quiz contains synthetic media" in html
    assert "How it is scored" in html and "not enough data" in html
    assert 'method="post"' in html


def test_start_creates_the_attempt_with_every_item_frozen(student_client, practice_quiz, student):
    response = student_client.post(reverse("quiz:quiz_start", args=[practice_quiz.public_id]))
    attempt = Attempt.objects.get(learner=student)
    assert response.url == take_url(attempt)
    assert attempt.items.count() == 5
    # Editing the quiz afterwards does not change the attempt.
    services.quiz_set_clips(quiz=practice_quiz, add=[ClipFactory().pk], remove=[])
    assert attempt.items.count() == 5


def test_order_is_shuffled_per_attempt(teacher):
    quiz = make_quiz(owner=teacher, clips=make_clips(10, 10))
    orders = {tuple(services.clips_draw(quiz=quiz, rng=random.Random(seed))) for seed in range(5)}
    assert len(orders) == 5
    first = services.attempt_start(quiz=quiz, learner=UserFactory())
    second = services.attempt_start(quiz=quiz, learner=UserFactory())
    assert list(first.items.values_list("clip_id", flat=True)) != list(second.items.values_list("clip_id", flat=True))


@pytest.mark.parametrize("selection", [Selection.FIXED, Selection.RANDOM])
def test_a_real_clip_and_a_fake_made_from_it_are_never_both_drawn(teacher, selection):
    pairs = []
    for _ in range(6):
        real = ClipFactory()
        pairs.append((real.pk, ClipFactory(fake=True, sibling=real).pk))
    clips = [c for pair in pairs for c in pair]
    quiz = make_quiz(owner=teacher, selection=selection, draw_count=12 if selection == Selection.RANDOM else None)
    if selection == Selection.FIXED:
        services.quiz_set_clips(quiz=quiz, add=clips, remove=[])
    for seed in range(20):
        drawn = set(services.clips_draw(quiz=quiz, rng=random.Random(seed)))
        assert len(drawn) == 6
        for real, fake in pairs:
            assert not {real, fake} <= drawn


def test_random_draw_follows_filters_and_fake_share(teacher):
    make_clips(10, 0)
    make_clips(0, 10)
    ClipFactory.create_batch(5, fake=True, technique=Technique.SPLICE)
    ClipFactory(visibility=Visibility.PRIVATE, owner=UserFactory())  # not visible to this teacher
    quiz = make_quiz(owner=teacher, selection=Selection.RANDOM, draw_count=10, fake_share=30,
                     filters={"techniques": [Technique.SPLICE]})
    drawn = services.clips_draw(quiz=quiz, rng=random.Random(1))
    from clips.models import Clip

    clips = Clip.objects.filter(pk__in=drawn)
    assert len(drawn) == 10
    assert clips.filter(truth="synthetic").count() == 3
    assert set(clips.filter(truth="synthetic").values_list("technique", flat=True)) == {Technique.SPLICE}


def test_attempt_limit_is_enforced(student_client, teacher, student):
    quiz = make_quiz(owner=teacher, clips=make_clips(1, 1), max_attempts=1)
    attempt = services.attempt_start(quiz=quiz, learner=student)
    services.attempt_finish(attempt=attempt)
    response = student_client.post(reverse("quiz:quiz_start", args=[quiz.public_id]))
    assert response.status_code == 409
    assert "used all 1 attempt" in response.content.decode()
    assert Attempt.objects.filter(learner=student).count() == 1


def test_teacher_preview_does_not_use_up_attempts_or_count(teacher_client, teacher):
    quiz = make_quiz(owner=teacher, clips=make_clips(1, 1), max_attempts=1)
    for _ in range(2):
        response = teacher_client.post(reverse("quiz:quiz_preview", args=[quiz.public_id]))
        attempt = Attempt.objects.filter(is_preview=True).latest("started_at")
        assert response.url == take_url(attempt)
        services.attempt_finish(attempt=attempt)
    assert Attempt.objects.counted().count() == 0
    assert "Preview" in teacher_client.get(take_url(attempt), follow=True).content.decode()


def test_reload_and_another_device_resume_at_the_first_unanswered_item(client, practice_quiz, student):
    client.force_login(student)
    client.post(reverse("quiz:quiz_start", args=[practice_quiz.public_id]))
    attempt = Attempt.objects.get()
    client.get(take_url(attempt))
    answer(client, attempt)
    answer(client, attempt)
    other_device = type(client)()
    other_device.force_login(student)
    html = other_device.get(take_url(attempt)).content.decode()
    assert "Item 3 of 5" in html
    assert attempt.items.get(position=3).token in html
    # Starting again resumes the same attempt rather than making a new one.
    response = other_device.post(reverse("quiz:quiz_start", args=[practice_quiz.public_id]))
    assert response.url == take_url(attempt) and Attempt.objects.count() == 1


def test_take_full_page_and_htmx_partial(student_client, practice_quiz, student):
    attempt = services.attempt_start(quiz=practice_quiz, learner=student)
    full = student_client.get(take_url(attempt)).content.decode()
    assert full.count("<h1") == 1 and 'id="quiz-region"' in full and 'aria-live="polite"' in full
    assert "js/quiz.js" in full and "Keyboard shortcuts" in full
    assert "<fieldset" in full and "<legend>How sure are you?</legend>" in full
    for value in (50, 60, 70, 80, 90, 100):
        assert f'name="confidence" value="{value}"' in full
    assert "autoplay" not in full and " style=" not in full and "hx-on" not in full
    part = student_client.get(take_url(attempt), headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in part and "<h1" not in part
    assert 'data-autofocus' in part and "Item 1 of 5" in part
    assert 'hx-post="' in part and 'action="' in part  # works with and without htmx
    assert "Top left" in part and "Bottom right" in part


def test_finished_attempt_take_sends_htmx_to_results_by_client_redirect(student_client, teacher, student):
    quiz = make_quiz(owner=teacher, clips=make_clips(1, 0))
    attempt = services.attempt_start(quiz=quiz, learner=student)
    student_client.get(take_url(attempt))
    answer(student_client, attempt)
    response = student_client.get(take_url(attempt), headers={"HX-Request": "true"})
    assert response["HX-Redirect"].endswith("/results/")


def test_spot_the_tell_by_point_and_by_grid(student_client, teacher, student):
    fakes = [ClipFactory(fake=True, regions=[{"x": 0.6, "y": 0.6, "w": 0.3, "h": 0.3}]) for _ in range(3)]
    quiz = make_quiz(owner=teacher, clips=fakes)
    attempt = services.attempt_start(quiz=quiz, learner=student, rng=random.Random(0))
    student_client.get(take_url(attempt))
    answer(student_client, attempt, point_x="0.7", point_y="0.72")
    student_client.get(take_url(attempt))
    answer(student_client, attempt, cell="0,0")
    student_client.get(take_url(attempt))
    answer(student_client, attempt, cell="2,2")
    found = list(Response.objects.order_by("item__position").values_list("found_tell", flat=True))
    assert found == [True, False, True]
    html = student_client.get(reverse("quiz:attempt_results", args=[attempt.public_id])).content.decode()
    assert "pointed at the actual tell in 2 of 3 fake calls" in html


def test_pointing_at_the_regions_of_a_real_clip_is_no_tell_found(student_client, teacher, student):
    """A real clip that carries regions (its truth corrected after they were drawn) has no manipulation
    to find: the reveal gives no tell verdict, and what the learner pointed at is still kept."""
    real = ClipFactory(regions=[{"x": 0.6, "y": 0.6, "w": 0.3, "h": 0.3}])
    attempt = services.attempt_start(quiz=make_quiz(owner=teacher, clips=[real]), learner=student)
    student_client.get(take_url(attempt))
    html = answer(student_client, attempt, point_x="0.7", point_y="0.7", htmx=True).content.decode()
    stored = Response.objects.get()
    assert stored.found_tell is None and (stored.point_x, stored.point_y) == (0.7, 0.7)
    assert "real tell" not in html and "somewhere else than the tell" not in html


def test_a_point_wins_over_a_grid_cell_sent_with_it(student_client, teacher, student):
    fake = ClipFactory(fake=True, regions=[{"x": 0.6, "y": 0.6, "w": 0.3, "h": 0.3}])
    attempt = services.attempt_start(quiz=make_quiz(owner=teacher, clips=[fake]), learner=student)
    student_client.get(take_url(attempt))
    answer(student_client, attempt, point_x="0.7", point_y="0.7", cell="0,0")
    stored = Response.objects.get()
    assert stored.found_tell is True and stored.grid_cell == ""


def test_an_unreadable_point_is_ignored_not_a_form_the_learner_cannot_fix(student_client, teacher, student):
    """The point travels in hidden fields: a value that is not a number ("nan", from a broken script)
    must not make the visible form fail with an error no learner can correct."""
    fake = ClipFactory(fake=True, regions=[{"x": 0.6, "y": 0.6, "w": 0.3, "h": 0.3}])
    attempt = services.attempt_start(quiz=make_quiz(owner=teacher, clips=[fake]), learner=student)
    student_client.get(take_url(attempt))
    assert answer(student_client, attempt, point_x="nan", point_y="0.5", cell="2,2").status_code == 302
    stored = Response.objects.get()
    assert stored.point_x is None and stored.grid_cell == "2,2" and stored.found_tell is True


def test_a_chosen_cell_and_a_point_survive_a_form_error(student_client, teacher, student):
    fake = ClipFactory(fake=True)
    attempt = services.attempt_start(quiz=make_quiz(owner=teacher, clips=[fake]), learner=student)
    student_client.get(take_url(attempt))
    html = answer(student_client, attempt, confidence="", cell="2,2").content.decode()
    assert 'value="2,2" checked' in html and 'name="cell" value="" checked' not in html
    html = answer(student_client, attempt, confidence="", point_x="0.9", point_y="0.25").content.decode()
    # The marker is drawn where the kept point is, so the learner sees what will be sent.
    assert 'cx="90.0" cy="25.0"' in html


def test_guest_takes_the_public_quiz_and_keeps_it_after_sign_up(client, teacher, password):
    quiz = make_quiz(owner=None, clips=make_clips(1, 1), is_public=True)
    start = client.get(reverse("quiz:guest"))
    assert start.url == reverse("quiz:quiz_start", args=[quiz.public_id])
    assert "synthetic media" in client.get(start.url).content.decode()
    attempt_page = client.post(start.url)
    attempt = Attempt.objects.get()
    assert attempt.learner is None and attempt.guest_key
    for _ in range(2):
        client.get(attempt_page.url)
        answer(client, attempt)
    results = client.get(reverse("quiz:attempt_results", args=[attempt.public_id])).content.decode()
    assert "Sign up to keep these results" in results
    assert f"next=/quiz/attempt/{attempt.public_id}/results/" in results
    # Another browser cannot see it.
    assert type(client)().get(take_url(attempt)).status_code in (302, 404)
    signup = client.post(
        reverse("accounts:signup") + f"?next=/quiz/attempt/{attempt.public_id}/results/",
        {"email": "new.learner@example.com", "display_name": "New", "password1": password, "password2": password},
    )
    assert signup.status_code == 302, signup.content.decode()[:2000]
    attempt.refresh_from_db()
    assert attempt.learner.email == "new.learner@example.com" and attempt.guest_key == ""
    assert client.get(reverse("quiz:attempt_results", args=[attempt.public_id])).status_code == 200


def test_guests_cannot_take_an_assessment_or_unpublished_quiz(client, teacher):
    quiz = make_quiz(owner=teacher, clips=make_clips(1, 1), mode=Mode.ASSESSMENT)
    response = client.get(reverse("quiz:quiz_start", args=[quiz.public_id]))
    assert response.status_code == 302 and "/accounts/login/" in response.url
    assert client.post(reverse("quiz:quiz_start", args=[quiz.public_id])).status_code == 302
    assert not Attempt.objects.exists()
    # The log-in page says why, and its sign-up link comes back to the quiz too.
    login = client.get(response.url).content.decode()
    assert "only public practice quizzes are open without one" in login
    assert f"/accounts/signup/?next=/quiz/{quiz.public_id}/" in login.replace("%2F", "/")


def test_practice_url_leads_to_the_start_page_which_starts_or_resumes_practice(student_client, student):
    ClipFactory.create_batch(4)
    splices = ClipFactory.create_batch(3, fake=True, technique=Technique.SPLICE)
    ClipFactory.create_batch(3, fake=True, technique=Technique.FACE_SWAP)
    ClipFactory(fake=True, technique=Technique.SPLICE, visibility=Visibility.PRIVATE)
    url = reverse("quiz:practice") + "?technique=splice&technique=not-a-technique"
    response = student_client.get(url)
    # Rule 2: the set contains synthetic media and says so before it starts; a GET starts nothing.
    assert not Attempt.objects.exists()
    start = response.url
    assert "this quiz contains synthetic media" in student_client.get(start).content.decode()
    student_client.post(start)
    attempt = Attempt.objects.get(learner=student)
    fakes = set(attempt.items.filter(clip__truth="synthetic").values_list("clip_id", flat=True))
    assert fakes <= {c.pk for c in splices} and fakes
    assert student_client.get(url).url == start
    assert student_client.post(start).url == take_url(attempt)
    assert Attempt.objects.count() == 1


def test_practice_set_without_a_fake_to_draw_refuses_to_start_with_words(student_client, student):
    ClipFactory.create_batch(6)
    ClipFactory(fake=True, technique=Technique.FACE_SWAP, visibility=Visibility.PRIVATE)
    start = student_client.get(reverse("quiz:practice") + "?technique=face_swap").url
    response = student_client.post(start)
    assert response.status_code == 409
    assert "no synthetic clips to draw" in response.content.decode()
    assert not Attempt.objects.exists()


def test_random_draw_gives_each_media_type_the_same_share_of_fakes(teacher):
    """A technique made only in video must not make every image real: the media type would
    give the label away. Real clips come from the media types the fakes have, in proportion."""
    from clips.models import Clip, MediaType

    ClipFactory.create_batch(30)  # real images
    ClipFactory.create_batch(8, media_type=MediaType.VIDEO, mime="video/mp4")
    ClipFactory.create_batch(8, fake=True, technique=Technique.FRAME_TAMPERING, media_type=MediaType.VIDEO,
                             mime="video/mp4")
    ClipFactory.create_batch(5, fake=True, technique=Technique.SPLICE)  # fake images, not this technique
    tampering = make_quiz(owner=teacher, selection=Selection.RANDOM, draw_count=10, fake_share=50,
                          filters={"techniques": [Technique.FRAME_TAMPERING]})
    mixed = make_quiz(owner=teacher, selection=Selection.RANDOM, draw_count=10, fake_share=50)
    for seed in range(20):
        drawn = Clip.objects.filter(pk__in=services.clips_draw(quiz=tampering, rng=random.Random(seed)))
        assert len(drawn) == 10 and set(drawn.values_list("media_type", flat=True)) == {MediaType.VIDEO}
        assert drawn.filter(truth="synthetic").count() == 5
    shares = {MediaType.IMAGE: [0, 0], MediaType.VIDEO: [0, 0]}
    for seed in range(40):
        for clip in Clip.objects.filter(pk__in=services.clips_draw(quiz=mixed, rng=random.Random(seed))):
            shares[clip.media_type][0] += clip.truth == "synthetic"
            shares[clip.media_type][1] += 1
    for media_type, (fakes, total) in shares.items():
        assert 0.4 <= fakes / total <= 0.6, (media_type, fakes, total)


def test_practice_url_needs_log_in(client):
    response = client.get(reverse("quiz:practice"))
    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_quiz_with_no_ready_clips_says_so(student_client, teacher):
    quiz = make_quiz(owner=teacher)
    response = student_client.post(reverse("quiz:quiz_start", args=[quiz.public_id]))
    assert response.status_code == 409 and "no clips ready" in response.content.decode()


def test_unpublished_quiz_of_another_teacher_is_404_for_students(student_client, teacher):
    quiz = make_quiz(owner=teacher, clips=make_clips(1, 1), is_published=False)
    assert student_client.get(reverse("quiz:quiz_start", args=[quiz.public_id])).status_code == 404


@pytest.mark.parametrize("own_answers", [0, 1])
def test_logging_in_mid_guest_attempt_keeps_one_open_attempt_and_loses_no_answer(student, own_answers):
    """The account already has an open attempt at the public quiz; the guest attempt is newer.
    After the claim the guest attempt (the one in use) stays open; the older one is removed
    if it was empty, or ends at its last answer and keeps it."""
    quiz = make_quiz(owner=None, clips=make_clips(2, 2), is_public=True)
    own = services.attempt_start(quiz=quiz, learner=student, now=timezone.now() - timedelta(hours=1))
    if own_answers:
        item = services.attempt_progress(attempt=own).item
        services.response_record(attempt=own, token=item.token, answered_fake=True, confidence=60)
    guest = services.attempt_start(quiz=quiz, guest_key="browser-9")
    item = services.attempt_progress(attempt=guest).item
    services.response_record(attempt=guest, token=item.token, answered_fake=False, confidence=80)

    assert services.attempts_claim_guest(guest_key="browser-9", user=student) == 1
    guest.refresh_from_db()
    assert guest.learner == student and guest.finished_at is None
    assert Attempt.objects.filter(learner=student, quiz=quiz, finished_at__isnull=True).count() == 1
    if own_answers:
        own.refresh_from_db()
        assert own.finished_at is not None and Response.objects.filter(item__attempt=own).count() == 1
    else:
        assert not Attempt.objects.filter(pk=own.pk).exists()
    assert Response.objects.filter(item__attempt__learner=student).count() == 1 + own_answers


def test_claiming_an_older_guest_attempt_leaves_the_accounts_newer_one_open(student):
    quiz = make_quiz(owner=None, clips=make_clips(2, 2), is_public=True)
    guest = services.attempt_start(quiz=quiz, guest_key="browser-7", now=timezone.now() - timedelta(hours=1))
    item = services.attempt_progress(attempt=guest).item
    services.response_record(attempt=guest, token=item.token, answered_fake=True, confidence=70)
    own = services.attempt_start(quiz=quiz, learner=student)
    services.attempts_claim_guest(guest_key="browser-7", user=student)
    guest.refresh_from_db()
    own.refresh_from_db()
    assert own.finished_at is None and guest.learner == student and guest.finished_at is not None
    assert Response.objects.filter(item__attempt=guest).count() == 1


@pytest.mark.parametrize(("share", "fakes_wanted"), [(0, 0), (20, 2), (50, 5), (100, 10)])
def test_random_draw_always_gives_the_count_and_the_share_asked_for(teacher, share, fakes_wanted):
    from clips.models import Clip, MediaType

    for media_type, mime in ((MediaType.IMAGE, "image/webp"), (MediaType.VIDEO, "video/mp4"),
                             (MediaType.AUDIO, "audio/mp4")):
        ClipFactory.create_batch(10, media_type=media_type, mime=mime)
        ClipFactory.create_batch(10, fake=True, media_type=media_type, mime=mime)
    quiz = make_quiz(owner=teacher, selection=Selection.RANDOM, draw_count=10, fake_share=share)
    for seed in range(30):
        drawn = services.clips_draw(quiz=quiz, rng=random.Random(seed))
        assert len(drawn) == len(set(drawn)) == 10
        assert Clip.objects.filter(pk__in=drawn, truth="synthetic").count() == fakes_wanted


def test_random_draw_fills_from_single_kind_media_types_when_the_mixed_ones_run_out(teacher):
    from clips.models import MediaType

    make_clips(2, 2)  # images, both kinds
    ClipFactory.create_batch(10, media_type=MediaType.AUDIO, mime="audio/mp4")  # real audio only
    quiz = make_quiz(owner=teacher, selection=Selection.RANDOM, draw_count=10, fake_share=50)
    assert len(services.clips_draw(quiz=quiz, rng=random.Random(3))) == 10
