from django.contrib import admin
from django.db import transaction
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from . import services
from .models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ("email",)
    list_display = ("email", "display_name", "is_staff", "is_active", "date_joined")
    search_fields = ("email", "display_name")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Profile", {"fields": ("display_name", "first_name", "last_name")}),
        ("Permissions", {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)

    # Deleting here goes through the service, as deleting one's own account does: export files
    # that list the student and log-in records go too (integrity rule 4). A teacher who owns
    # classes is shown those classes as what blocks the deletion, as the admin shows protected rows.
    def get_deleted_objects(self, objs, request):
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        for user in objs:
            for classroom in services.user_owned_classes(user=user):
                protected.append(f"Class “{classroom.name}”, which {user.email} owns: delete it or hand it "
                                 "to another teacher first")
        return deleted, counts, perms_needed, protected

    def delete_model(self, request, obj):
        services.user_delete(user=obj)

    @transaction.atomic  # all the ticked accounts, or none: the admin's bulk action has no transaction
    def delete_queryset(self, request, queryset):
        for user in queryset:
            services.user_delete(user=user)
