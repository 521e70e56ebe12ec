"""``manage.py load_demo_class``: a demo class for the demo teacher with the demo student in it.

Idempotent: the class is found by its name and owner; work is assigned once.
"""

from datetime import timedelta

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from classroom import services
from classroom.forms import assignable_quizzes
from classroom.models import Assignment, Classroom, Membership
from lessons.models import Lesson

DEMO_CLASS = "Demo class"
TEACHER = "teacher@example.com"
STUDENT = "student@example.com"


class Command(BaseCommand):
    help = "Create the demo class with the demo student and some assigned work (safe to run again)."

    @transaction.atomic
    def handle(self, *args, **options):
        teacher = User.objects.filter(email=TEACHER).first()
        if teacher is None:
            self.stdout.write("No demo teacher; run load_demo_content first.")
            return
        classroom = Classroom.objects.owned_by(teacher).filter(name=DEMO_CLASS).first()
        if classroom is None:
            classroom = services.classroom_create(owner=teacher, name=DEMO_CLASS)
        student = User.objects.filter(email=STUDENT).first()
        if student is not None:
            Membership.objects.get_or_create(classroom=classroom, student=student)
        if not Assignment.objects.filter(classroom=classroom).exists():
            now = timezone.now()
            lesson = Lesson.objects.published().order_by("course_id", "order").first()
            if lesson is not None:
                services.assignment_create(classroom=classroom, created_by=teacher, lesson=lesson,
                                           opens_at=now, due_at=now + timedelta(days=7))
            quiz = assignable_quizzes(teacher).first()
            if quiz is not None:
                services.assignment_create(classroom=classroom, created_by=teacher, quiz=quiz,
                                           opens_at=now, due_at=now + timedelta(days=14))
        self.stdout.write(f"Demo class: {classroom.name}, join code {classroom.join_code}")
