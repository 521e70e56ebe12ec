"""The clip library for teachers, upload and status, downloads, and the media file view."""

from __future__ import annotations

import io
import mimetypes
import re
import shutil
import tempfile
from pathlib import Path

from django.contrib import messages
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect
from django_ratelimit.decorators import ratelimit

from accounts.decorators import teacher_required

from . import services
from .forms import ClipMetadataForm, ClipUploadForm, ImportForm, LibraryFilterForm
from .models import Clip, ImportJob, Status, Truth

PAGE_SIZE = 48


def _own_clip(request, public_id) -> Clip:
    return get_object_or_404(Clip.objects.editable_by(request.user), public_id=public_id)


def _visible_clip(request, public_id) -> Clip:
    return get_object_or_404(Clip.objects.viewable_by(request.user), public_id=public_id)


@teacher_required
def library(request):
    form = LibraryFilterForm(request.GET or None)
    clips = Clip.objects.visible_to(request.user).select_related("owner")
    if form.is_bound and form.is_valid():
        clips = form.filter(clips, request.user)
    elif form.is_bound:
        messages.error(request, "Some filters were not understood and were ignored.")
    page = Paginator(clips.order_by("-created_at", "pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "clips/clip_library.html", {"form": form, "page": page, "query": query.urlencode()})


@teacher_required
@require_http_methods(["GET", "POST"])
@ratelimit(key="user", rate="60/h", method="POST", block=True)
def upload(request):
    form = ClipUploadForm(request.POST or None, request.FILES or None, owner=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            clip = services.clip_create(owner=request.user, original=form.cleaned_data["file"],
                                        fields=form.clip_fields())
        except OSError:
            form.add_error(None, "We could not store your file just now (a storage problem on our side). "
                                 "Nothing was saved; please try again in a few minutes.")
            return render(request, "clips/clip_upload.html", {"form": form}, status=503)
        messages.success(request, "Upload received. We are preparing it for learners; this page updates by itself.")
        return redirect("clips:detail", public_id=clip.public_id)
    return render(request, "clips/clip_upload.html", {"form": form}, status=422 if form.errors else 200)


@teacher_required
def detail(request, public_id):
    clip = _visible_clip(request, public_id)
    return render(request, "clips/clip_detail.html", {"clip": clip, "can_edit": clip.editable_by(request.user)})


@teacher_required
def status(request, public_id):
    clip = _visible_clip(request, public_id)
    if request.htmx and clip.status == Status.READY and request.GET.get("was") in (Status.PENDING, Status.PROCESSING):
        # Reload once so the preview and renditions appear.
        return HttpResponseClientRedirect(clip_url(clip))
    return render(request, "clips/clip_detail.html#clip-status",
                  {"clip": clip, "can_edit": clip.editable_by(request.user)})


def clip_url(clip: Clip) -> str:
    from django.urls import reverse

    return reverse("clips:detail", kwargs={"public_id": clip.public_id})


@teacher_required
@require_POST
def retry(request, public_id):
    clip = _own_clip(request, public_id)
    if clip.status != Status.FAILED:
        messages.info(request, "This clip has not failed, so there is nothing to retry.")
    else:
        services.clip_retry(clip=clip)
        messages.success(request, "Trying again.")
    return redirect("clips:detail", public_id=clip.public_id)


@teacher_required
@require_http_methods(["GET", "POST"])
def edit(request, public_id):
    clip = _own_clip(request, public_id)
    form = ClipMetadataForm(request.POST or None, instance=clip, owner=request.user)
    if request.method == "POST" and form.is_valid():
        services.clip_update(form=form)
        messages.success(request, "Changes saved.")
        return redirect("clips:detail", public_id=clip.public_id)
    return render(request, "clips/clip_edit.html", {"form": form, "clip": clip}, status=422 if form.errors else 200)


@teacher_required
@require_http_methods(["GET", "POST"])
def delete(request, public_id):
    clip = _own_clip(request, public_id)
    if request.method == "POST":
        outcome = services.clip_delete(clip=clip)
        if outcome == "retired: answered":
            messages.success(request, "Past attempts used this clip, so it was retired: hidden from the library "
                                      "and new quizzes, kept for the results that depend on it.")
        elif outcome == "retired: in a quiz":
            messages.success(request, "A quiz holds this clip, so it was retired: hidden from the library, and "
                                      "learners no longer get it. Take it out of the quiz, and you can then delete it.")
        else:
            messages.success(request, "Clip deleted.")
        return redirect("clips:library")
    return render(request, "clips/clip_delete.html", {"clip": clip})


@teacher_required
def download(request, public_id):
    """The rendition as a file to keep; a synthetic clip carries a visible mark and XMP."""
    from . import media

    clip = _visible_clip(request, public_id)
    if not clip.is_ready:
        raise Http404("This clip is not ready yet.")
    suffix = Path(clip.rendition.name).suffix
    if clip.truth == Truth.REAL:
        response = FileResponse(clip.rendition.open("rb"), as_attachment=True,
                                filename=f"second-look-{clip.public_id}{suffix}")
        return response
    workdir = Path(tempfile.mkdtemp(prefix="download-"))
    try:
        source = workdir / f"source{suffix}"
        with clip.rendition.open("rb") as src, source.open("wb") as dst:
            shutil.copyfileobj(src, dst)
        # The copy keeps the rendition's kind of file: the name and type the browser sees follow it.
        out = media.disclosure_copy(source, workdir / f"marked{suffix}",
                                    digital_source_type=clip.digital_source_type or "compositeSynthetic")
        data = Path(out).read_bytes()
        name = f"second-look-{clip.public_id}-SYNTHETIC{Path(out).suffix}"
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return FileResponse(io.BytesIO(data), as_attachment=True, filename=name)


@teacher_required
@require_http_methods(["GET", "POST"])
@ratelimit(key="user", rate="10/h", method="POST", block=True)
def import_new(request):
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        job = services.import_job_start(owner=request.user, fmt=form.cleaned_data["fmt"],
                                        archive=form.cleaned_data["archive"])
        return redirect("clips:import_detail", public_id=job.public_id)
    jobs = ImportJob.objects.filter(owner=request.user)[:10]
    return render(request, "clips/import_new.html", {"form": form, "jobs": jobs}, status=422 if form.errors else 200)


@teacher_required
def import_detail(request, public_id):
    job = get_object_or_404(ImportJob.objects.filter(owner=request.user), public_id=public_id)
    template = "clips/import_detail.html#job-status" if request.htmx else "clips/import_detail.html"
    return render(request, template, {"job": job})


# --- media files ----------------------------------------------------------------

# ASCII digits only, and few enough that int() is cheap and cannot refuse them (its digit
# limit raised ValueError, a 500); a longer or odd header is ignored and the whole file is sent.
_RANGE = re.compile(r"^bytes=([0-9]{0,19})-([0-9]{0,19})$")
_SAFE_NAME = re.compile(r"^[A-Za-z0-9_-]+/[A-Za-z0-9_-]+\.[a-z0-9]{2,5}$")


def media_file(request, path):
    """Serve a rendition from storage with byte ranges (video seeking).

    Only renditions, at their random names, are served; originals live in
    another storage with no URL. Headers carry nothing about the clip: no
    original name, no modification time.
    """
    if not _SAFE_NAME.match(path) or not path.startswith(services.RENDITION_PREFIX + "/"):
        raise Http404
    try:  # open, not exists-then-open: no race between the check and the read
        handle = default_storage.open(path, "rb")
    except (FileNotFoundError, NotADirectoryError):
        raise Http404 from None
    size = handle.size
    content_type = mimetypes.guess_type(path)[0] or "application/octet-stream"
    match = _RANGE.match(request.headers.get("Range", ""))
    if match and (match.group(1) or match.group(2)):
        start_s, end_s = match.groups()
        if start_s:
            start, end = int(start_s), int(end_s) if end_s else size - 1
        else:
            start, end = max(size - int(end_s), 0), size - 1
        end = min(end, size - 1)
        if start > end or start >= size:
            handle.close()
            response = HttpResponse(status=416)
            response["Content-Range"] = f"bytes */{size}"
            return response
        handle.seek(start)
        length = end - start + 1

        def chunks(remaining=length):
            try:
                while remaining > 0:
                    data = handle.read(min(65536, remaining))
                    if not data:
                        break
                    remaining -= len(data)
                    yield data
            finally:
                handle.close()

        response = StreamingHttpResponse(chunks(), status=206, content_type=content_type)
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
        response["Content-Length"] = str(length)
    else:
        response = FileResponse(handle, content_type=content_type)
        response["Content-Length"] = str(size)
    response["Accept-Ranges"] = "bytes"
    response["Cache-Control"] = "private, max-age=86400"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Disposition"] = "inline"
    return response
