from django.urls import path

from hadir.recap import views

app_name = "recap"
urlpatterns = [
    path("saya/", views.my_month, name="my_month"),
    path("pegawai/<int:employee_id>/", views.employee_month, name="employee_month"),
    path("pegawai/<int:employee_id>/sanksi/", views.sanction_decide_view, name="sanction_decide"),
    path(
        "pegawai/<int:employee_id>/sanksi/<int:decision_id>/cabut/",
        views.sanction_revoke_view,
        name="sanction_revoke",
    ),
    path("unit/<int:unit_id>/", views.unit_month, name="unit_month"),
    path("unit/<int:unit_id>/ekspor/", views.unit_export, name="unit_export"),
    path("unit/<int:unit_id>/tutup/", views.close, name="close"),
    path("ekspor/<int:job_id>/", views.export_job, name="export_job"),
]
