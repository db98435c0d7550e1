from django.contrib import admin
from django.urls import include, path

from hadir.config.api import api
from hadir.org.views import home

admin.site.site_header = "Hadir"
admin.site.site_title = "Hadir"

urlpatterns = [
    path("", home, name="home"),
    path("akun/", include("hadir.accounts.urls")),
    path("org/", include("hadir.org.urls")),
    path("jadwal/", include("hadir.schedules.urls")),
    path("presensi/", include("hadir.presence.urls")),
    path("laporan/", include("hadir.requests.urls")),
    path("rekap/", include("hadir.recap.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
]
