from django import forms
from django.contrib import admin
from django.db import transaction

from . import services
from .forms import LabelWordsMixin, ProvenanceMixin
from .models import Clip


class ClipAdminForm(LabelWordsMixin, ProvenanceMixin, forms.ModelForm):
    """The admin edits clips too, so it keeps the app's rules: no label words in the title and alt text,
    provenance recorded, and a whole consent record (or a research basis) for a synthetic real person."""

    # A source link typed without a scheme is read as https, as on the app's own clip form. Declared
    # here rather than in formfield_overrides, which the admin skips when it first builds this form.
    source_url = forms.URLField(label="Source URL", required=False, max_length=500, assume_scheme="https")

    class Meta:
        model = Clip
        fields = "__all__"


@admin.register(Clip)
class ClipAdmin(admin.ModelAdmin):
    form = ClipAdminForm
    list_display = ("title", "media_type", "truth", "technique", "status", "visibility", "owner", "retired", "created_at")
    list_filter = ("media_type", "truth", "technique", "status", "visibility", "retired", "dataset")
    search_fields = ("title", "public_id", "dataset", "source", "sha256")
    raw_id_fields = ("owner", "sibling", "near_duplicate_of")
    # What the media pipeline makes or records is shown, never typed in: a file put up here as the
    # rendition would be served under its own name ("deepfake_face.jpg", rule 1) with its metadata.
    PIPELINE_FIELDS = ("status", "failure_reason", "progress", "processing_started_at", "processed_at",
                       "original_size", "rendition", "poster", "thumbnail", "ela", "mime", "width", "height",
                       "duration_seconds", "sha256", "phash", "near_duplicate_of")
    readonly_fields = ("public_id", "import_key", *PIPELINE_FIELDS, "created_at", "updated_at")

    def get_readonly_fields(self, request, obj=None):
        # A stored original is replaced by deleting the clip and adding it again (the pipeline runs once
        # per clip). Shown by size only: originals are private and have no URL to link to.
        return (*self.readonly_fields, "original_held") if obj is not None else self.readonly_fields

    def get_exclude(self, request, obj=None):
        return ("original",) if obj is not None else ()

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if obj is None:
            form.base_fields["original"].required = True
            form.base_fields["original"].help_text = "The file itself: it is processed like an upload in the app."
        return form

    @admin.display(description="Original")
    def original_held(self, obj):
        return f"Kept privately ({obj.original_size:,} bytes)" if obj.original else "None"

    def save_model(self, request, obj, form, change):
        # Through the services: a relabelled clip rescores the answers given to it (the dashboards sum
        # those), and a new one is stored and processed as an upload in the app is.
        if change:
            services.clip_update(form=form)
        else:
            original, obj.original = form.cleaned_data["original"], None
            services.clip_add(clip=obj, original=original)

    # Deleting here goes through the service, as the app's Delete does: the rendition stops being
    # served and the private original goes too (consent withdrawn must mean the file is gone). A clip
    # that quizzes use is protected, and the admin lists those quiz items as what blocks the deletion.
    def delete_model(self, request, obj):
        services.clip_delete(clip=obj)

    @transaction.atomic  # all the ticked clips, or none (their files go once this commits)
    def delete_queryset(self, request, queryset):
        for clip in queryset:
            services.clip_delete(clip=clip)
