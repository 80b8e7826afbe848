from django.urls import path

from compliance.views import moderation, photos, public, volunteers

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
    # reports: added by the reports work
    # letters: added by the letters work
    # signs: added by the signs work
]
