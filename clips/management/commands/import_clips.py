"""``manage.py import_clips PATH --format {dfdc,ffpp,celebdf,csv}``: import a research dataset.

Reports every file as imported, skipped (duplicate) or rejected with the reason.
A second run imports nothing twice. Exits non-zero only when nothing could be read.
"""

from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from clips import importers, services


class Command(BaseCommand):
    help = "Import clips from a DFDC part folder, a FaceForensics++ tree, a Celeb-DF v2 folder or a CSV manifest."

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--format", dest="fmt", required=True, choices=importers.FORMATS)
        parser.add_argument("--dry-run", action="store_true", help="Report what would happen; change nothing.")
        parser.add_argument("--limit", type=int, help="Import at most N files.")
        parser.add_argument("--owner", help="E-mail of the teacher who owns the imported clips.")

    def handle(self, *args, path, fmt, dry_run, limit, owner, **options):
        if limit is not None and limit < 1:
            raise CommandError("--limit must be at least 1.")
        user = None
        if owner:
            user = User.objects.filter(email=owner.strip().lower()).first()
            if user is None:
                raise CommandError(f"No account with the e-mail {owner}.")
        report = services.clips_import_path(path=path, fmt=fmt, owner=user, dry_run=dry_run, limit=limit)
        for warning in report.warnings:
            self.stderr.write(self.style.WARNING(f"warning: {warning}"))
        if report.fatal:
            raise CommandError(f"Nothing could be read: {report.fatal}")
        for line in report.lines:
            reason = f": {line.reason}" if line.reason else ""
            self.stdout.write(f"{line.outcome:9} {line.path}{reason}")
        summary = (f"{report.count('imported')} imported, {report.count('skipped')} skipped, "
                   f"{report.count('rejected')} rejected{' (dry run, nothing changed)' if dry_run else ''}.")
        self.stdout.write(self.style.SUCCESS(summary))
