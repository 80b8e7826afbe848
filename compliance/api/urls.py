from csp.decorators import csp_update
from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

import compliance.converters  # noqa: F401 - registers the <code:…> and <receipt:…> URL parts
from compliance.api import campaigns, errors, letters, missions, moderation, owners, views, webhooks

urlpatterns = [
    # The reads every map visit makes come first: Django tries the routes in order, for every request.
    path("compliance/", views.compliance_figures, name="api-compliance"),
    path("map/", views.MapFeatures.as_view(), name="api-map"),
    path("jurisdictions/", views.JurisdictionList.as_view(), name="api-jurisdictions"),
    path("jurisdictions/<code:code>/", views.JurisdictionDetail.as_view(), name="api-jurisdiction"),
    path("venue-types/", views.VenueTypeList.as_view(), name="api-venue-types"),
    path("laws/", views.PostingLawList.as_view(), name="api-laws"),
    path("laws/<int:pk>/", views.PostingLawDetail.as_view(), name="api-law"),
    path("locate/", views.Locate.as_view(), name="api-locate"),
    path("observations/", views.ObservationCreate.as_view(), name="api-observations"),
    path("observations/mine/", views.MyObservations.as_view(), name="api-my-observations"),
    path("observations/receipt/<receipt:receipt>/", views.ObservationReceipt.as_view(), name="api-receipt"),
    path("venues/nearby/", views.NearbyVenues.as_view(), name="api-venues-nearby"),
    path("venues/<uuid:public_id>/", views.VenueDetail.as_view(), name="api-venue"),
    path("venues/<uuid:public_id>/owner-reports/", owners.OwnerReportCreate.as_view(), name="api-venue-owner-reports"),
    path("moderation/queue/", moderation.ModerationQueue.as_view(), name="api-moderation-queue"),
    path("moderation/observations/<uuid:public_id>/", views.ModerateObservation.as_view(), name="api-moderate"),
    path("moderation/bulk/", moderation.ModerateMany.as_view(), name="api-moderate-many"),
    path(
        "moderation/observations/<uuid:public_id>/second-opinion/",
        moderation.AskSecondOpinion.as_view(),
        name="api-second-opinion",
    ),
    path("moderation/venues/<uuid:public_id>/settle/", moderation.SettleDispute.as_view(), name="api-settle-dispute"),
    path("missions/nearby/", missions.MissionsNearby.as_view(), name="api-missions-nearby"),
    path("missions/could-not-survey/", missions.CouldNotSurvey.as_view(), name="api-could-not-survey"),
    path("missions/<code:code>/", missions.JurisdictionSample.as_view(), name="api-mission"),
    path("letters/", letters.LetterListCreate.as_view(), name="api-letters"),
    path("letters/<uuid:public_id>/", letters.LetterDetail.as_view(), name="api-letter"),
    path("campaigns/", campaigns.CampaignCreate.as_view(), name="api-campaigns"),
    path("campaigns/<code:code>/", campaigns.CampaignDetail.as_view(), name="api-campaign"),
    path("campaigns/<code:code>/supporters/", campaigns.Supporters.as_view(), name="api-campaign-supporters"),
    path("webhooks/", webhooks.EndpointList.as_view(), name="api-webhooks"),
    path("webhooks/<int:pk>/", webhooks.EndpointDetail.as_view(), name="api-webhook"),
    path("webhooks/<int:pk>/deliveries/", webhooks.EndpointDeliveries.as_view(), name="api-webhook-deliveries"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # Swagger UI's page loads its start-up script as a file (the split view) but keeps an inline style block: this
    # one page allows inline styles, not the whole site.
    path(
        "docs/",
        csp_update({"style-src": ["'unsafe-inline'"]})(SpectacularSwaggerSplitView.as_view(url_name="api-schema")),
        name="api-docs",
    ),
    # Anything else under /api/ is a JSON 404, not the HTML page.
    re_path(r"^.*$", errors.json_not_found),
]
