"""Writes on accounts: sign-up, granting the teacher role, demo accounts."""

from django.contrib.auth.models import Group
from django.core.files.storage import storages
from django.db import transaction

from config.files import delete_files_on_commit

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
    user = User.objects.filter(email=email).first()  # stored in lower case (User.save)
    created = user is None
    if created:
        user = User.objects.create_user(email=email, password=password, display_name=display_name)
    if teacher:
        user_make_teacher(user=user)
    return user, created


class AccountDeleteRefused(Exception):
    """Deleting the account would leave something without an owner; ``message`` says what to do."""

    def __init__(self, message: str, *, classes: list):
        super().__init__(message)
        self.message = message
        self.classes = classes


def user_owned_classes(*, user: User) -> list:
    """The classes this user owns. Read through the reverse relation, so accounts imports nothing from classroom."""
    links = user.teaching.filter(role="owner").select_related("classroom").order_by("classroom__name")
    return [link.classroom for link in links]


@transaction.atomic
def user_delete(*, user: User) -> None:
    """Delete the account and, with it, every learning record it has (integrity rule 4).

    The database cascades from the user to quiz attempts (and their items and
    responses), lesson progress, knowledge-check answers, class memberships,
    co-teacher links and dataset import jobs. The export files of the classes the
    user was a student in go too: they list the user's answers. Quizzes and
    clips a teacher made are kept without an owner for the classes that use
    them. The log-in records django-axes keeps under the e-mail address go too.
    A teacher who owns classes is refused: their students' class data would be
    left without a teacher.
    """
    classes = user_owned_classes(user=user)
    if classes:
        names = ", ".join(c.name for c in classes)
        raise AccountDeleteRefused(
            f"You own {len(classes)} class{'es' if len(classes) != 1 else ''} ({names}). Delete each class "
            "(export its results first if you need them), or ask an administrator to hand it to another "
            "teacher, then delete your account.",
            classes=classes,
        )
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    # Imported here, not at the top: classroom imports accounts when it loads, so a module-level
    # import would be circular. Deleting an account is the one place accounts reaches into classroom.
    from classroom.services import exports_expire

    username = user.get_username()
    archives = [job.archive.name for job in user.clip_imports.all() if job.archive]
    classroom_ids = list(user.memberships.values_list("classroom_id", flat=True))
    user.delete()
    # The student's classes keep no CSV that still lists them.
    exports_expire(classroom_ids=classroom_ids)
    for model in (AccessAttempt, AccessFailureLog, AccessLog):
        model.objects.filter(username__iexact=username).delete()
    delete_files_on_commit((storages["private"], name) for name in archives)
