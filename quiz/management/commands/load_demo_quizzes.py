"""``manage.py load_demo_quizzes``: the public practice quiz and a demo assessment, idempotently.

Does nothing (and says so) while there are no public ready clips to draw from.
"""

from django.core.management.base import BaseCommand

from accounts.models import User
from clips.models import Clip, Visibility
from quiz import services
from quiz.models import Mode, Quiz, Selection

PRACTICE_TITLE = "Practice: spot the edit"
ASSESSMENT_TITLE = "Assessment: real or synthetic?"
DEMO_TEACHER = "teacher@example.com"


class Command(BaseCommand):
    help = "Create the public practice quiz and a demo assessment (safe to run again)."

    def handle(self, *args, **options):
        if not Clip.objects.ready().filter(visibility=Visibility.PUBLIC).exists():
            self.stdout.write("No public ready clips yet: no demo quizzes created (load the demo clips first).")
            return
        if Quiz.objects.filter(title=PRACTICE_TITLE, owner__isnull=True).exists():
            self.stdout.write(f"“{PRACTICE_TITLE}” already exists.")
        else:
            services.quiz_create(
                owner=None, title=PRACTICE_TITLE, mode=Mode.PRACTICE, selection=Selection.RANDOM, draw_count=10,
                fake_share=50, is_public=True, is_published=True,
                description="Ten clips from the public library, about half of them edited or generated. "
                            "After each answer you see which it was and where the tells are.",
            )
            self.stdout.write(self.style.SUCCESS(f"Created “{PRACTICE_TITLE}”."))
        teacher = User.objects.filter(email=DEMO_TEACHER).first()
        if teacher is None:
            self.stdout.write(f"No {DEMO_TEACHER} account yet: demo assessment skipped.")
            return
        if Quiz.objects.filter(title=ASSESSMENT_TITLE, owner=teacher).exists():
            self.stdout.write(f"“{ASSESSMENT_TITLE}” already exists.")
            return
        services.quiz_create(
            owner=teacher, title=ASSESSMENT_TITLE, mode=Mode.ASSESSMENT, selection=Selection.RANDOM,
            draw_count=10, fake_share=50, is_published=True, max_attempts=2,
            description="Ten clips; the answers are revealed when you finish.",
        )
        self.stdout.write(self.style.SUCCESS(f"Created “{ASSESSMENT_TITLE}” for {DEMO_TEACHER}."))
