"""Storage for uploaded originals: files on disk with no URL at all."""

from django.core.files.storage import FileSystemStorage


class PrivateFileSystemStorage(FileSystemStorage):
    """Originals are never served; asking for a URL is a bug, so it raises."""

    def url(self, name):
        raise ValueError("Originals are private and have no URL.")
