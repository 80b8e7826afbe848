from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from compliance.api import errors, views

urlpatterns = [
    path("jurisdictions/", views.JurisdictionList.as_view(), name="api-jurisdictions"),
    path("jurisdictions/<str:code>/", views.JurisdictionDetail.as_view(), name="api-jurisdiction"),
    path("venue-types/", views.VenueTypeList.as_view(), name="api-venue-types"),
    path("laws/", views.PostingLawList.as_view(), name="api-laws"),
    path("laws/<int:pk>/", views.PostingLawDetail.as_view(), name="api-law"),
    path("locate/", views.Locate.as_view(), name="api-locate"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    # Anything else under /api/ is a JSON 404, not the HTML page.
    re_path(r"^.*$", errors.json_not_found),
]
