"""The custom user model and its roles.

Everyone who signs up is a student. A teacher is a user in the ``Teachers``
group (granted by an admin or ``manage.py createteacher``).
"""

from functools import cached_property

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models

TEACHERS_GROUP = "Teachers"


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An e-mail address is required.")
        email = self.normalize_email(email).lower()
        user = self.model(email=email, **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)

    def get_by_natural_key(self, username):
        # Addresses are stored in lower case (``User.save``); people type them as they like. An old
        # account migration 0002 had to leave with capitals (its lower-case form was taken) is
        # matched as typed. Both lookups use the unique index (``iexact`` would scan the table).
        field, typed = self.model.USERNAME_FIELD, (username or "").strip()
        try:
            return self.get(**{field: typed})
        except self.model.DoesNotExist:
            if typed == typed.lower():
                raise
            return self.get(**{field: typed.lower()})

    def teachers(self):
        return self.filter(groups__name=TEACHERS_GROUP)


class User(AbstractUser):
    """A person who uses the app; logs in with an e-mail address."""

    username = None
    email = models.EmailField("e-mail address", unique=True)
    display_name = models.CharField(
        max_length=80, blank=True, help_text="How your name appears to your teachers."
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    class Meta:
        ordering = ["email"]

    def save(self, *args, **kwargs):
        # One account per address, however it was typed (the admin, a command, an import): stored in
        # lower case, as sign-up stores it, so log-in and look-ups can match it case-blind.
        self.email = (self.email or "").strip().lower()
        super().save(*args, **kwargs)

    def __str__(self) -> str:
        return self.display_name or self.email

    @cached_property
    def is_teacher(self) -> bool:
        return self.is_superuser or self.groups.filter(name=TEACHERS_GROUP).exists()

    @property
    def name(self) -> str:
        return self.display_name or self.email.split("@")[0]


def axes_username(request, credentials=None) -> str:
    """The address a log-in attempt was for, as django-axes counts failures (``AXES_USERNAME_CALLABLE``):
    in lower case, so typing it with capitals does not start a fresh count past the lockout."""
    from django.conf import settings

    data = credentials if credentials else getattr(request, "POST", {})
    return (data.get(settings.AXES_USERNAME_FORM_FIELD) or "").strip().lower()
