from django.urls import path

from hadir.org import views

app_name = "org"
urlpatterns = [
    path("unit/", views.units, name="units"),
    path("unit/<int:unit_id>/", views.unit_detail, name="unit_detail"),
    path("unit/<int:unit_id>/lokasi/", views.unit_locations, name="unit_locations"),
    path("lokasi-tambahan/", views.my_locations, name="my_locations"),
    path("lokasi-tambahan/persetujuan/", views.grants, name="grants"),
]
