"""The authentication backend: Django's ``ModelBackend``, able to take a user row that a
view has already read with its own query instead of reading it again.

Answering a quiz item is the one request made hundreds of times an attempt. Its view
reads the item, attempt and clip in one hand-written query (``quiz.sql.answer_target``),
which can carry the learner's row as well; loading ``request.user`` then costs a second
query, 0.25 ms of Python for a row the first one already held (``bench/quiz_load.py``).

``user_preloaded`` hands that row to ``get_user`` for the length of a ``with`` block.
Everything else stays Django's: ``django.contrib.auth.get_user`` still checks that the
session names this backend, that the account may log in (``is_active``) and that the
session's password hash matches (a password changed elsewhere logs this session out).
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, SESSION_KEY, get_user_model
from django.contrib.auth.backends import ModelBackend as DjangoModelBackend
from django.core.exceptions import ValidationError

_preloaded: ContextVar = ContextVar("preloaded_user", default=None)


def session_user_id(request):
    """The primary key of the account this session was logged in as, without loading it; None
    for a session with no log-in, or one by a backend no longer configured (which Django reads
    as logged out, as it is). Not proof of who is asking: ``request.user`` checks the account
    and the session's password hash, this does not. For keys that only count (rate limits) and
    for scoping a query whose rows ``request.user`` then confirms."""
    value = request.session.get(SESSION_KEY)
    if value is None or request.session.get(BACKEND_SESSION_KEY) not in settings.AUTHENTICATION_BACKENDS:
        return None
    try:
        return get_user_model()._meta.pk.to_python(value)
    except ValidationError:  # a session written by something else: no log-in to speak of
        return None


@contextmanager
def user_preloaded(user):
    """Within the block, ``get_user`` of this user's primary key returns ``user`` (a full row,
    just read) instead of querying; any other primary key is read as usual."""
    token = _preloaded.set(user)
    try:
        yield
    finally:
        _preloaded.reset(token)


class ModelBackend(DjangoModelBackend):
    def get_user(self, user_id):
        user = _preloaded.get()
        if user is not None and user.pk == user_id:
            return user if self.user_can_authenticate(user) else None
        return super().get_user(user_id)
