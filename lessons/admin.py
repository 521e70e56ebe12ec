"""Admin for the course. Lesson content lives in files (``load_lessons``), so it is read-only here."""

from django.contrib import admin

from .models import CheckAnswer, Course, Lesson, LessonProgress


class ContentFromFilesAdmin(admin.ModelAdmin):
    """Rows are created and updated by ``manage.py load_lessons``; deleting one would drop progress."""

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]


@admin.register(Course)
class CourseAdmin(ContentFromFilesAdmin):
    list_display = ("title", "slug", "updated_at")


@admin.register(Lesson)
class LessonAdmin(ContentFromFilesAdmin):
    list_display = ("title", "course", "order", "is_published", "source_file", "updated_at")
    list_filter = ("course", "is_published")
    search_fields = ("title", "slug")
    fields = ("course", "slug", "order", "title", "summary", "objectives", "practice_techniques", "checks",
              "sources", "body", "section_count", "word_count", "source_file", "is_published",
              "created_at", "updated_at")


@admin.register(LessonProgress)
class LessonProgressAdmin(admin.ModelAdmin):
    list_display = ("learner", "lesson", "started_at", "sections_read", "completed_at")
    list_filter = ("lesson",)
    list_select_related = ("learner", "lesson")
    search_fields = ("learner__email", "learner__display_name")
    raw_id_fields = ("learner",)
    date_hierarchy = "started_at"


@admin.register(CheckAnswer)
class CheckAnswerAdmin(admin.ModelAdmin):
    list_display = ("learner", "lesson", "check_id", "option_index", "correct", "attempts", "answered_at")
    list_filter = ("lesson", "correct")
    list_select_related = ("learner", "lesson")
    search_fields = ("learner__email", "learner__display_name", "check_id")
    raw_id_fields = ("learner",)
