"""File helpers shared by the apps."""

import logging

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
