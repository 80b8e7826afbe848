"""Top-level routes: the pages, the JSON API under /api/, and the staff admin."""

import django.contrib.auth.admin  # noqa: F401
import django_tasks_db.admin  # noqa: F401
from django.conf import settings
from django.contrib import admin
from django.urls import include, path

# settings.py installs SimpleAdminConfig (no autodiscovery, because django-leaflet's admin module needs GDAL), so
# the admin modules in use are imported here, explicitly.
import compliance.admin  # noqa: F401
from compliance import views

urlpatterns = [
    path("api/", include("compliance.api.urls")),
    path("admin/", admin.site.urls),
    path("", include("compliance.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

handler404 = views.not_found
handler500 = views.server_error
