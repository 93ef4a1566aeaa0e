from django.conf import settings
from django.utils.functional import SimpleLazyObject

from practice.access import user_is_workspace_member


def clinic(request):
    return {
        "clinic_name": settings.CLINIC_NAME,
        "login_cooloff_minutes": settings.LOGIN_COOLOFF_MINUTES,
        # Read only when a template asks: most public pages never do.
        "workspace_member": SimpleLazyObject(lambda: user_is_workspace_member(user=request.user)),
    }
