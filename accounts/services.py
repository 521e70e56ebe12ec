"""Writes on accounts: sign-up, granting the teacher role, demo accounts."""

from django.contrib.auth.models import Group
from django.db import transaction

from .models import TEACHERS_GROUP, User


def teachers_group() -> Group:
    group, _ = Group.objects.get_or_create(name=TEACHERS_GROUP)
    return group


@transaction.atomic
def user_make_teacher(*, user: User) -> User:
    user.groups.add(teachers_group())
    user.__dict__.pop("is_teacher", None)
    return user


@transaction.atomic
def user_ensure(*, email: str, password: str, display_name: str = "", teacher: bool = False) -> tuple[User, bool]:
    """Create the account if missing (idempotent); returns (user, created)."""
    email = email.strip().lower()
    user = User.objects.filter(email=email).first()
    created = user is None
    if created:
        user = User.objects.create_user(email=email, password=password, display_name=display_name)
    if teacher:
        user_make_teacher(user=user)
    return user, created
