from django.contrib import admin
from django.db import models

from . import services
from .models import Clip


@admin.register(Clip)
class ClipAdmin(admin.ModelAdmin):
    list_display = ("title", "media_type", "truth", "technique", "status", "visibility", "owner", "retired", "created_at")
    list_filter = ("media_type", "truth", "technique", "status", "visibility", "retired", "dataset")
    search_fields = ("title", "public_id", "dataset", "source", "sha256")
    raw_id_fields = ("owner", "sibling", "near_duplicate_of")
    readonly_fields = ("public_id", "import_key", "sha256", "phash", "created_at", "updated_at")
    # A source link typed without a scheme is read as https, as on the app's own clip form.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def save_model(self, request, obj, form, change):
        # Through the service, so a relabelled clip rescores the answers given to it (the dashboards sum those).
        if change:
            services.clip_update(form=form)
        else:
            super().save_model(request, obj, form, change)
