"""Forms for the clip library: upload, edit, and the library filters."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from django import forms

from .models import Clip, Difficulty, DigitalSourceType, MediaType, Technique, Truth, Visibility, label_word


class LabelWordsMixin:
    """For a Clip form: learners see the title and alt text before they answer (rule 1)."""

    def _check_label_words(self, name: str) -> str:
        value = self.cleaned_data.get(name, "")
        if word := label_word(value):
            raise forms.ValidationError(
                f"Learners see this before they answer, so it must not hint at the answer: remove the word “{word}”."
            )
        return value

    def clean_title(self):
        return self._check_label_words("title")

    def clean_alt_text(self):
        return self._check_label_words("alt_text")


class ProvenanceMixin:
    """For a Clip form: where a clip came from, under what licence, and consent to show a person (rule 3)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("source", "licence", "digital_source_type"):
            self.fields[name].required = True

    def clean(self):
        data = super().clean()
        if data.get("truth") == Truth.SYNTHETIC and data.get("depicts_real_person"):
            has_consent = data.get("consent_subject") and data.get("consent_obtained_by") and data.get(
                "consent_date")
            if not has_consent and not data.get("research_basis"):
                self.add_error(
                    "depicts_real_person",
                    "A synthetic clip of a real, identifiable person needs a consent record (who, obtained "
                    "by whom, and when) or a research-dataset basis before anyone else can see it.",
                )
        return data


class ClipMetadataForm(LabelWordsMixin, ProvenanceMixin, forms.ModelForm):
    source_url = forms.URLField(label="Source URL", required=False, max_length=500, assume_scheme="https")
    regions_json = forms.CharField(
        label="Tell regions (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text='Rectangles as fractions of the width and height, e.g. [{"x": 0.1, "y": 0.2, "w": 0.3, "h": 0.2}], '
                  'and time ranges in seconds for video or audio, e.g. [{"start": 1.5, "end": 2.5}].',
    )

    class Meta:
        model = Clip
        fields = [
            "title", "alt_text", "truth", "technique", "generator", "tells", "explanation", "difficulty",
            "source", "creator", "licence", "source_url", "dataset", "digital_source_type",
            "depicts_real_person", "consent_subject", "consent_obtained_by", "consent_date", "consent_scope",
            "consent_evidence", "research_basis", "visibility", "sibling",
        ]
        widgets = {
            "tells": forms.Textarea(attrs={"rows": 3}),
            "explanation": forms.Textarea(attrs={"rows": 4}),
            "consent_scope": forms.Textarea(attrs={"rows": 2}),
            "consent_evidence": forms.Textarea(attrs={"rows": 2}),
            "research_basis": forms.Textarea(attrs={"rows": 2}),
            "consent_date": forms.DateInput(attrs={"type": "date"}),
        }
        labels = {"source_url": "Source URL", "licence": "Licence", "sibling": "Made from (the real clip)"}

    def __init__(self, *args, owner=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.owner = owner
        self.fields["technique"].required = False
        sibling_qs = Clip.objects.filter(truth=Truth.REAL, retired=False)
        if owner is not None and not owner.is_superuser:
            sibling_qs = sibling_qs.visible_to(owner)
        if self.instance.pk:
            sibling_qs = sibling_qs.exclude(pk=self.instance.pk)
        self.fields["sibling"].queryset = sibling_qs.order_by("title")
        self.fields["sibling"].required = False
        if self.instance.pk and self.instance.regions:
            self.initial["regions_json"] = json.dumps(self.instance.regions)

    def clean_regions_json(self):
        raw = (self.cleaned_data.get("regions_json") or "").strip()
        if not raw:
            return []
        try:
            regions = json.loads(raw)
        except json.JSONDecodeError:
            raise forms.ValidationError("The tell regions are not valid JSON; check brackets and commas.")
        if not isinstance(regions, list) or not all(isinstance(r, dict) for r in regions):
            raise forms.ValidationError("The tell regions must be a list of {…} entries.")
        for number, region in enumerate(regions, 1):
            if {"x", "y", "w", "h"} <= region.keys():
                try:
                    x, y, w, h = (float(region[k]) for k in ("x", "y", "w", "h"))
                except (TypeError, ValueError):
                    raise forms.ValidationError(f"Region {number}: x, y, w and h must be numbers.")
                if not (0 <= x <= 1 and 0 <= y <= 1 and 0 < w <= 1 and 0 < h <= 1 and x + w <= 1.0001
                        and y + h <= 1.0001):
                    raise forms.ValidationError(
                        f"Region {number}: use fractions between 0 and 1, and keep the box inside the picture."
                    )
            elif {"start", "end"} <= region.keys():
                try:
                    start, end = float(region["start"]), float(region["end"])
                except (TypeError, ValueError):
                    raise forms.ValidationError(f"Region {number}: start and end must be numbers of seconds.")
                if not 0 <= start < end:
                    raise forms.ValidationError(f"Region {number}: the start must come before the end.")
            else:
                raise forms.ValidationError(
                    f"Region {number}: give either x, y, w and h (a box) or start and end (a time range)."
                )
        return regions

    def clean(self):
        data = super().clean()
        truth = data.get("truth")
        technique = data.get("technique")
        if truth == Truth.SYNTHETIC:
            if not technique or technique == Technique.AUTHENTIC:
                self.add_error("technique", "Say how this synthetic clip was made (choose a technique).")
            if data.get("digital_source_type") == DigitalSourceType.DIGITAL_CAPTURE:
                self.add_error("digital_source_type",
                               "A synthetic clip is not an original digital capture: choose the type that fits.")
            if not data.get("explanation"):
                self.add_error("explanation", "Explain at the reveal what was done, so learners learn from it.")
        elif truth == Truth.REAL:
            data["technique"] = Technique.AUTHENTIC
            self.instance.technique = Technique.AUTHENTIC
            if data.get("sibling"):
                self.add_error("sibling", "Only a synthetic clip is made from another clip.")
        # Keyed on the research basis (real people under a research licence), not on a dataset name:
        # a teacher's own collection may have one. Admins are superusers, as everywhere else.
        if data.get("visibility") == Visibility.PUBLIC and data.get("research_basis") \
                and not (self.owner is not None and self.owner.is_superuser) and not self._shared_by_an_admin():
            self.add_error("visibility", "Clips from a research dataset stay with your classes; an administrator "
                                         "can share them with every teacher.")
        return data

    def _shared_by_an_admin(self) -> bool:
        """A research clip an admin shared stays shared when its owner edits it (``initial`` is what is saved)."""
        return self.initial.get("visibility") == Visibility.PUBLIC and bool(self.initial.get("research_basis"))

    def save(self, commit=True):
        self.instance.regions = self.cleaned_data.get("regions_json") or []
        return super().save(commit=commit)

    def clip_fields(self) -> dict:
        fields = {name: self.cleaned_data.get(name) for name in self.Meta.fields}
        fields["regions"] = self.cleaned_data.get("regions_json") or []
        return fields


class ClipUploadForm(ClipMetadataForm):
    file = forms.FileField(
        label="Media file",
        help_text="An image (JPEG, PNG, WebP, GIF), a video (MP4, WebM, MOV) or an audio file (MP3, WAV, M4A, OGG). "
                  "Images up to 20 MB and 40 megapixels; video and audio up to 200 MB and 120 seconds.",
    )

    field_order = ["file"]

    def add_error(self, field, error):
        super().add_error(field, error)
        if self.files.get("file"):
            # Browsers never refill a file input: the page sent back for any error says so beside it.
            self["file"].help_text = ("<strong>Choose the file again: browsers do not keep it after an "
                                      "error.</strong> " + self.fields["file"].help_text)

    def clean_file(self):
        from . import media
        from .services import media_limits

        upload = self.cleaned_data["file"]
        limits = media_limits()
        if upload.size == 0:
            raise forms.ValidationError("The file is empty.")
        if upload.size > max(limits.image_max_bytes, limits.av_max_bytes):
            raise forms.ValidationError(
                f"The file is {upload.size / 1_048_576:.0f} MB; the limit is "
                f"{max(limits.image_max_bytes, limits.av_max_bytes) / 1_048_576:.0f} MB."
            )
        # Check the bytes now, so a bad file is refused before anything is saved. Django has
        # already written a large upload to a temporary file; a small one is in memory.
        try:
            if hasattr(upload, "temporary_file_path"):
                probe = media.probe(Path(upload.temporary_file_path()), limits=limits)
            else:
                with tempfile.NamedTemporaryFile(suffix=".upload") as handle:
                    for chunk in upload.chunks():
                        handle.write(chunk)
                    handle.flush()
                    probe = media.probe(Path(handle.name), limits=limits)
        except media.MediaError as error:
            raise forms.ValidationError(error.message)
        upload.seek(0)
        self.probe = probe
        return upload


class LibraryFilterForm(forms.Form):
    media_type = forms.ChoiceField(choices=[("", "Any media")] + list(MediaType.choices), required=False,
                                   label="Media")
    truth = forms.ChoiceField(choices=[("", "Real or synthetic")] + list(Truth.choices), required=False,
                              label="Truth")
    technique = forms.ChoiceField(choices=[("", "Any technique")] + list(Technique.choices), required=False)
    difficulty = forms.TypedChoiceField(choices=[("", "Any difficulty")] + list(Difficulty.choices),
                                        required=False, coerce=int, empty_value=None)
    owner = forms.ChoiceField(choices=[("", "Everyone's"), ("mine", "Mine only")], required=False)
    q = forms.CharField(required=False, label="Search titles", max_length=100)

    def filter(self, queryset, user):
        data = self.cleaned_data
        for name in ("media_type", "truth", "technique"):
            if data.get(name):
                queryset = queryset.filter(**{name: data[name]})
        if data.get("difficulty"):
            queryset = queryset.filter(difficulty=data["difficulty"])
        if data.get("owner") == "mine":
            queryset = queryset.filter(owner=user)
        if data.get("q"):
            queryset = queryset.filter(title__icontains=data["q"])
        return queryset


class ImportForm(forms.Form):
    fmt = forms.ChoiceField(label="Dataset format", choices=[
        ("dfdc", "DFDC part folder (metadata.json)"), ("ffpp", "FaceForensics++ tree"),
        ("celebdf", "Celeb-DF v2 folder"), ("csv", "CSV manifest (with the files beside it)"),
    ])
    archive = forms.FileField(label="ZIP of the dataset folder",
                              help_text="Zip the folder as it is on disk. Research datasets stay visible only to "
                                        "you and your classes.")

    def clean_archive(self):
        import zipfile

        archive = self.cleaned_data["archive"]
        if not zipfile.is_zipfile(archive):
            raise forms.ValidationError("This is not a ZIP archive. Zip the dataset folder and try again.")
        archive.seek(0)
        return archive
