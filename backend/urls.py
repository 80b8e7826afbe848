"""Top-level routes: the pages, the JSON API under /api/, and the staff admin."""

import django.contrib.auth.admin  # noqa: F401
import django_tasks_db.admin  # noqa: F401
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt
from django.views.i18n import JavaScriptCatalog, set_language

# settings.py installs SimpleAdminConfig (no autodiscovery, because django-leaflet's admin module needs GDAL), so
# the admin modules in use are imported here, explicitly.
import compliance.admin  # noqa: F401
from compliance import security
from compliance.views import errors

# Both sign-in forms count failed attempts and lock out brute-force guessing (compliance/security.py).
admin.site.login_form = security.AdminLoginForm

urlpatterns = [
    path("api/", include("compliance.api.urls")),
    path("open311/", include("compliance.api.open311_urls")),  # GeoReport v2, read-only, for civic-tech tools
    path("admin/login/", security.answer_refusals_with_429(admin.site.login)),
    path("admin/", admin.site.urls),
    path(
        "accounts/login/",
        security.answer_refusals_with_429(auth_views.LoginView.as_view(authentication_form=security.LoginForm)),
        name="login",
    ),
    path("accounts/", include("django.contrib.auth.urls")),
    path("jsi18n/", JavaScriptCatalog.as_view(packages=["compliance"]), name="javascript-catalog"),
    # The header's English / Español switch. Without a CSRF token: a page that carried one would be each visitor's
    # own, and could not be kept whole for everyone (compliance/kept.py); a forged switch only changes a language.
    # set_language still redirects only to this site.
    path("i18n/setlang/", csrf_exempt(set_language), name="set_language"),
    path("", include("compliance.urls")),
]

handler400 = errors.bad_request
handler403 = errors.permission_denied
handler404 = errors.not_found
handler500 = errors.server_error
