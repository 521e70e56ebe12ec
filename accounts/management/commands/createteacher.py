"""``manage.py createteacher EMAIL``: grant the teacher role, creating the account if needed."""

import secrets

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email

from accounts.models import User
from accounts.services import user_make_teacher


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
        user = User.objects.filter(email=email).first()
        if user is None:
            password = password or secrets.token_urlsafe(12)
            user = User.objects.create_user(email=email, password=password)
            self.stdout.write(f"Created {email} with password {password}")
        user_make_teacher(user=user)
        self.stdout.write(self.style.SUCCESS(f"{email} is now a teacher."))
