"""Storage for uploaded originals: files on disk with no URL at all."""

from django.core.files.storage import FileSystemStorage, Storage, storages


class PrivateFileSystemStorage(FileSystemStorage):
    """Originals are never served; asking for a URL is a bug, so it raises."""

    def url(self, name):
        raise ValueError("Originals are private and have no URL.")


class PrivateStorageProxy(Storage):
    """What FileFields hold for originals: every call goes to ``storages["private"]`` as configured now.

    A FileField evaluates a storage callable once, at import; this keeps the
    field following the STORAGES setting (a test's temporary folder, or S3 in
    production) instead of freezing the first instance.
    """

    def __getattribute__(self, name):
        if name.startswith("__") and name.endswith("__"):
            return object.__getattribute__(self, name)
        return getattr(storages["private"], name)


private_storage_proxy = PrivateStorageProxy()
