from django.urls import path

from hadir.org import views

app_name = "org"
urlpatterns = [
    path("unit/", views.units, name="units"),
    path("unit/<int:unit_id>/", views.unit_detail, name="unit_detail"),
]
