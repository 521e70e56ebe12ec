from django.urls import path

from . import views

app_name = "lessons"

urlpatterns = [
    path("", views.course_overview, name="overview"),
    path("<slug:slug>/", views.lesson_detail, name="lesson_detail"),
    path("<slug:slug>/check/", views.check_answer, name="check_answer"),
    path("<slug:slug>/sections/<int:number>/read/", views.section_read, name="section_read"),
    path("<slug:slug>/complete/", views.lesson_complete, name="lesson_complete"),
]
