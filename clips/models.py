"""The media library: a Clip with its ground truth, tells, provenance and renditions.

A clip's label (real or synthetic) lives only in the database. Everything a
learner can reach before answering (rendition, poster, file names, URLs) is
produced by one policy for all clips, so nothing about the file gives it away.
"""

import re
import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q

# Words that would tell a learner the answer if they appeared in a title or alt text. Bounded by
# anything but a letter, not by \b: a file-style title joins words with "_" and digits ("deepfake_01",
# "IMG_fake", "REAL1"), and \b counts those as part of the word.
LABEL_WORDS = re.compile(
    r"(?<![a-z])(fake[sd]?|real|genuine|authentic|synthetic|deep-?fakes?|manipulated|doctored|edited|tampered|"
    r"generated|ai|(face-?)?swap(ped|s)?|clon(e|ed|es|ing)|forged?|forgery|original|unedited)(?![a-z])",
    re.IGNORECASE,
)


def label_word(text: str | None) -> str | None:
    """The first word of ``text`` that would tell a learner the label (rule 1), if any."""
    match = LABEL_WORDS.search(text or "")
    return match.group(0) if match else None


def new_public_id() -> str:
    return secrets.token_urlsafe(12)


def private_storage():
    from .storage import private_storage_proxy

    return private_storage_proxy


def original_path(instance: "Clip", filename: str) -> str:
    # The original's name is never used: it may carry the label ("fake_03.mp4").
    return f"originals/{secrets.token_hex(16)}"


class MediaType(models.TextChoices):
    IMAGE = "image", "Image"
    VIDEO = "video", "Video"
    AUDIO = "audio", "Audio"


class Truth(models.TextChoices):
    REAL = "real", "Real"
    SYNTHETIC = "synthetic", "Synthetic"


class Technique(models.TextChoices):
    AUTHENTIC = "authentic", "Authentic (no manipulation)"
    FACE_SWAP = "face_swap", "Face swap"
    FACE_REENACTMENT = "face_reenactment", "Face reenactment"
    LIP_SYNC = "lip_sync", "Lip-sync"
    GAN_SYNTHESIS = "gan_synthesis", "GAN synthesis"
    DIFFUSION_SYNTHESIS = "diffusion_synthesis", "Diffusion synthesis"
    VOICE_CLONE = "voice_clone", "Voice clone"
    TEXT_TO_SPEECH = "text_to_speech", "Text-to-speech"
    SPLICE = "splice", "Splice or composite"
    COPY_MOVE = "copy_move", "Copy-move"
    RETOUCH = "retouch", "Retouch or warp"
    RELIGHTING = "relighting", "Relighting"
    TEXT_EDIT = "text_edit", "Text edit"
    FRAME_TAMPERING = "frame_tampering", "Frame tampering"
    OTHER = "other", "Other"


class DigitalSourceType(models.TextChoices):
    """IPTC NewsCodes digital source type (cv.iptc.org/newscodes/digitalsourcetype/)."""

    DIGITAL_CAPTURE = "digitalCapture", "Original digital capture"
    COMPUTATIONAL_CAPTURE = "computationalCapture", "Computational capture"
    NEGATIVE_FILM = "negativeFilm", "Digitised negative film"
    POSITIVE_FILM = "positiveFilm", "Digitised positive film"
    PRINT = "print", "Digitised print"
    HUMAN_EDITS = "humanEdits", "Human-edited media"
    COMPOSITE_CAPTURE = "compositeCapture", "Composite of captured elements"
    ALGORITHMICALLY_ENHANCED = "algorithmicallyEnhanced", "Algorithmically enhanced"
    DATA_DRIVEN_MEDIA = "dataDrivenMedia", "Data-driven media"
    DIGITAL_ART = "digitalArt", "Digital art"
    VIRTUAL_RECORDING = "virtualRecording", "Virtual recording"
    COMPOSITE_SYNTHETIC = "compositeSynthetic", "Composite including synthetic elements"
    TRAINED_ALGORITHMIC_MEDIA = "trainedAlgorithmicMedia", "Trained algorithmic media (generative AI)"
    COMPOSITE_WITH_TRAINED = "compositeWithTrainedAlgorithmicMedia", "Composite with generative AI elements"
    ALGORITHMIC_MEDIA = "algorithmicMedia", "Algorithmic media (not trained)"
    SCREEN_CAPTURE = "screenCapture", "Screen capture"

    @property
    def uri(self) -> str:
        return f"http://cv.iptc.org/newscodes/digitalsourcetype/{self.value}"


class Difficulty(models.IntegerChoices):
    EASY = 1, "Easy"
    MEDIUM = 2, "Medium"
    HARD = 3, "Hard"


class Status(models.TextChoices):
    PENDING = "pending", "Waiting for processing"
    PROCESSING = "processing", "Processing"
    READY = "ready", "Ready"
    FAILED = "failed", "Failed"


class Visibility(models.TextChoices):
    PRIVATE = "private", "Only me"
    CLASSES = "classes", "My classes"
    PUBLIC = "public", "Every teacher"


# Rule 3: a synthetic likeness of a real person may be shown once it has a whole consent record
# (who, obtained by whom, and when) or a research-dataset basis.
SHOWS_REAL_PERSON = Q(truth=Truth.SYNTHETIC, depicts_real_person=True)
HAS_CONSENT_OR_BASIS = ~Q(research_basis="") | (
    ~Q(consent_subject="") & ~Q(consent_obtained_by="") & Q(consent_date__isnull=False)
)


class ClipQuerySet(models.QuerySet):
    def ready(self):
        return self.filter(status=Status.READY, retired=False)

    def publishable(self):
        """Clips that may be shown to learners (rule 3): not a synthetic likeness of a real
        person without a whole consent record or a research basis, whoever owns it and however
        private it is (a teacher's private clip still reaches their students through a quiz)."""
        return self.filter(~SHOWS_REAL_PERSON | HAS_CONSENT_OR_BASIS)

    def visible_to(self, user):
        """Clips a teacher may browse and put in a quiz."""
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self.filter(retired=False)
        return self.filter(Q(owner=user) | Q(visibility__in=[Visibility.PUBLIC]), retired=False)

    def editable_by(self, user):
        """Clips a teacher may change: their own (retired ones too), or any for an admin."""
        return self if user.is_superuser else self.filter(owner=user)

    def viewable_by(self, user):
        """Clips a teacher may open: what they may browse, plus their own retired ones."""
        if user.is_superuser:
            return self
        return self.filter(Q(owner=user) | Q(visibility=Visibility.PUBLIC, retired=False))


class Clip(models.Model):
    public_id = models.CharField(max_length=24, unique=True, default=new_public_id, editable=False)
    title = models.CharField(
        max_length=200, help_text="Shown before the answer: describe the scene, never whether it is real."
    )
    alt_text = models.CharField(
        max_length=400,
        help_text="For screen readers: what is shown or heard, without saying whether it is real.",
    )
    media_type = models.CharField(max_length=10, choices=MediaType, blank=True)
    truth = models.CharField(max_length=10, choices=Truth)
    technique = models.CharField(max_length=30, choices=Technique, default=Technique.AUTHENTIC)
    generator = models.CharField(max_length=200, blank=True, help_text="The tool or model that made the fake.")
    tells = models.TextField(blank=True, help_text="In words: where to look or listen, and what gives it away.")
    regions = models.JSONField(
        default=list, blank=True,
        help_text='Tell regions: [{"x":0.1,"y":0.2,"w":0.3,"h":0.2}] in relative coordinates, '
                  'or [{"start":1.0,"end":2.5}] in seconds.',
    )
    explanation = models.TextField(blank=True, help_text="Shown at the reveal: what was done and why it matters.")
    difficulty = models.PositiveSmallIntegerField(choices=Difficulty, default=Difficulty.MEDIUM)

    # Provenance
    source = models.CharField(max_length=300, blank=True, help_text="Where the original came from.")
    creator = models.CharField(max_length=200, blank=True)
    licence = models.CharField(max_length=120, blank=True)
    source_url = models.URLField(max_length=500, blank=True)
    dataset = models.CharField(max_length=120, blank=True)
    digital_source_type = models.CharField(max_length=60, choices=DigitalSourceType, blank=True)

    # Consent (integrity rule 3)
    depicts_real_person = models.BooleanField(default=False)
    consent_subject = models.CharField(max_length=200, blank=True)
    consent_obtained_by = models.CharField(max_length=200, blank=True)
    consent_date = models.DateField(null=True, blank=True)
    consent_scope = models.TextField(blank=True)
    consent_evidence = models.TextField(blank=True)
    research_basis = models.TextField(blank=True, help_text="The research dataset and licence the clip is used under.")

    # Processing
    status = models.CharField(max_length=12, choices=Status, default=Status.PENDING)
    failure_reason = models.TextField(blank=True)
    progress = models.PositiveSmallIntegerField(default=0)
    processing_started_at = models.DateTimeField(null=True, blank=True)
    # Which run owns the current processing; a run whose token was replaced
    # (the sweeper or a retry took over) discards its output instead of saving it.
    processing_token = models.CharField(max_length=32, blank=True, editable=False)
    processed_at = models.DateTimeField(null=True, blank=True)

    original = models.FileField(upload_to=original_path, storage=private_storage, blank=True, max_length=200)
    original_size = models.PositiveBigIntegerField(default=0)
    rendition = models.FileField(blank=True, max_length=200)
    poster = models.FileField(blank=True, max_length=200)
    thumbnail = models.FileField(blank=True, max_length=200)
    ela = models.FileField(blank=True, max_length=200)
    mime = models.CharField(max_length=40, blank=True)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    duration_seconds = models.FloatField(null=True, blank=True)
    sha256 = models.CharField(max_length=64, blank=True, db_index=True)
    phash = models.CharField(max_length=32, blank=True)
    near_duplicate_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="clips"
    )
    visibility = models.CharField(max_length=10, choices=Visibility, default=Visibility.PRIVATE)
    retired = models.BooleanField(default=False, help_text="Hidden from the library; kept for past attempts.")
    sibling = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="derived",
        help_text="For a fake: the real clip it was made from.",
    )
    import_key = models.CharField(max_length=400, null=True, blank=True, unique=True, editable=False)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ClipQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "retired", "media_type"], name="clip_library_filter_idx"),
            models.Index(fields=["owner", "-created_at"], name="clip_owner_recent_idx"),
            models.Index(fields=["status", "processing_started_at"], name="clip_stuck_sweep_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(truth=Truth.REAL, technique=Technique.AUTHENTIC)
                | (Q(truth=Truth.SYNTHETIC) & ~Q(technique=Technique.AUTHENTIC)),
                name="clip_technique_matches_truth",
            ),
            models.CheckConstraint(
                # Rule 3: a synthetic likeness of a real person is never shared without a basis.
                condition=~SHOWS_REAL_PERSON | HAS_CONSENT_OR_BASIS | Q(visibility=Visibility.PRIVATE),
                name="clip_synthetic_person_needs_consent_to_share",
            ),
            models.CheckConstraint(condition=Q(difficulty__gte=1, difficulty__lte=3), name="clip_difficulty_1_to_3"),
            models.CheckConstraint(condition=Q(progress__lte=100), name="clip_progress_at_most_100"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_synthetic(self) -> bool:
        return self.truth == Truth.SYNTHETIC

    @property
    def is_ready(self) -> bool:
        return self.status == Status.READY

    @property
    def box_regions(self) -> list[dict]:
        return [r for r in self.regions or [] if {"x", "y", "w", "h"} <= r.keys()]

    @property
    def time_regions(self) -> list[dict]:
        return [r for r in self.regions or [] if {"start", "end"} <= r.keys()]

    def editable_by(self, user) -> bool:
        return user.is_superuser or (self.owner_id is not None and self.owner_id == user.pk)

    @property
    def has_consent_record(self) -> bool:
        return bool(self.consent_subject and self.consent_obtained_by and self.consent_date)


class ImportJob(models.Model):
    """A dataset import started from the web: a ZIP of the dataset, processed by a worker."""

    class Format(models.TextChoices):
        DFDC = "dfdc", "DFDC part folder (metadata.json)"
        FFPP = "ffpp", "FaceForensics++ tree"
        CELEBDF = "celebdf", "Celeb-DF v2 folder"
        CSV = "csv", "CSV manifest (with the files beside it)"

    class JobStatus(models.TextChoices):
        PENDING = "pending", "Waiting"
        RUNNING = "running", "Importing"
        DONE = "done", "Finished"
        FAILED = "failed", "Failed"

    public_id = models.CharField(max_length=24, unique=True, default=new_public_id, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="clip_imports")
    fmt = models.CharField("format", max_length=10, choices=Format)
    archive = models.FileField(upload_to="imports/", storage=private_storage, max_length=200)
    status = models.CharField(max_length=10, choices=JobStatus, default=JobStatus.PENDING)
    progress = models.PositiveSmallIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    report = models.JSONField(default=list, blank=True)
    warnings = models.JSONField(default=list, blank=True, help_text="What the scan found worth a look.")
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="importjob_progress_at_most_100"),
        ]

    def __str__(self) -> str:
        return f"{self.get_fmt_display()} import by {self.owner} ({self.get_status_display()})"

    @property
    def running(self) -> bool:
        return self.status in (self.JobStatus.PENDING, self.JobStatus.RUNNING)

    def count(self, outcome: str) -> int:
        return sum(1 for line in self.report if line.get("outcome") == outcome)

    @property
    def summary(self) -> str:
        return (f"{self.count('imported')} imported, {self.count('skipped')} skipped, "
                f"{self.count('rejected')} rejected.")
