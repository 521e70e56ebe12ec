"""File helpers shared by the apps."""

import logging

from django.db import transaction

log = logging.getLogger(__name__)


def save_whole(storage, name: str, content) -> str:
    """``storage.save``, leaving nothing behind when the write fails part-way (a full disk): Django's
    file storage keeps the half-written file, under a name no row will ever hold."""
    name = storage.get_available_name(name)
    try:
        return storage.save(name, content)
    except Exception:
        try:
            if storage.exists(name):
                storage.delete(name)
        except OSError:
            log.warning("could not remove the half-written %s", name, exc_info=True)
        raise


def delete_files(files) -> None:
    """Delete each ``(storage, name)``. One that cannot be deleted (already gone, a storage error)
    is logged and the others still go: these are files the rules say must not stay (an original
    whose consent was withdrawn, a CSV listing a student who left)."""
    for storage, name in files:
        try:
            storage.delete(name)
        except Exception:  # noqa: BLE001 - storages raise their own errors (OSError, botocore's)
            log.warning("could not delete %s", name, exc_info=True)


def delete_files_on_commit(files) -> None:
    """``delete_files`` once the current transaction commits (at once outside one): a rollback brings
    the rows back, and they must still have their files."""
    files = list(files)
    if files:
        transaction.on_commit(lambda: delete_files(files))
