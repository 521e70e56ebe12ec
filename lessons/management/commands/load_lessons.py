"""``manage.py load_lessons [--path DIR]``: load the course files into the database.

Safe to run again: lessons are matched by slug and updated in place, nothing is
duplicated, and learners' progress is kept. Invalid content fails the command and
changes nothing.
"""

from pathlib import Path

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError

from lessons.content import ContentError
from lessons.services import lessons_load


def default_content_path() -> Path:
    return Path(apps.get_app_config("lessons").path) / "content"


class Command(BaseCommand):
    help = "Load the course and its lessons from Markdown files (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--path", type=Path, default=None,
                            help="Folder with course.yaml and the lesson files (default: lessons/content).")

    def handle(self, *args, path=None, **options):
        path = path or default_content_path()
        try:
            result = lessons_load(path=path)
        except ContentError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(self.style.SUCCESS(
            f"Lessons: {result.course.title}: {result.created} created, {result.updated} updated, "
            f"{result.unchanged} unchanged, {result.retired} retired."
        ))
