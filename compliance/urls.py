from django.urls import path

from compliance import views

urlpatterns = [
    path("", views.map_page, name="map"),
    path("j/<str:code>/", views.jurisdiction_page, name="jurisdiction"),
]
