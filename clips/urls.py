from django.urls import path

from . import views

app_name = "clips"

urlpatterns = [
    path("", views.library, name="library"),
    path("upload/", views.upload, name="upload"),
    path("import/", views.import_new, name="import_new"),
    path("import/<str:public_id>/", views.import_detail, name="import_detail"),
    path("<str:public_id>/", views.detail, name="detail"),
    path("<str:public_id>/status/", views.status, name="status"),
    path("<str:public_id>/retry/", views.retry, name="retry"),
    path("<str:public_id>/edit/", views.edit, name="edit"),
    path("<str:public_id>/delete/", views.delete, name="delete"),
    path("<str:public_id>/download/", views.download, name="download"),
]
