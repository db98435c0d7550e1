from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from hadir.accounts.models import User


@admin.register(User)
class UserAdmin(DjangoUserAdmin[User]):
    list_display = [
        "username",
        "first_name",
        "email",
        "is_active",
        "must_change_password",
        "is_staff",
    ]
    fieldsets = (
        *(DjangoUserAdmin.fieldsets or ()),
        ("Hadir", {"fields": ["must_change_password"]}),
    )
