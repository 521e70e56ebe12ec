from django.urls import path

from . import views

app_name = "classroom"

urlpatterns = [
    path("", views.class_list, name="class_list"),
    path("new/", views.class_create, name="class_create"),
    path("join/", views.join, name="join"),
    path("join/<str:token>/", views.join_link, name="join_link"),
    path("my-work/", views.my_work, name="my_work"),
    path("my-work/<str:class_id>/leave/", views.leave, name="leave"),
    path("<str:class_id>/", views.class_detail, name="class_detail"),
    path("<str:class_id>/edit/", views.class_edit, name="class_edit"),
    path("<str:class_id>/archive/", views.class_archive, name="class_archive"),
    path("<str:class_id>/delete/", views.class_delete, name="class_delete"),
    path("<str:class_id>/roster/", views.roster, name="roster"),
    path("<str:class_id>/code/", views.join_code_regenerate, name="join_code_regenerate"),
    path("<str:class_id>/link/", views.join_link_regenerate, name="join_link_regenerate"),
    path("<str:class_id>/students/<str:member_id>/", views.student_detail, name="student_detail"),
    path("<str:class_id>/students/<str:member_id>/remove/", views.member_remove, name="member_remove"),
    path("<str:class_id>/teachers/", views.coteacher_add, name="coteacher_add"),
    path("<str:class_id>/teachers/<str:teacher_id>/remove/", views.coteacher_remove, name="coteacher_remove"),
    path("<str:class_id>/assignments/new/", views.assignment_create, name="assignment_create"),
    path("<str:class_id>/assignments/<str:assignment_id>/edit/", views.assignment_edit, name="assignment_edit"),
    path("<str:class_id>/assignments/<str:assignment_id>/delete/", views.assignment_delete,
         name="assignment_delete"),
    path("<str:class_id>/assignments/<str:assignment_id>/gain/", views.prepost, name="prepost"),
    path("<str:class_id>/techniques/", views.technique_grid, name="technique_grid"),
    path("<str:class_id>/quizzes/<str:quiz_id>/items/", views.item_analysis, name="item_analysis"),
    path("<str:class_id>/export/", views.class_export, name="export"),
    path("<str:class_id>/export/<str:job_id>/", views.export_detail, name="export_detail"),
    path("<str:class_id>/export/<str:job_id>/download/", views.export_download, name="export_download"),
]
