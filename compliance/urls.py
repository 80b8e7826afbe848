from django.urls import path

from compliance.views import letters, moderation, photos, public, reports, signs, volunteers

urlpatterns = [
    path("", public.map_page, name="map"),
    path("j/<str:code>/", public.jurisdiction_page, name="jurisdiction"),
    path("v/<int:pk>/", public.venue_page, name="venue"),
    path("submit/", volunteers.submit_page, name="submit"),
    path("r/<str:receipt>/", volunteers.receipt_page, name="receipt"),
    path("my/reports/", volunteers.my_reports_page, name="my-reports"),
    path("moderate/", moderation.moderate_page, name="moderate"),
    path("photos/<uuid:public_id>.jpg", photos.photo, name="photo"),
    path("photos/<uuid:public_id>/thumb.jpg", photos.photo_thumbnail, name="photo-thumbnail"),
    path("reports/<str:code>/", reports.report_page, name="report"),
    path("reports/<str:code>.pdf", reports.report_pdf, name="report-pdf"),
    path("reports/<str:code>.csv", reports.report_csv, name="report-csv"),
    path("reports/<str:code>.geojson", reports.report_geojson, name="report-geojson"),
    path("letters/", letters.tracker_page, name="letters"),
    path("letters/<uuid:public_id>/", letters.letter_page, name="letter"),
    path("letters/<uuid:public_id>.docx", letters.letter_docx, name="letter-docx"),
    path("letters/<uuid:public_id>.pdf", letters.letter_pdf, name="letter-pdf"),
    path("signs/", signs.sign_picker, name="signs"),
    path("signs/<str:code>/", signs.sign_page, name="sign-page"),
    path("signs/<str:code>.pdf", signs.sign_pdf, name="sign-pdf"),
]
