"""``manage.py load_demo_content``: everything ``make run`` needs, idempotently.

Loads the lessons and the demo clip pack when those apps provide them, and makes
sure a demo teacher and a demo student exist, then prints their log-ins.
"""

from django.core.management import call_command, get_commands
from django.core.management.base import BaseCommand

from accounts.services import user_ensure

DEMO_TEACHER = ("teacher@example.com", "teach-demo-2026", "Demo Teacher")
DEMO_STUDENT = ("student@example.com", "learn-demo-2026", "Demo Student")


class Command(BaseCommand):
    help = "Load demo lessons, clips and accounts (safe to run again: nothing is duplicated)."

    def handle(self, *args, **options):
        available = get_commands()
        # Accounts first: the demo quizzes and class belong to the demo teacher.
        user_ensure(email=DEMO_TEACHER[0], password=DEMO_TEACHER[1], display_name=DEMO_TEACHER[2], teacher=True)
        user_ensure(email=DEMO_STUDENT[0], password=DEMO_STUDENT[1], display_name=DEMO_STUDENT[2])
        for name in ("load_lessons", "load_demo", "load_demo_quizzes"):
            if name in available:
                call_command(name, stdout=self.stdout)
        if "load_demo_class" in available:
            call_command("load_demo_class", stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS("Demo accounts (log in at /accounts/login/ on the address make run prints):"))
        self.stdout.write(f"  teacher: {DEMO_TEACHER[0]} / {DEMO_TEACHER[1]}")
        self.stdout.write(f"  student: {DEMO_STUDENT[0]} / {DEMO_STUDENT[1]}")
