from django.urls import path

from hadir.requests import views

app_name = "requests"
urlpatterns = [
    path("", views.index, name="index"),
    path("baru/", views.new, name="new"),
    path("celah/", views.gaps_page, name="gaps"),
    path("verifikasi/", views.queue, name="queue"),
    path("notifikasi/", views.notifications, name="notifications"),
    path("<str:reference>/", views.detail, name="detail"),
    path("<str:reference>/bukti/", views.evidence, name="evidence"),
    path("<str:reference>/tarik/", views.withdraw, name="withdraw"),
    path("<str:reference>/putuskan/", views.decide, name="decide"),
]
