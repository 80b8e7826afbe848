from django.urls import path

import compliance.converters  # noqa: F401 - registers the <code:…> and <receipt:…> URL parts
from compliance.views import campaigns, feeds, letters, moderation, photos, public, reports, signs, volunteers

urlpatterns = [
    path("", public.map_page, name="map"),
    path("j/<code:code>/", public.jurisdiction_page, name="jurisdiction"),
    path("v/<int:pk>/", public.venue_page, name="venue"),
    path("submit/", volunteers.submit_page, name="submit"),
    path("sw.js", volunteers.service_worker, name="service-worker"),
    path("r/<receipt:receipt>/", volunteers.receipt_page, name="receipt"),
    path("my/reports/", volunteers.my_reports_page, name="my-reports"),
    path("unsubscribe/<str:token>/", volunteers.unsubscribe_page, name="unsubscribe"),
    path("moderate/", moderation.moderate_page, name="moderate"),
    path("photos/<uuid:public_id>.jpg", photos.photo, name="photo"),
    path("photos/<uuid:public_id>/thumb.jpg", photos.photo_thumbnail, name="photo-thumbnail"),
    path("reports/<code:code>/", reports.report_page, name="report"),
    path("reports/<code:code>.pdf", reports.report_pdf, name="report-pdf"),
    path("reports/<code:code>.csv", reports.report_csv, name="report-csv"),
    path("reports/<code:code>.geojson", reports.report_geojson, name="report-geojson"),
    path("campaigns/<code:code>/", campaigns.campaign_page, name="campaign"),
    path("campaigns/<code:code>/open/", campaigns.open_page, name="campaign-open"),
    path("campaigns/<code:code>/supporters.csv", campaigns.supporters_csv, name="campaign-supporters-csv"),
    path("campaigns/confirm/<str:token>/", campaigns.confirm_page, name="campaign-confirm"),
    path("letters/", letters.tracker_page, name="letters"),
    path("letters/<uuid:public_id>/", letters.letter_page, name="letter"),
    path("letters/<uuid:public_id>.docx", letters.letter_docx, name="letter-docx"),
    path("letters/<uuid:public_id>.pdf", letters.letter_pdf, name="letter-pdf"),
    path("letters/<uuid:public_id>/answer.pdf", letters.answer_attachment, name="letter-answer"),
    path("feeds/all.atom", feeds.activity_feed, name="feed-all"),
    path("feeds/<code:code>.atom", feeds.activity_feed, name="feed-jurisdiction"),
    path("signs/", signs.sign_picker, name="signs"),
    path("signs/<code:code>/", signs.sign_page, name="sign-page"),
    path("signs/<code:code>.pdf", signs.sign_pdf, name="sign-pdf"),
]
