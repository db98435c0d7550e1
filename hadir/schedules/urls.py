from django.urls import path

from hadir.schedules import views

app_name = "schedules"
urlpatterns = [
    path("unit/<int:unit_id>/libur/", views.unit_holidays, name="unit_holidays"),
]
