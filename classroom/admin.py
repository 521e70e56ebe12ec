"""Admin for classes, their teachers, students, assignments and exports."""

from django.contrib import admin
from django.db import transaction

from . import services
from .models import Assignment, Classroom, ClassTeacher, ExportJob, Membership


class ClassTeacherInline(admin.TabularInline):
    model = ClassTeacher
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Classroom)
class ClassroomAdmin(admin.ModelAdmin):
    list_display = ("name", "join_code", "archived_at", "created_at")
    list_filter = ("archived_at",)
    search_fields = ("name", "join_code")
    readonly_fields = ("public_id",)
    inlines = [ClassTeacherInline]


@admin.register(ClassTeacher)
class ClassTeacherAdmin(admin.ModelAdmin):
    list_display = ("classroom", "user", "role", "created_at")
    list_filter = ("role",)
    search_fields = ("classroom__name", "user__email")
    autocomplete_fields = ["classroom", "user"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("classroom", "student", "joined_at")
    search_fields = ("classroom__name", "student__email")
    autocomplete_fields = ["classroom", "student"]

    # A membership is one student in one class: moving someone is a removal (which deletes the
    # class's export files that list them, as the app's own Remove does) and a new membership.
    def get_readonly_fields(self, request, obj=None):
        return ("classroom", "student") if obj is not None else ()

    # Through the service, so the class's export files that still list the student go too.
    def delete_model(self, request, obj):
        services.membership_remove(membership=obj)

    @transaction.atomic  # all the ticked memberships, or none
    def delete_queryset(self, request, queryset):
        for membership in queryset:
            services.membership_remove(membership=membership)


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    list_display = ("__str__", "kind", "opens_at", "due_at")
    list_filter = ("kind",)
    search_fields = ("classroom__name", "quiz__title", "lesson__title")
    raw_id_fields = ("classroom", "lesson", "quiz", "pre", "created_by")


@admin.register(ExportJob)
class ExportJobAdmin(admin.ModelAdmin):
    list_display = ("classroom", "status", "done", "total", "created_at", "finished_at")
    list_filter = ("status",)
    raw_id_fields = ("classroom", "requested_by")
    # The file holds learners' answers and is private: no URL to link to (the admin's file widget
    # needs one), and it reaches people only through the class's own download page.
    exclude = ("file",)
    readonly_fields = ("file_held",)

    @admin.display(description="File")
    def file_held(self, obj):
        return "Kept privately (download it from the class page)" if obj.file else "None"
