from django import forms
from django.contrib import admin

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
    readonly_fields = ("public_id", "import_key", "sha256", "phash", "created_at", "updated_at")

    def save_model(self, request, obj, form, change):
        # Through the service, so a relabelled clip rescores the answers given to it (the dashboards sum those).
        if change:
            services.clip_update(form=form)
        else:
            super().save_model(request, obj, form, change)

    # Deleting here goes through the service, as the app's Delete does: the rendition stops being
    # served and the private original goes too (consent withdrawn must mean the file is gone). A clip
    # that quizzes use is protected, and the admin lists those quiz items as what blocks the deletion.
    def delete_model(self, request, obj):
        services.clip_delete(clip=obj)

    def delete_queryset(self, request, queryset):
        for clip in queryset:
            services.clip_delete(clip=clip)
