from django.contrib import admin

from .models import Attempt, AttemptItem, Quiz, QuizItem, Response


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
    model = AttemptItem
    raw_id_fields = ["clip"]
    readonly_fields = ["token", "shown_at"]
    extra = 0


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


@admin.register(QuizItem)
class QuizItemAdmin(admin.ModelAdmin):
    list_display = ["quiz", "position", "clip"]
    raw_id_fields = ["quiz", "clip"]
