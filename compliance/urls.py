from django.urls import path

from compliance import views

urlpatterns = [
    path("", views.map_page, name="map"),
    path("j/<str:code>/", views.jurisdiction_page, name="jurisdiction"),
    path("v/<int:pk>/", views.venue_page, name="venue"),
    path("submit/", views.submit_page, name="submit"),
    path("r/<str:receipt>/", views.receipt_page, name="receipt"),
    path("my/reports/", views.my_reports_page, name="my-reports"),
    path("moderate/", views.moderate_page, name="moderate"),
    path("photos/<uuid:public_id>.jpg", views.photo, name="photo"),
    path("photos/<uuid:public_id>/thumb.jpg", views.photo_thumbnail, name="photo-thumbnail"),
]
