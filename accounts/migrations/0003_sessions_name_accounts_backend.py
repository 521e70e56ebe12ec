"""Sessions logged in before ``accounts.backends.ModelBackend`` name Django's ModelBackend, which is
no longer configured: Django would treat them as logged out (without clearing them). Rewritten to
name the new backend, they stay logged in, as before the change. Reversed, they name Django's again.

Sessions are signed and encoded, so each is decoded and encoded again by the session store; one
that cannot be read is left as it is (Django reads it as empty anyway)."""

from django.contrib.auth import BACKEND_SESSION_KEY
from django.db import migrations

OLD = "django.contrib.auth.backends.ModelBackend"
NEW = "accounts.backends.ModelBackend"


def _rename(apps, source: str, target: str) -> None:
    from django.contrib.sessions.backends.db import SessionStore

    Session = apps.get_model("sessions", "Session")
    store = SessionStore()
    for session in Session.objects.all().only("session_key", "session_data").iterator(chunk_size=2000):
        data = store.decode(session.session_data)
        if data.get(BACKEND_SESSION_KEY) == source:
            data[BACKEND_SESSION_KEY] = target
            Session.objects.filter(session_key=session.session_key).update(session_data=store.encode(data))


def forwards(apps, schema_editor):
    _rename(apps, OLD, NEW)


def backwards(apps, schema_editor):
    _rename(apps, NEW, OLD)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_lowercase_emails"), ("sessions", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
