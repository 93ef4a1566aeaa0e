from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt
from django.views.i18n import set_language

from clinic import views
from clinic.forms import SignInForm
from clinic.lib.replica import reads_from_replica
from content.sitemaps import SITEMAPS

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("admin/", admin.site.urls),
    path("accounts/", include("accounts.urls")),
    path("accounts/login/", auth_views.LoginView.as_view(authentication_form=SignInForm), name="login"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("practice/", include("practice.urls")),
    path("sitemap.xml", reads_from_replica(sitemap), {"sitemaps": SITEMAPS}, name="sitemap"),
    # The language switcher of every public page. No CSRF token: a finished article page is kept in the
    # shared cache for every reader (content.page_cache), and a token in it would be someone else's. All
    # the form can do is set the language cookie and go to a page of this site (set_language checks `next`).
    path("i18n/setlang/", csrf_exempt(set_language), name="set_language"),
]
# The public pages, in English at these addresses and in Simplified Chinese under /zh-hans/.
urlpatterns += i18n_patterns(
    path("", views.home, name="home"),
    path("privacy/", views.privacy, name="privacy"),
    path("assessment/", include("patients.urls")),
    path("", include("content.urls")),
    prefix_default_language=False,
)

handler400 = "clinic.views.bad_request"
handler500 = "clinic.views.server_error"
