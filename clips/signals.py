"""Signals clips sends to the apps that build on it (clips depends on nothing above it)."""

from django.dispatch import Signal

# Sent by ``services.clip_update`` after commit when a clip's truth or technique changed;
# arguments: ``clip``. Quiz listens, to rescore the answers already given to the clip.
clip_relabelled = Signal()
