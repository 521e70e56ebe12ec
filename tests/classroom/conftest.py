"""Classes for the classroom tests, built with bulk_create so 200 students take a moment, not minutes.

``build_class`` makes a class with a teacher, students, a quiz of real and fake
clips assigned to it, and (optionally) one finished attempt per student with
answers drawn from a seeded random generator, so every student's d' and bias differ.
Answers bulk-created here bypass ``quiz.services.response_record``, so their
attempts' running scores are rebuilt the way the data migration fills them.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import User
from classroom import services
from classroom.models import Assignment, AssignmentKind, Classroom, Membership
from quiz.services import attempt_scores_rebuild
from clips.models import Clip, Technique, Truth
from quiz.models import Attempt, AttemptItem, Mode, Quiz, QuizItem, Response, Selection
from tests.factories import ClipFactory, UserFactory

FAKE_TECHNIQUES = [Technique.FACE_SWAP, Technique.LIP_SYNC, Technique.DIFFUSION_SYNTHESIS]


def make_clips(n_real: int = 5, n_fake: int = 5, *, files: bool = True) -> list[Clip]:
    if files:
        reals = [ClipFactory() for _ in range(n_real)]
        fakes = [ClipFactory(fake=True, technique=FAKE_TECHNIQUES[i % len(FAKE_TECHNIQUES)]) for i in range(n_fake)]
        return reals + fakes
    clips = [Clip(title=f"Real {i}", alt_text="A scene.", truth=Truth.REAL, media_type="image", status="ready")
             for i in range(n_real)]
    clips += [Clip(title=f"Fake {i}", alt_text="A scene.", truth=Truth.SYNTHETIC, status="ready",
                   media_type="image", technique=FAKE_TECHNIQUES[i % len(FAKE_TECHNIQUES)]) for i in range(n_fake)]
    return Clip.objects.bulk_create(clips)


def make_quiz(*, owner, clips, title="Spot the fake", mode=Mode.ASSESSMENT) -> Quiz:
    quiz = Quiz.objects.create(owner=owner, title=title, mode=mode, selection=Selection.FIXED, is_published=True)
    QuizItem.objects.bulk_create([QuizItem(quiz=quiz, clip=c, position=i) for i, c in enumerate(clips, 1)])
    return quiz


def make_students(n: int, tag: str) -> list[User]:
    return User.objects.bulk_create([
        User(email=f"{tag}-{i:04d}@example.com", display_name=f"Student {tag} {i:04d}", password="!")
        for i in range(n)
    ])


def answer_attempts(*, quiz: Quiz, clips: list[Clip], students: list[User], started_at, rng: random.Random,
                    is_preview: bool = False, skill_of=None, answered: int | None = None,
                    finished: bool = True) -> list[Attempt]:
    """One attempt per student answering the clips (all of them, or the first ``answered``)."""
    attempts = Attempt.objects.bulk_create([
        Attempt(quiz=quiz, learner=s, is_preview=is_preview, started_at=started_at, mode=quiz.mode,
                finished_at=started_at + timedelta(minutes=20) if finished else None)
        for s in students
    ])
    items = AttemptItem.objects.bulk_create([
        AttemptItem(attempt=a, clip=c, position=i) for a in attempts for i, c in enumerate(clips, 1)
    ])
    limit = len(clips) if answered is None else answered
    responses = []
    for n, item in enumerate(items):
        if (n % len(clips)) >= limit:
            continue
        student_index = n // len(clips)
        skill = skill_of(student_index) if skill_of else 0.5 + (student_index % 7) / 14
        lean = ((student_index % 5) - 2) / 10
        is_fake = item.clip.truth == Truth.SYNTHETIC
        right = rng.random() < skill
        answered_fake = is_fake if right else not is_fake
        if rng.random() < abs(lean):
            answered_fake = lean < 0
        confidence = rng.choice([None, 50, 60, 70, 80, 90, 100]) if n % 3 else rng.randint(50, 100)
        responses.append(Response(item=item, answered_fake=answered_fake, confidence=confidence,
                                  time_ms=rng.randint(500, 9000)))
    Response.objects.bulk_create(responses)
    attempt_scores_rebuild(attempts=[a.pk for a in attempts])
    return attempts


@dataclass
class ClassData:
    classroom: Classroom
    teacher: User
    quiz: Quiz
    clips: list[Clip]
    assignment: Assignment
    students: list[User]
    memberships: list[Membership] = field(default_factory=list)


def build_class(*, n_students: int, teacher: User | None = None, tag: str = "s", answers: bool = True,
                clips: list[Clip] | None = None, seed: int = 7) -> ClassData:
    teacher = teacher or UserFactory(teacher=True)
    classroom = services.classroom_create(owner=teacher, name=f"Class {tag}")
    clips = clips if clips is not None else make_clips(files=False)
    quiz = make_quiz(owner=teacher, clips=clips, title=f"Quiz {tag}")
    opens = timezone.now() - timedelta(days=10)
    assignment = Assignment.objects.create(classroom=classroom, quiz=quiz, opens_at=opens,
                                           due_at=opens + timedelta(days=5), created_by=teacher)
    students = make_students(n_students, tag)
    # Joined before the work began: a class sees only attempts started after the student joined.
    memberships = Membership.objects.bulk_create(
        [Membership(classroom=classroom, student=s, joined_at=opens - timedelta(days=1)) for s in students])
    if answers:
        answer_attempts(quiz=quiz, clips=clips, students=students, started_at=opens + timedelta(days=1),
                        rng=random.Random(seed))
    return ClassData(classroom, teacher, quiz, clips, assignment, students, memberships)


def add_prepost(data: ClassData, *, pre_skill=None, post_skill=None, post_lean_shift: float = 0.0,
                seed: int = 11) -> tuple[Assignment, Assignment]:
    """A pre-test (the class's assignment becomes the pre) and a post-test of the same quiz."""
    pre = data.assignment
    pre.kind = AssignmentKind.PRE
    pre.save()
    opens = pre.opens_at + timedelta(days=7)
    post = Assignment.objects.create(classroom=data.classroom, quiz=data.quiz, kind=AssignmentKind.POST, pre=pre,
                                     opens_at=opens, created_by=data.teacher)
    answer_attempts(quiz=data.quiz, clips=data.clips, students=data.students, started_at=opens + timedelta(hours=1),
                    rng=random.Random(seed), skill_of=post_skill)
    return pre, post


@pytest.fixture
def small_class(db):
    return build_class(n_students=5, tag="small")
