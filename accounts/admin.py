"""A superuser resets someone's two-factor sign-in from their user page in admin (a lost phone)."""

from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.services import two_factor_reset

User = get_user_model()


class UserWithTwoFactorAdmin(UserAdmin):
    actions = [*UserAdmin.actions, "reset_two_factor"]

    def has_reset_two_factor_permission(self, request):
        return request.user.is_superuser

    @admin.action(description=_("Reset two-factor sign-in (they set it up again)"), permissions=["reset_two_factor"])
    def reset_two_factor(self, request, queryset):
        for user in queryset:
            two_factor_reset(user=user)
            self.log_change(request, user, "Reset two-factor sign-in.")
        count = queryset.count()
        self.message_user(
            request,
            ngettext(
                "Two-factor sign-in reset for %(count)d user: each sets up an authenticator at the next sign-in.",
                "Two-factor sign-in reset for %(count)d users: each sets up an authenticator at the next sign-in.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )


admin.site.unregister(User)
admin.site.register(User, UserWithTwoFactorAdmin)
