"""Writes on the clip library: upload, the processing pipeline, retry, delete, import.

Tasks in ``clips/tasks.py`` call these with ids. The pipeline is safe to run
twice: a run takes ownership of a clip with a token and saves its output only
if it still owns the clip, so a retried or swept job never leaves two sets of
renditions.
"""

from __future__ import annotations

import logging
import secrets
import shutil
import tempfile
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage, storages
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils import timezone

from config.db import reconnect_if_broken
from config.jobs import jobs_fail_stuck, send_on_commit
from config.files import delete_files_on_commit, save_whole

from .models import LABEL_WORDS, Clip, Status, Technique, Truth, Visibility, label_word

log = logging.getLogger(__name__)

RENDITION_PREFIX = "m"
STALE_AFTER = timedelta(minutes=10)
NEAR_DUPLICATE_BITS = 6
UNEXPECTED_FAILURE = (
    "Something went wrong on our side while processing this file. "
    "Your upload is safe; press Retry, and if it fails again, tell us."
)
MISSING_ORIGINAL = "The uploaded file is no longer stored; upload it again."


def media_limits():
    from .media import Limits

    return Limits(
        image_max_bytes=settings.CLIP_IMAGE_MAX_BYTES,
        image_max_pixels=settings.CLIP_IMAGE_MAX_PIXELS,
        av_max_bytes=settings.CLIP_AV_MAX_BYTES,
        av_max_seconds=settings.CLIP_AV_MAX_SECONDS,
    )


# --- upload ---------------------------------------------------------------


def clip_create(*, owner, original: File, fields: dict, import_key: str | None = None) -> Clip:
    """Save the original privately and create a pending clip; processing is enqueued after commit."""
    return clip_add(clip=Clip(owner=owner, import_key=import_key, **fields), original=original)


def clip_add(*, clip: Clip, original: File) -> Clip:
    """Save a new, unsaved ``clip`` (its fields set, no files) with ``original`` stored privately under a
    random name, pending; processing is enqueued after commit. Nothing of the upload but its bytes is
    kept: its name may carry the label ("fake_03.mp4"), and only the pipeline makes what is served."""
    from .tasks import clip_process as clip_process_task

    if clip.truth == Truth.REAL:
        clip.technique = Technique.AUTHENTIC
    private = storages["private"]
    # Store first, then the row: if the row fails, remove the file so nothing is half-saved.
    name = save_whole(private, f"originals/{secrets.token_hex(16)}", original)
    try:
        with transaction.atomic():
            clip.original.name = name
            clip.original_size = private.size(name)
            clip.save()
            send_on_commit(clip_process_task, clip.pk)
    except Exception:
        private.delete(name)
        raise
    return clip


def clip_update(*, form) -> Clip:
    """Save a validated clip form; if the label or the tell regions changed, tell the apps that
    scored answers to it (``regions_json`` on the app's form, ``regions`` on the admin's)."""
    from .signals import clip_relabelled

    with transaction.atomic():
        clip = form.save()
        if {"truth", "technique", "regions", "regions_json"} & set(form.changed_data):
            transaction.on_commit(lambda: clip_relabelled.send(sender=Clip, clip=clip))
    return clip


# --- processing -----------------------------------------------------------


@dataclass(frozen=True)
class ProcessOutcome:
    clip_id: int
    status: str
    skipped: bool = False


def _claim(clip_id: int) -> tuple[Clip | None, str]:
    """Take ownership of a clip for one processing run, or say why not."""
    with transaction.atomic():
        clip = Clip.objects.select_for_update().filter(pk=clip_id).first()
        if clip is None:
            return None, "gone"
        if clip.status == Status.READY:
            return None, "ready"
        fresh = clip.processing_started_at and timezone.now() - clip.processing_started_at < STALE_AFTER
        if clip.status == Status.PROCESSING and fresh:
            return None, "busy"
        # A token left by an interrupted run names the files it may have left behind.
        clip.interrupted_token = clip.processing_token
        clip.status = Status.PROCESSING
        clip.processing_token = secrets.token_hex(16)
        clip.processing_started_at = timezone.now()
        clip.failure_reason = ""
        clip.progress = 5
        clip.save(update_fields=["status", "processing_token", "processing_started_at", "failure_reason",
                                 "progress", "updated_at"])
        return clip, "claimed"


def _set_progress(clip: Clip, value: int) -> None:
    Clip.objects.filter(pk=clip.pk, processing_token=clip.processing_token).update(progress=value)


STORAGE_TROUBLE = ("Our server could not store this clip's files after several tries (storage trouble on our "
                   "side, not a problem with your file). Try again later; if it fails again, tell us.")


def _fail(clip: Clip, reason: str) -> None:
    Clip.objects.filter(pk=clip.pk, processing_token=clip.processing_token).update(
        status=Status.FAILED, failure_reason=reason, progress=0, processing_token="", updated_at=timezone.now()
    )


def _remove_leftovers(token: str) -> None:
    """Delete renditions an interrupted run saved before it died (names start with its token)."""
    if not token:
        return
    prefix = token[:12]
    try:
        _dirs, files = default_storage.listdir(RENDITION_PREFIX)
    except (FileNotFoundError, NotImplementedError):
        return
    for name in files:
        if name.startswith(prefix):
            default_storage.delete(f"{RENDITION_PREFIX}/{name}")


def _hamming(a: str, b: str) -> int:
    return bin(int(a, 16) ^ int(b, 16)).count("1")


def find_near_duplicate(*, clip: Clip, phash: str) -> Clip | None:
    """The closest other clip by perceptual hash, unless it is this clip's own sibling pair."""
    if not phash:
        return None
    related = {clip.pk, clip.sibling_id} | set(clip.derived.values_list("pk", flat=True))
    best = None
    others = _same_bytes_seen_by(clip.owner).exclude(phash="").exclude(pk__in=[p for p in related if p])
    for pk, other in others.values_list("pk", "phash").iterator():
        if len(other) != len(phash):
            continue
        distance = _hamming(phash, other)
        if distance <= NEAR_DUPLICATE_BITS and (best is None or distance < best[0]):
            best = (distance, pk)
    return Clip.objects.get(pk=best[1]) if best else None


def clip_process(*, clip_id: int, last_try: bool = False) -> ProcessOutcome:
    """Validate, re-encode and render one clip (idempotent).

    Storage trouble (``OSError``: a full or read-only disk) gives the clip back, pending, and
    raises for the task's retry; on its ``last_try`` the clip ends failed, in words, instead of
    waiting, swept and sent again, for ever ("Try again" starts it afresh)."""
    from . import media

    clip, why = _claim(clip_id)
    if clip is None:
        return ProcessOutcome(clip_id, why, skipped=True)
    workdir = Path(tempfile.mkdtemp(prefix="clip-"))
    saved: list[str] = []
    try:
        source = workdir / "source"
        try:
            if not clip.original.name:
                raise FileNotFoundError("no original")
            with storages["private"].open(clip.original.name, "rb") as src, source.open("wb") as dst:
                shutil.copyfileobj(src, dst)
        except FileNotFoundError:
            # Gone for good (removed from storage, or a clip added in the admin without a file): no retry
            # brings it back, so fail in words now rather than retry and be swept for ever.
            _fail(clip, MISSING_ORIGINAL)
            return ProcessOutcome(clip.pk, Status.FAILED)
        _set_progress(clip, 20)
        out = workdir / "out"
        out.mkdir()
        rendition = media.render(source, out, limits=media_limits())
        _set_progress(clip, 80)
        names = {}
        for field in ("rendition", "poster", "thumbnail", "ela"):
            path = getattr(rendition, field)
            if path:
                with open(path, "rb") as handle:
                    names[field] = save_whole(
                        default_storage, f"{RENDITION_PREFIX}/{clip.processing_token[:12]}{Path(path).name}",
                        File(handle))
                saved.append(names[field])
        duplicate = find_near_duplicate(clip=clip, phash=rendition.phash)
        with transaction.atomic():
            won = Clip.objects.filter(pk=clip.pk, processing_token=clip.processing_token).update(
                status=Status.READY, progress=100, processing_token="", failure_reason="",
                processed_at=timezone.now(), updated_at=timezone.now(),
                media_type=rendition.media_type, mime=rendition.mime, width=rendition.width,
                height=rendition.height, duration_seconds=rendition.duration_seconds,
                sha256=rendition.sha256, phash=rendition.phash, near_duplicate_of=duplicate,
                rendition=names.get("rendition", ""), poster=names.get("poster", ""),
                thumbnail=names.get("thumbnail", ""), ela=names.get("ela", ""),
            )
        if not won:
            # Another run took over this clip; keep its output, drop ours.
            for name in saved:
                default_storage.delete(name)
            return ProcessOutcome(clip.pk, "superseded", skipped=True)
        _remove_leftovers(getattr(clip, "interrupted_token", ""))
        return ProcessOutcome(clip.pk, Status.READY)
    except media.MediaError as error:
        for name in saved:
            default_storage.delete(name)
        _fail(clip, error.message)
        return ProcessOutcome(clip.pk, Status.FAILED)
    except OSError:
        for name in saved:
            default_storage.delete(name)
        if last_try:
            _fail(clip, STORAGE_TROUBLE)
            return ProcessOutcome(clip.pk, Status.FAILED)
        Clip.objects.filter(pk=clip.pk, processing_token=clip.processing_token).update(
            status=Status.PENDING, processing_token="", progress=0
        )
        raise
    except Exception:
        log.exception("clip %s failed unexpectedly", clip.pk)
        for name in saved:
            default_storage.delete(name)
        _fail(clip, UNEXPECTED_FAILURE)
        return ProcessOutcome(clip.pk, Status.FAILED)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def clip_retry(*, clip: Clip) -> Clip:
    from .tasks import clip_process as clip_process_task

    if clip.status != Status.FAILED:
        return clip
    with transaction.atomic():
        Clip.objects.filter(pk=clip.pk, status=Status.FAILED).update(
            status=Status.PENDING, failure_reason="", progress=0
        )
        send_on_commit(clip_process_task, clip.pk)
    clip.refresh_from_db()
    return clip


def clips_sweep_stuck(*, older_than: timedelta = STALE_AFTER) -> list[int]:
    """Re-enqueue clips whose processing stalled (a worker died) or never started."""
    from .tasks import clip_process as clip_process_task

    cutoff = timezone.now() - older_than
    stalled = list(
        Clip.objects.filter(status=Status.PROCESSING, processing_started_at__lt=cutoff).values_list("pk", flat=True)
    )
    waiting = list(Clip.objects.filter(status=Status.PENDING, updated_at__lt=cutoff).values_list("pk", flat=True))
    stuck = stalled + waiting
    with transaction.atomic():
        # Back to pending, keeping the token so the next run can clear what the dead one left.
        Clip.objects.filter(pk__in=stalled, status=Status.PROCESSING).update(status=Status.PENDING, progress=0)
        for pk in stuck:
            send_on_commit(clip_process_task, pk)
    return stuck


# --- delete ---------------------------------------------------------------


def clip_delete(*, clip: Clip) -> str:
    """Delete a clip and its files ("deleted"), or retire it when something still refers to it:
    past attempts, whose results depend on it ("retired: answered"), or only quizzes, which can
    let it go ("retired: in a quiz")."""
    files = [(default_storage, f.name) for f in (clip.rendition, clip.poster, clip.thumbnail, clip.ela) if f]
    if clip.original:
        files.append((storages["private"], clip.original.name))
    try:
        with transaction.atomic():
            clip.delete()
    except ProtectedError:
        Clip.objects.filter(pk=clip.pk).update(retired=True, visibility=Visibility.PRIVATE)
        return "retired: answered" if clip.attempt_items.exists() else "retired: in a quiz"

    # Once the row is surely gone: inside a caller's transaction (the admin's delete page) that
    # rolls back, the clip comes back and must still have its files.
    delete_files_on_commit(files)
    return "deleted"


# --- import ---------------------------------------------------------------


@dataclass
class ImportLine:
    path: str
    outcome: str  # "imported", "skipped", "rejected"
    reason: str = ""


@dataclass
class ImportReport:
    lines: list[ImportLine]
    fatal: str | None = None
    # Worth a look though nothing stopped (an unknown CSV column, a missing label list).
    warnings: list[str] = dataclass_field(default_factory=list)

    def count(self, outcome: str) -> int:
        return sum(1 for line in self.lines if line.outcome == outcome)

    @property
    def imported(self) -> int:
        return self.count("imported")


def _sha256_file(path: Path) -> str:
    import hashlib

    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _probe_problem(path: Path) -> str:
    from . import media

    try:
        media.probe(path, limits=media_limits())
    except media.MediaError as error:
        return error.message
    return ""


def _title_note(record, fields: dict) -> str:
    """Say so when words that give the answer away were taken out of the manifest's title."""
    if record.title and label_word(record.title):
        return (f"the title “{record.title}” gave the answer away, so it is now “{fields['title']}”; "
                "edit it on the clip's page")
    return ""


def _unshown_reason(fields: dict) -> str:
    """Why an imported clip reaches no learner yet, in words for the importer ("" when it does)."""
    if fields["truth"] == Truth.SYNTHETIC and fields["depicts_real_person"] and not fields["research_basis"]:
        return ("kept private and out of quizzes: it may show a real person (depicts_real_person is yes, or the "
                "column is missing), so it needs a consent record or a research basis first; add one on the "
                "clip's page, or import it with depicts_real_person=no if no real person is shown")
    return ""


def clip_fields_from_record(record) -> dict:
    """Map an ``importers.ImportRecord`` onto Clip fields."""
    # Learners see the title before answering, and dataset file names often carry
    # the label ("id0_id16_0000", "fake_03"), so a title never comes from the name.
    title = LABEL_WORDS.sub("", record.title) if record.title else ""
    title = title or f"{record.dataset or 'Imported'} clip {secrets.token_hex(2).upper()}"
    fields = {
        "title": " ".join(title.split())[:200] or "Imported clip",
        "alt_text": (record.description or "A clip from a research dataset.")[:400],
        "truth": Truth.SYNTHETIC if record.truth == "synthetic" else Truth.REAL,
        "technique": record.technique,
        "generator": record.generator or "",
        "tells": record.tells or "",
        "explanation": record.explanation or (
            f"This clip comes from {record.dataset}, labelled {record.truth} by the dataset's authors."
            if record.dataset else ""
        ),
        "difficulty": record.difficulty or 2,
        "source": record.source or record.dataset or "",
        "creator": record.creator or "",
        "licence": record.licence or "",
        "source_url": record.url or "",
        "dataset": record.dataset or "",
        "digital_source_type": record.digital_source_type or "",
        "depicts_real_person": bool(record.depicts_real_person),
        "research_basis": record.consent_basis or "",
    }
    # Research datasets stay with the importing teacher's classes unless an admin shares them.
    fields["visibility"] = Visibility.CLASSES if (fields["research_basis"] or not fields["depicts_real_person"]) \
        else Visibility.PRIVATE
    return fields


def _provenance_problem(record) -> str:
    """Rule 3: every clip records where it came from and under what licence."""
    if not record.licence:
        return "no licence: say under what licence it may be used (a licence column in a CSV manifest)"
    if not (record.source or record.dataset):
        return "no source: say where it comes from (a source or dataset column in a CSV manifest)"
    return ""


def _leak_problem(record) -> str:
    """Rule 1: the description becomes the alt text, which learners can read before they answer.

    The row is refused rather than imported with a neutral alt text: like a missing
    licence, it is the teacher's manifest to fix, and a rejected line says so where a
    silent substitute would lose their description without telling them.
    """
    if word := label_word(record.description):
        return (f"the description says “{word}”: learners read it (as the alt text) before they "
                f"answer, so it must not hint at the answer; reword it and import again")
    return ""


def import_key_for(owner, dataset: str, rel: str) -> str:
    """What makes an imported file the same one again: its owner's, its dataset's and its path's.
    Each teacher's imports are their own: another teacher's photo1.jpg is another clip."""
    return f"{owner.pk if owner is not None else 'site'}:{dataset}:{rel}"


def _same_bytes_seen_by(owner):
    """The clips a duplicate check may name to this importer: those they may open, never another
    teacher's private clip (its title would be shown, and the import refused for a clip they cannot use)."""
    return Clip.objects.viewable_by(owner) if owner is not None else Clip.objects.filter(owner__isnull=True)


def clips_import(*, records, owner, dry_run: bool = False, on_progress=None) -> ImportReport:
    """Create clips for scanned records; duplicates (same dataset path or same bytes) are skipped."""
    lines: list[ImportLine] = []
    created: dict[str, Clip] = {}
    total = len(records)
    for index, record in enumerate(records, 1):
        key = import_key_for(owner, record.dataset, record.rel)
        if problem := _provenance_problem(record) or _leak_problem(record):
            lines.append(ImportLine(record.rel, "rejected", problem))
        elif Clip.objects.filter(import_key=key).exists():
            lines.append(ImportLine(record.rel, "skipped", "already imported"))
        else:
            digest = _sha256_file(Path(record.path))
            same = _same_bytes_seen_by(owner).filter(sha256=digest).only("title").first()
            if same:
                lines.append(ImportLine(record.rel, "skipped", f"duplicate of “{same.title}”"))
            elif problem := _probe_problem(Path(record.path)):
                lines.append(ImportLine(record.rel, "rejected", problem))
            elif dry_run:
                lines.append(ImportLine(record.rel, "imported",
                                        "; ".join(filter(None, ["dry run: would import", record.note]))))
            else:
                try:
                    fields = clip_fields_from_record(record)
                    with Path(record.path).open("rb") as handle:
                        clip = clip_create(owner=owner, original=File(handle, name=Path(record.path).name),
                                           fields=fields, import_key=key)
                    Clip.objects.filter(pk=clip.pk).update(sha256=digest)
                    created[record.rel] = clip
                    # The dataset's caveat on this label (e.g. DFDC does not say which method made a fake),
                    # and why a clip imported whole still reaches no learner.
                    lines.append(ImportLine(record.rel, "imported", "; ".join(filter(None, [
                        record.note, _title_note(record, fields), _unshown_reason(fields)]))))
                except (IntegrityError, OSError, ValueError) as error:
                    lines.append(ImportLine(record.rel, "rejected", f"could not be saved: {error}"))
        if on_progress:
            on_progress(index, total)
    if not dry_run:
        for record in records:
            if record.sibling_rel and record.rel in created:
                sibling_key = import_key_for(owner, record.dataset, record.sibling_rel)
                sibling = Clip.objects.filter(import_key=sibling_key).first()
                if sibling:
                    Clip.objects.filter(pk=created[record.rel].pk).update(sibling=sibling)
    return ImportReport(lines)


def clips_import_path(*, path, fmt: str, owner, dry_run: bool = False, limit: int | None = None,
                      on_progress=None) -> ImportReport:
    from . import importers

    result = importers.scan(path, fmt, limit=limit)
    if result.fatal:
        return ImportReport([], fatal=result.fatal, warnings=result.warnings)
    report = clips_import(records=result.records, owner=owner, dry_run=dry_run, on_progress=on_progress)
    report.lines.extend(ImportLine(r.path_or_row, "rejected", r.reason) for r in result.rejected)
    report.warnings = result.warnings
    return report


# --- import from the web ----------------------------------------------------

IMPORT_MAX_FILES = 5000
IMPORT_MAX_BYTES = 4 * 1024 * 1024 * 1024
IMPORT_UNEXPECTED_FAILURE = (
    "Something went wrong on our side while importing this archive. Try the import again (clips "
    "already imported are skipped), and if it fails again, tell us."
)


class ArchiveError(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _extract_archive(archive_path: Path, into: Path) -> Path:
    """Unpack a ZIP safely and return the dataset root inside it."""
    import zipfile

    try:
        archive = zipfile.ZipFile(archive_path)
    except (zipfile.BadZipFile, OSError):
        raise ArchiveError("The file is not a ZIP archive we can open.")
    with archive:
        members = [m for m in archive.infolist() if not m.is_dir()]
        if not members:
            raise ArchiveError("The ZIP archive is empty.")
        if len(members) > IMPORT_MAX_FILES:
            raise ArchiveError(f"The archive holds {len(members):,} files; the limit is {IMPORT_MAX_FILES:,}.")
        if sum(m.file_size for m in members) > IMPORT_MAX_BYTES:
            raise ArchiveError("The archive unpacks to more than 4 GB; split it into smaller parts.")
        # Checked before anything is written (zipfile reads no more than an entry declares): a few
        # hundred kilobytes of zip can unpack to gigabytes onto the worker's disk.
        largest = max(settings.CLIP_AV_MAX_BYTES, settings.CLIP_IMAGE_MAX_BYTES)
        for member in members:
            if member.file_size > largest:
                raise ArchiveError(f"{member.filename} unpacks to {member.file_size / 2**20:,.0f} MB, more than a "
                                   f"clip may be ({largest / 2**20:,.0f} MB); nothing was imported.")
        root = into.resolve()
        for member in members:
            target = (root / member.filename).resolve()
            if not target.is_relative_to(root) or member.filename.startswith("/"):
                raise ArchiveError(f"The archive contains an unsafe path: {member.filename}")
            if (member.external_attr >> 16) & 0o170000 == 0o120000:
                raise ArchiveError(f"The archive contains a link, which we do not accept: {member.filename}")
            if member.flag_bits & 0x1:  # zipfile would raise RuntimeError("password required")
                raise ArchiveError("The archive is password-protected; zip it again without a password.")
        try:
            archive.extractall(root)
        except (zipfile.BadZipFile, OSError, EOFError) as error:
            raise ArchiveError(f"The archive is damaged: {error}")
        except NotImplementedError:  # Deflate64, PPMd and other methods zipfile cannot read
            raise ArchiveError("The archive uses a compression we can't read; zip it again with standard "
                               "compression.")
    entries = [p for p in root.iterdir() if not p.name.startswith(("__MACOSX", "."))]
    return entries[0] if len(entries) == 1 and entries[0].is_dir() else root


def import_job_start(*, owner, fmt: str, archive: File):
    from .models import ImportJob
    from .tasks import import_job_run

    def broker_down():
        # Not left "waiting" for ever (the clip sweeper re-sends clips, not imports): said in words.
        ImportJob.objects.filter(pk=job.pk, status=ImportJob.JobStatus.PENDING).update(
            status=ImportJob.JobStatus.FAILED, error=IMPORT_BROKER_DOWN, finished_at=timezone.now())

    with transaction.atomic():
        job = ImportJob.objects.create(owner=owner, fmt=fmt, archive=archive)
        send_on_commit(import_job_run, job.pk, on_broker_down=broker_down)
    return job


IMPORT_BROKER_DOWN = "Our background service is busy; start the import again in a few minutes."
IMPORT_STOPPED = ("The import stopped before it finished (our background service was interrupted). Start it again: "
                  "clips already imported are skipped.")


def import_jobs_sweep_stuck(*, now=None) -> int:
    """End, with words, import jobs whose worker is gone (``config.jobs.jobs_fail_stuck``)."""
    from .models import ImportJob

    return jobs_fail_stuck(ImportJob.objects.all(), error=IMPORT_STOPPED, now=now)


def import_job_run(*, job_id: int) -> None:
    from .models import ImportJob

    with transaction.atomic():
        job = ImportJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.status == ImportJob.JobStatus.DONE:
            return
        job.status = ImportJob.JobStatus.RUNNING
        job.save(update_fields=["status"])
    workdir = Path(tempfile.mkdtemp(prefix="import-"))

    def progress(done: int, total: int) -> None:
        ImportJob.objects.filter(pk=job.pk).update(done=done, total=total,
                                                   progress=min(99, int(done * 100 / max(total, 1))))

    try:
        local = workdir / "archive.zip"
        with storages["private"].open(job.archive.name, "rb") as src, local.open("wb") as dst:
            shutil.copyfileobj(src, dst)
        root = _extract_archive(local, workdir / "tree")
        path = root
        if job.fmt == "csv":
            manifests = sorted(root.glob("*.csv"))
            if not manifests:
                raise ArchiveError("No CSV manifest (.csv) at the top of the archive.")
            path = manifests[0]
        report = clips_import_path(path=path, fmt=job.fmt, owner=job.owner, on_progress=progress)

        def in_archive(text: str) -> str:
            # The scanners name folders by where they lie on the worker; the teacher knows the archive.
            return text.replace(f"{root}/", "").replace(str(root), "the archive")

        if report.fatal:
            raise ArchiveError(in_archive(" ".join([report.fatal, *report.warnings])))
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportJob.JobStatus.DONE, progress=100, finished_at=timezone.now(),
            report=[{"path": l.path, "outcome": l.outcome, "reason": in_archive(l.reason)} for l in report.lines],
            warnings=[in_archive(w) for w in report.warnings],
        )
    except ArchiveError as error:
        ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.JobStatus.FAILED, error=error.message,
                                                   finished_at=timezone.now())
    except Exception:
        # Anything else would leave the job "Importing" and its page polling for ever. On a fresh
        # connection: the failure may be the database connection itself (a restart).
        log.exception("import job %s failed unexpectedly", job.pk)
        reconnect_if_broken()
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportJob.JobStatus.FAILED, error=IMPORT_UNEXPECTED_FAILURE, finished_at=timezone.now()
        )
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
