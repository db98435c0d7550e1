from django.urls import path

from hadir.presence import views

app_name = "presence"
urlpatterns = [
    path("", views.check_in_page, name="check_in"),
    path("manifest.webmanifest", views.manifest, name="manifest"),
    path("sw.js", views.service_worker, name="service_worker"),
    path("langsung/<int:unit_id>/", views.live, name="live"),
    path("impor/", views.punch_import, name="import"),
    path("mesin/", views.machines, name="machines"),
    path("mesin/<int:machine_id>/", views.machine, name="machine"),
    path("pegawai/<int:employee_id>/ponsel/reset/", views.phones_reset, name="phones_reset"),
]
