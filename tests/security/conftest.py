"""A small but complete world for the security tests: every kind of object a URL can name.

Two classes, each with its teacher and one student; a quiz of the first teacher
(with one private clip) assigned to the first class as a pre-test and a
post-test; an attempt of the first class's student with one item answered; a
public practice quiz for guests; a lesson; a dataset import job and a finished
CSV export. ``World.kwargs_for`` fills any URL pattern's arguments from it.
"""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.models import User
from classroom import services as class_services
from classroom.models import Assignment, AssignmentKind, ClassTeacher, ExportJob, ExportStatus, Membership, TeacherRole
from clips.models import ImportJob, Visibility
from clips.services import RENDITION_PREFIX
from lessons.models import Course, Lesson
from quiz import services as quiz_services
from quiz.models import Mode, Selection
from tests.factories import ClipFactory, UserFactory, webp_bytes

PASSWORD = "a-long-Unusual-passphrase-42"
ROLES = ["anonymous", "student", "other_student", "teacher", "other_teacher", "admin"]

LESSON_CHECKS = [{"id": "q1", "question": "Which is older, the camera or the deepfake?",
                  "options": [{"text": "The camera", "correct": True, "explanation": "By far."},
                              {"text": "The deepfake", "correct": False, "explanation": "No."}]}]


def served_media(data: bytes | None = None) -> dict:
    """Rendition, poster and thumbnail stored the way the pipeline stores them: random names, served prefix."""
    data = data or webp_bytes()
    return {field: default_storage.save(f"{RENDITION_PREFIX}/{secrets.token_hex(12)}.webp", ContentFile(data))
            for field in ("rendition", "poster", "thumbnail")}


def make_lesson(slug: str = "what-deepfakes-are") -> Lesson:
    course, _ = Course.objects.get_or_create(slug="seeing-is-not-believing",
                                             defaults={"title": "Seeing is not believing", "summary": "A course."})
    return Lesson.objects.create(
        course=course, slug=slug, order=Lesson.objects.filter(course=course).count() + 1,
        title="What deepfakes are", summary="The basics.", objectives=["Say what a deepfake is."],
        checks=LESSON_CHECKS, body="# What deepfakes are\n\n## One\n\nText.\n\n## Two\n\nMore text.",
        intro_html="<p>Intro.</p>",
        sections=[{"id": "one", "title": "One", "html": "<p>Text.</p>"},
                  {"id": "two", "title": "Two", "html": "<p>More text.</p>"}],
        section_count=2, word_count=40, source_file=f"{slug}.md",
    )


@dataclass
class World:
    users: dict
    classroom: object
    other_classroom: object
    quiz: object
    guest_quiz: object
    private_clip: object
    attempt: object
    answered_token: str
    lesson: object
    import_job: object
    export_job: object
    membership: object
    co_link: object
    post: object
    extra: dict = field(default_factory=dict)

    def kwargs_for(self, name: str, converters) -> dict:
        student = self.users["student"]
        values = {
            "public_id": self.import_job.public_id if name == "clips:import_detail" else self.private_clip.public_id,
            "quiz_id": self.quiz.public_id,
            "attempt_id": self.attempt.public_id,
            "token": {
                "quiz:attempt_reveal": self.answered_token,
                "classroom:join_link": self.classroom.join_token,
                "accounts:password_reset_confirm": default_token_generator.make_token(student),
            }.get(name),
            "uidb64": urlsafe_base64_encode(force_bytes(student.pk)),
            "slug": self.lesson.slug,
            "number": 1,
            "class_id": self.classroom.public_id,
            "member_id": self.membership.public_id,
            "teacher_id": self.co_link.public_id,
            "assignment_id": self.post.public_id,
            "job_id": self.export_job.public_id,
            "path": self.private_clip.rendition.name,
        }
        missing = set(converters) - set(values)
        assert not missing, f"the security world has no object for {sorted(missing)} in {name}: add one"
        return {key: values[key] for key in converters}

    def post_data(self, name: str) -> dict:
        if name == "quiz:response_submit":
            return {"token": quiz_services.attempt_progress(attempt=self.attempt).item.token,
                    "answer": "fake", "confidence": 80}
        return {
            "lessons:check_answer": {"check": "q1", "option": 0},
            # A teacher who may be added: the form then succeeds for whoever may use it.
            "classroom:coteacher_add": {"email": self.users["other_teacher"].email},
            "classroom:join": {"code": self.classroom.join_code},
        }.get(name, {})

    @property
    def secrets(self) -> list[str]:
        """What a refused visitor must never see in the body."""
        return [self.classroom.name, self.users["student"].email, self.private_clip.title,
                self.users["student"].display_name]


def build_world() -> World:
    teacher = UserFactory(teacher=True, email="tess.owner@example.com", display_name="Tess Owner")
    other_teacher = UserFactory(teacher=True, email="otto.other@example.com", display_name="Otto Other")
    co_teacher = UserFactory(teacher=True, email="cora.co@example.com", display_name="Cora Co")
    student = UserFactory(email="sam.student@example.com", display_name="Sam Student-Secret")
    other_student = UserFactory(email="olga.elsewhere@example.com", display_name="Olga Elsewhere")
    admin = User.objects.create_superuser(email="ada.admin@example.com", password=PASSWORD)

    public_real = ClipFactory(title="A harbour at noon")
    public_fake = ClipFactory(fake=True, title="A market square")
    private_clip = ClipFactory(fake=True, owner=teacher, visibility=Visibility.PRIVATE,
                               title="Private scene of the owner 7f3a", **served_media())
    quiz = quiz_services.quiz_create(owner=teacher, title="Year 9 check", mode=Mode.PRACTICE,
                                     selection=Selection.FIXED, is_published=True)
    quiz_services.quiz_set_clips(quiz=quiz, add=[public_real.pk, public_fake.pk, private_clip.pk], remove=[])
    guest_quiz = quiz_services.quiz_create(owner=teacher, title="Try it", mode=Mode.PRACTICE,
                                           selection=Selection.FIXED, is_public=True, is_published=True)
    quiz_services.quiz_set_clips(quiz=guest_quiz, add=[public_real.pk, public_fake.pk], remove=[])

    classroom = class_services.classroom_create(owner=teacher, name="Year 9 media, Tuesday 4411")
    co_link = ClassTeacher.objects.create(classroom=classroom, user=co_teacher, role=TeacherRole.CO_TEACHER)
    membership = Membership.objects.create(classroom=classroom, student=student)
    now = timezone.now()
    pre = Assignment.objects.create(classroom=classroom, quiz=quiz, kind=AssignmentKind.PRE,
                                    opens_at=now - timedelta(days=10), created_by=teacher)
    post = Assignment.objects.create(classroom=classroom, quiz=quiz, kind=AssignmentKind.POST, pre=pre,
                                     opens_at=now - timedelta(days=5), created_by=teacher)
    other_classroom = class_services.classroom_create(owner=other_teacher, name="Another class 9020")
    Membership.objects.create(classroom=other_classroom, student=other_student)

    attempt = quiz_services.attempt_start(quiz=quiz, learner=student, rng=random.Random(3))
    first = quiz_services.attempt_progress(attempt=attempt).item
    quiz_services.response_record(attempt=attempt, token=first.token, answered_fake=True, confidence=70)

    lesson = make_lesson()
    import_job = ImportJob(owner=teacher, fmt=ImportJob.Format.CSV)
    import_job.archive.save("a.zip", ContentFile(b"PK\x05\x06" + b"\0" * 18), save=False)
    import_job.save()
    export_job = ExportJob.objects.create(classroom=classroom, requested_by=teacher, status=ExportStatus.DONE,
                                          total=1, done=1)
    export_job.file.save("e.csv", ContentFile(b"student\n"))

    users = {"anonymous": None, "student": student, "other_student": other_student, "teacher": teacher,
             "other_teacher": other_teacher, "admin": admin}
    return World(users=users, classroom=classroom, other_classroom=other_classroom, quiz=quiz,
                 guest_quiz=guest_quiz, private_clip=private_clip, attempt=attempt, answered_token=first.token,
                 lesson=lesson, import_job=import_job, export_job=export_job, membership=membership,
                 co_link=co_link, post=post, extra={"co_teacher": co_teacher, "pre": pre})


@pytest.fixture
def world(db) -> World:
    return build_world()


