from django.contrib import admin

from . import services
from .models import Attempt, AttemptItem, AttemptScore, Quiz, QuizItem, Response


class QuizItemInline(admin.TabularInline):
    model = QuizItem
    raw_id_fields = ["clip"]
    extra = 0


@admin.register(Quiz)
class QuizAdmin(admin.ModelAdmin):
    list_display = ["title", "owner", "mode", "selection", "is_public", "is_published", "created_at"]
    list_filter = ["mode", "selection", "is_public", "is_published"]
    search_fields = ["title", "owner__email"]
    raw_id_fields = ["owner"]
    inlines = [QuizItemInline]


class AttemptItemInline(admin.TabularInline):
    """An attempt's items are frozen when it starts and its scores follow them: read-only here."""

    model = AttemptItem
    fields = readonly_fields = ["position", "clip", "token", "shown_at"]
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Attempt)
class AttemptAdmin(admin.ModelAdmin):
    list_display = ["quiz", "learner", "is_preview", "started_at", "finished_at"]
    list_filter = ["is_preview", "mode"]
    search_fields = ["learner__email", "quiz__title", "public_id"]
    raw_id_fields = ["quiz", "learner"]
    inlines = [AttemptItemInline]


@admin.register(Response)
class ResponseAdmin(admin.ModelAdmin):
    list_display = ["item", "answered_fake", "confidence", "time_ms", "found_tell", "created_at"]
    raw_id_fields = ["item"]

    # An edit here bypasses response_record: rescore the attempts it touched.
    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        services.attempt_scores_rebuild(attempts=[obj.item.attempt_id])

    def delete_model(self, request, obj):
        attempt_id = obj.item.attempt_id
        super().delete_model(request, obj)
        services.attempt_scores_rebuild(attempts=[attempt_id])

    def delete_queryset(self, request, queryset):
        attempt_ids = list(queryset.values_list("item__attempt_id", flat=True).distinct())
        super().delete_queryset(request, queryset)
        services.attempt_scores_rebuild(attempts=attempt_ids)


@admin.register(AttemptScore)
class AttemptScoreAdmin(admin.ModelAdmin):
    """Read-only: the rows are kept by quiz.services."""

    list_display = ["attempt", "technique", "n", "n_fake", "hits", "false_alarms", "brier_e4"]
    raw_id_fields = ["attempt"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(QuizItem)
class QuizItemAdmin(admin.ModelAdmin):
    list_display = ["quiz", "position", "clip"]
    raw_id_fields = ["quiz", "clip"]
