from django.urls import path

from . import views

app_name = "quiz"

urlpatterns = [
    path("", views.quiz_list, name="quiz_list"),
    path("practice/", views.quiz_practice, name="practice"),
    path("guest/", views.quiz_guest, name="guest"),
    path("history/", views.attempt_history, name="attempt_history"),
    path("manage/", views.quiz_manage, name="quiz_manage"),
    path("manage/new/", views.quiz_create, name="quiz_create"),
    path("manage/<str:quiz_id>/edit/", views.quiz_edit, name="quiz_edit"),
    path("manage/<str:quiz_id>/clips/", views.quiz_clips, name="quiz_clips"),
    path("manage/<str:quiz_id>/duplicate/", views.quiz_duplicate, name="quiz_duplicate"),
    path("manage/<str:quiz_id>/preview/", views.quiz_preview, name="quiz_preview"),
    path("manage/<str:quiz_id>/delete/", views.quiz_delete, name="quiz_delete"),
    path("attempt/<str:attempt_id>/", views.attempt_take, name="attempt_take"),
    path("attempt/<str:attempt_id>/answer/", views.response_submit, name="response_submit"),
    path("attempt/<str:attempt_id>/reveal/<str:token>/", views.attempt_reveal, name="attempt_reveal"),
    path("attempt/<str:attempt_id>/results/", views.attempt_results, name="attempt_results"),
    path("<str:quiz_id>/", views.quiz_start, name="quiz_start"),
]
