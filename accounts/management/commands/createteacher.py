"""``manage.py createteacher EMAIL``: grant the teacher role, creating the account if needed."""

import secrets

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email

from accounts.services import user_ensure


class Command(BaseCommand):
    help = "Make the account with this e-mail a teacher (creates it with a prompt-free random password if missing)."

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("--password", help="Password for a new account (default: a random one, printed).")

    def handle(self, *args, email, password=None, **options):
        email = email.strip().lower()
        try:
            validate_email(email)
        except ValidationError:
            raise CommandError(f"'{email}' is not a valid e-mail address.")
        password = password or secrets.token_urlsafe(12)
        _, created = user_ensure(email=email, password=password, teacher=True)
        if created:
            self.stdout.write(f"Created {email} with password {password}")
        self.stdout.write(self.style.SUCCESS(f"{email} is now a teacher."))
