"""Views for classes: thin functions that parse, call a service or an analytics read, and render.

Teacher pages look the class up through the teacher's own ``ClassTeacher`` row
(``_class``), so a class that is not the teacher's is a 404; ``teacher_required`` answers students
with 403 and anonymous visitors with the log-in page.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Value
from django.db.models.functions import Coalesce, Lower, NullIf
from django.http import FileResponse, Http404, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_ratelimit.decorators import ratelimit

from django.contrib.auth.decorators import login_required

from accounts.decorators import teacher_required
from lessons.services import lesson_progress_summary
from quiz.reports import Bar, layout_bars

from . import analytics, services
from .forms import AssignmentForm, ClassDeleteForm, ClassroomForm, CoTeacherForm, JoinForm
from .models import (
    Assignment, AssignmentKind, Classroom, ClassTeacher, ExportJob, ExportStatus, Membership, TeacherRole,
)

STUDENTS_PER_PAGE = 25  # what a teacher reads at once; the class numbers cover everyone


def _class(request, class_id) -> Classroom:
    """The class, if the user teaches it (as ``for_teacher``), with ``my_role``: one query."""
    link = get_object_or_404(ClassTeacher.objects.select_related("classroom"),
                             classroom__public_id=class_id, user=request.user)
    classroom = link.classroom
    classroom.my_role = link.role
    return classroom


def _owner_only(classroom: Classroom) -> None:
    if classroom.my_role != TeacherRole.OWNER:
        raise PermissionDenied("Only the teacher who owns this class can do that.")


# What class pages show of an assignment's quiz or lesson is its name and id, never the lesson's text.
_ASSIGNMENT_DEFER = ("lesson__body", "lesson__intro_html", "lesson__sections", "lesson__checks", "lesson__sources",
                     "lesson__objectives", "lesson__summary", "quiz__description")


def _assignments(classroom: Classroom) -> list[Assignment]:
    return list(classroom.assignments.select_related("quiz", "lesson", "pre").defer(*_ASSIGNMENT_DEFER))


def _page(request, memberships, count: int | None = None):
    paginator = Paginator(memberships, STUDENTS_PER_PAGE)
    if count is not None:
        paginator.count = count  # already known (a cached property): saves the COUNT query
    return paginator.get_page(request.GET.get("page"))


def _students(classroom: Classroom):
    """The roster in name order, with only what a roster row shows of each student."""
    return (Membership.objects.filter(classroom=classroom).select_related("student")
            .only("public_id", "classroom_id", "student_id", "joined_at",
                  "student__display_name", "student__email", "student__is_active")
            # By the name shown (a student without a display name is shown by e-mail), whatever its case.
            .order_by(Lower(Coalesce(NullIf("student__display_name", Value("")), "student__email")), "pk"))


# --------------------------------------------------------------------------
# Classes
# --------------------------------------------------------------------------


@teacher_required
@require_GET
def class_list(request):
    classes = (Classroom.objects.for_teacher(request.user)
               .annotate(n_students=Count("memberships", distinct=True)).order_by("archived_at", "name"))
    return render(request, "classroom/class_list.html", {"classes": classes})


@teacher_required
@require_http_methods(["GET", "POST"])
def class_create(request):
    form = ClassroomForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        classroom = services.classroom_create(owner=request.user, name=form.cleaned_data["name"])
        messages.success(request, f"{classroom.name} is ready. Share the code {classroom.join_code} with students.")
        return redirect("classroom:roster", class_id=classroom.public_id)
    return render(request, "classroom/class_form.html", {"form": form}, status=422 if form.errors else 200)


@teacher_required
@require_http_methods(["GET", "POST"])
def class_edit(request, class_id):
    classroom = _class(request, class_id)
    form = ClassroomForm(request.POST or None, instance=classroom)
    if request.method == "POST" and form.is_valid():
        services.classroom_rename(classroom=classroom, name=form.cleaned_data["name"])
        messages.success(request, "Class renamed.")
        return redirect("classroom:class_detail", class_id=classroom.public_id)
    return render(request, "classroom/class_form.html", {"form": form, "classroom": classroom},
                  status=422 if form.errors else 200)


@teacher_required
@require_POST
def class_archive(request, class_id):
    classroom = _class(request, class_id)
    _owner_only(classroom)
    archived = request.POST.get("archived", "true") != "false"
    services.classroom_archive(classroom=classroom, archived=archived)
    messages.success(request, f"{classroom.name} is {'archived' if archived else 'active again'}.")
    return redirect("classroom:class_detail", class_id=classroom.public_id)


@teacher_required
@require_http_methods(["GET", "POST"])
def class_delete(request, class_id):
    """Delete the class and its results, after the owner types its name; the page lists what goes."""
    classroom = _class(request, class_id)
    _owner_only(classroom)
    form = ClassDeleteForm(request.POST or None, classroom=classroom)
    if request.method == "POST" and form.is_valid():
        deleted = services.classroom_delete(classroom=classroom)
        messages.success(request, f"Deleted {classroom.name}: {deleted.students} student place(s), "
                                  f"{deleted.assignments} assignment(s) and {deleted.attempts} quiz attempt(s) "
                                  f"with {deleted.responses} answer(s).")
        return redirect("classroom:class_list")
    preview = services.classroom_deletion_preview(classroom=classroom)
    return render(request, "classroom/class_delete.html",
                  {"classroom": classroom, "form": form, "preview": preview}, status=422 if form.errors else 200)


@teacher_required
@require_GET
def class_detail(request, class_id):
    """The class overview: completion, mean accuracy and d', spread of bias, one page of students.

    An htmx page turn renders only the student table, and sums only that page's students.
    """
    classroom = _class(request, class_id)
    assignments = _assignments(classroom)
    now = timezone.now()
    if request.htmx:
        page = _page(request, _students(classroom))
        rows = analytics.student_rows(assignments=assignments, memberships=page.object_list, now=now,
                                      classroom=classroom)
        return render(request, "classroom/class_detail.html#student-table",
                      {"classroom": classroom, "page": page, "rows": rows})
    overview = analytics.class_overview(classroom=classroom, assignments=assignments, now=now)
    page = _page(request, _students(classroom), count=overview.n_students)
    return render(request, "classroom/class_detail.html", {
        "classroom": classroom, "overview": overview, "page": page,
        "rows": overview.student_rows(page.object_list)})


@teacher_required
@require_GET
def roster(request, class_id):
    return _roster_page(request, _class(request, class_id), CoTeacherForm())


def _roster_page(request, classroom, coteacher_form):
    teachers = ClassTeacher.objects.filter(classroom=classroom).select_related("user")
    return render(request, "classroom/roster.html", {
        "classroom": classroom, "page": _page(request, _students(classroom)), "teachers": teachers,
        "coteacher_form": coteacher_form,
        "join_url": request.build_absolute_uri(classroom.join_path()),
    }, status=422 if coteacher_form.errors else 200)


def _join_panel(request, classroom, message: str):
    if request.htmx:
        return render(request, "classroom/roster.html#join-panel", {
            "classroom": classroom, "join_url": request.build_absolute_uri(classroom.join_path()),
            "panel_message": message})
    messages.success(request, message)
    return redirect("classroom:roster", class_id=classroom.public_id)


@teacher_required
@require_POST
def join_code_regenerate(request, class_id):
    classroom = services.join_code_regenerate(classroom=_class(request, class_id))
    return _join_panel(request, classroom, f"New class code: {classroom.join_code}. The old code no longer works.")


@teacher_required
@require_POST
def join_link_regenerate(request, class_id):
    classroom = services.join_link_regenerate(classroom=_class(request, class_id))
    return _join_panel(request, classroom, "New join link made. The old link no longer works.")


@teacher_required
@require_POST
def member_remove(request, class_id, member_id):
    classroom = _class(request, class_id)
    membership = get_object_or_404(Membership.objects.filter(classroom=classroom).select_related("student"),
                                   public_id=member_id)
    services.membership_remove(membership=membership)
    messages.success(request, f"{membership.student} was removed from {classroom.name}. Their own work is kept.")
    return redirect("classroom:roster", class_id=classroom.public_id)


@teacher_required
@require_POST
def coteacher_add(request, class_id):
    classroom = _class(request, class_id)
    _owner_only(classroom)
    form = CoTeacherForm(request.POST)
    if form.is_valid():
        try:
            link = services.coteacher_add(classroom=classroom, email=form.cleaned_data["email"])
        except services.Refused as refusal:
            form.add_error("email", refusal.message)
        else:
            messages.success(request, f"{link.user} now teaches {classroom.name} with you.")
            return redirect("classroom:roster", class_id=classroom.public_id)
    # Shown again with what was typed and the error on the field (the summary takes focus).
    return _roster_page(request, classroom, form)


@teacher_required
@require_POST
def coteacher_remove(request, class_id, teacher_id):
    classroom = _class(request, class_id)
    _owner_only(classroom)
    link = get_object_or_404(ClassTeacher.objects.filter(classroom=classroom), public_id=teacher_id)
    try:
        services.coteacher_remove(link=link)
    except services.Refused as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, f"{link.user} no longer teaches {classroom.name}.")
    return redirect("classroom:roster", class_id=classroom.public_id)


# --------------------------------------------------------------------------
# Assignments
# --------------------------------------------------------------------------


def _assignment_form_page(request, classroom, form, assignment=None, refusal=None):
    if refusal is not None:
        # The rules' refusal is the form's error: in its summary, with the page title and focus saying so.
        form.add_error(None, refusal.message)
    return render(request, "classroom/assignment_form.html",
                  {"classroom": classroom, "form": form, "assignment": assignment},
                  status=422 if form.errors else 200)


@teacher_required
@require_http_methods(["GET", "POST"])
def assignment_create(request, class_id):
    classroom = _class(request, class_id)
    form = AssignmentForm(request.POST or None, classroom=classroom, user=request.user,
                          initial={"opens_at": timezone.localtime().replace(second=0, microsecond=0)})
    if request.method == "POST" and form.is_valid():
        try:
            services.assignment_create(classroom=classroom, created_by=request.user, **form.cleaned_data)
        except services.Refused as refusal:
            return _assignment_form_page(request, classroom, form, refusal=refusal)
        messages.success(request, "Assigned.")
        return redirect("classroom:class_detail", class_id=classroom.public_id)
    return _assignment_form_page(request, classroom, form)


@teacher_required
@require_http_methods(["GET", "POST"])
def assignment_edit(request, class_id, assignment_id):
    classroom = _class(request, class_id)
    assignment = get_object_or_404(classroom.assignments.all(), public_id=assignment_id)
    initial = {"kind": assignment.kind, "lesson": assignment.lesson_id, "quiz": assignment.quiz_id,
               "pre": assignment.pre_id, "opens_at": timezone.localtime(assignment.opens_at),
               "due_at": assignment.due_at and timezone.localtime(assignment.due_at)}
    form = AssignmentForm(request.POST or None, classroom=classroom, user=request.user, assignment=assignment,
                          initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.assignment_update(assignment=assignment, **form.cleaned_data)
        except services.Refused as refusal:
            return _assignment_form_page(request, classroom, form, assignment, refusal)
        messages.success(request, "Assignment saved.")
        return redirect("classroom:class_detail", class_id=classroom.public_id)
    return _assignment_form_page(request, classroom, form, assignment)


@teacher_required
@require_POST
def assignment_delete(request, class_id, assignment_id):
    classroom = _class(request, class_id)
    assignment = get_object_or_404(classroom.assignments.all(), public_id=assignment_id)
    services.assignment_delete(assignment=assignment)
    messages.success(request, "Assignment removed. Students' answers are kept in their own records.")
    return redirect("classroom:class_detail", class_id=classroom.public_id)


# --------------------------------------------------------------------------
# Dashboards
# --------------------------------------------------------------------------


@teacher_required
@require_GET
def technique_grid(request, class_id):
    classroom = _class(request, class_id)
    page = _page(request, _students(classroom))
    grid = analytics.technique_grid(classroom=classroom, assignments=_assignments(classroom),
                                    memberships=list(page.object_list))
    return render(request, "classroom/technique_grid.html", {"classroom": classroom, "grid": grid, "page": page})


@teacher_required
@require_GET
def student_detail(request, class_id, member_id):
    classroom = _class(request, class_id)
    membership = get_object_or_404(Membership.objects.filter(classroom=classroom).select_related("student"),
                                   public_id=member_id)
    assignments = _assignments(classroom)
    profile = analytics.student_profile(classroom=classroom, assignments=assignments,
                                        learner_id=membership.student_id)
    work = analytics.work_table(assignments=assignments, learner_ids=[membership.student_id], classroom=classroom)
    lessons = lesson_progress_summary(learner_ids=[membership.student_id],
                                      lesson_ids=[a.lesson_id for a in assignments if a.lesson_id])
    return render(request, "classroom/student_detail.html", {
        "classroom": classroom, "membership": membership, "profile": profile,
        "chart": _timeline(profile.attempts),
        "works": [(work.get(membership.student_id, a),
                   lessons.get((membership.student_id, a.lesson_id)) if a.lesson_id else None)
                  for a in assignments],
    })


def _timeline(points):
    """The accuracy-over-time chart: each attempt's point with its bar (none from too few answers)."""
    bars = layout_bars([Bar(timezone.localtime(point.started_at).strftime("%d %b"),
                            point.skill.accuracy if point.skill.enough_for_accuracy else None, point.skill.n)
                        for point in points])
    return list(zip(points, bars))


@teacher_required
@require_GET
def item_analysis(request, class_id, quiz_id):
    classroom = _class(request, class_id)
    assignments = _assignments(classroom)
    quiz = next((a.quiz for a in assignments if a.quiz and a.quiz.public_id == quiz_id), None)
    if quiz is None:
        raise Http404
    report = analytics.item_analysis(classroom=classroom, assignments=assignments, quiz=quiz)
    return render(request, "classroom/item_analysis.html", {"classroom": classroom, "quiz": quiz, "report": report})


@teacher_required
@require_GET
def prepost(request, class_id, assignment_id):
    classroom = _class(request, class_id)
    assignments = _assignments(classroom)
    post = next((a for a in assignments if a.public_id == assignment_id
                 and a.kind == AssignmentKind.POST and a.pre_id), None)
    if post is None:
        raise Http404
    page = _page(request, _students(classroom))
    result = analytics.prepost(classroom=classroom, assignments=assignments, post=post,
                               memberships=list(page.object_list))
    return render(request, "classroom/prepost.html", {"classroom": classroom, "result": result, "page": page})


# --------------------------------------------------------------------------
# Export
# --------------------------------------------------------------------------


@teacher_required
@require_http_methods(["GET", "POST"])
def class_export(request, class_id):
    """Small classes download at once; large ones are written by a worker with a progress bar."""
    classroom = _class(request, class_id)
    if request.method == "POST":
        job = services.export_job_start(classroom=classroom, requested_by=request.user)
        return redirect("classroom:export_detail", class_id=classroom.public_id, job_id=job.public_id)
    assignments = _assignments(classroom)
    small = services.export_is_small(classroom=classroom, assignments=assignments)
    if request.GET.get("download") and small:
        response = StreamingHttpResponse(services.export_lines(classroom=classroom, assignments=assignments),
                                         content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{services.export_filename(classroom)}"'
        return response
    jobs = ExportJob.objects.filter(classroom=classroom)[:5]
    return render(request, "classroom/export.html", {"classroom": classroom, "small": small, "jobs": jobs})


@teacher_required
@require_GET
def export_detail(request, class_id, job_id):
    classroom = _class(request, class_id)
    job = get_object_or_404(ExportJob.objects.filter(classroom=classroom), public_id=job_id)
    template = "classroom/export_detail.html#job-status" if request.htmx else "classroom/export_detail.html"
    return render(request, template, {"classroom": classroom, "job": job})


@teacher_required
@require_GET
def export_download(request, class_id, job_id):
    classroom = _class(request, class_id)
    job = get_object_or_404(ExportJob.objects.filter(classroom=classroom), public_id=job_id)
    if job.status != ExportStatus.DONE:
        # Not written yet, failed, or removed since: the job's page says which and what to do.
        return redirect("classroom:export_detail", class_id=classroom.public_id, job_id=job.public_id)
    return FileResponse(job.file.open("rb"), as_attachment=True,
                        filename=f"class-{classroom.public_id}-{job.created_at:%Y%m%d-%H%M}.csv",
                        content_type="text/csv; charset=utf-8")


# --------------------------------------------------------------------------
# Students
# --------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
# Codes and links share one budget, so guessing either is slow.
@ratelimit(group="classroom.join", key="user_or_ip", rate="20/m", method="POST", block=True)
def join(request):
    form = JoinForm(request.POST or request.GET.get("code") and {"code": request.GET["code"]} or None)
    if request.method == "POST" and form.is_valid():
        try:
            membership, created = services.membership_join(student=request.user, code=form.cleaned_data["code"])
        except services.Refused as refusal:
            form.add_error("code", refusal.message)
            return render(request, "classroom/join.html", {"form": form}, status=refusal.status)
        _joined_message(request, membership, created)
        return redirect("classroom:my_work")
    return render(request, "classroom/join.html", {"form": form}, status=422 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
@ratelimit(group="classroom.join", key="user_or_ip", rate="20/m", method="POST", block=True)
def join_link(request, token):
    if request.method == "POST":  # the service finds the class by its link
        try:
            membership, created = services.membership_join(student=request.user, token=token)
        except services.Refused as refusal:
            classroom = Classroom.objects.filter(join_token=token).first()
            return render(request, "classroom/join_link.html", {"classroom": classroom, "refusal": refusal},
                          status=refusal.status)
        _joined_message(request, membership, created)
        return redirect("classroom:my_work")
    classroom = Classroom.objects.filter(join_token=token).first()
    if classroom is None:
        refusal = services.Refused("This join link is no longer valid. Ask your teacher for a new link or the "
                                   "class code.", status=404)
        return render(request, "classroom/join_link.html", {"refusal": refusal}, status=404)
    return render(request, "classroom/join_link.html", {"classroom": classroom})


def _joined_message(request, membership, created):
    if created:
        messages.success(request, f"You joined {membership.classroom.name}.")
    else:
        messages.info(request, f"You are already in {membership.classroom.name}.")


@login_required
@require_http_methods(["GET", "POST"])
def leave(request, class_id):
    """A student leaves one of their classes, after saying so on a page that explains it."""
    membership = get_object_or_404(Membership.objects.for_student(request.user).select_related("classroom"),
                                   classroom__public_id=class_id)
    classroom = membership.classroom
    if request.method == "POST":
        # As with a removal: their own work stays theirs; the class stops counting it.
        services.membership_remove(membership=membership)
        messages.success(request, f"You left {classroom.name}. Your answers and lesson progress are kept, and "
                                  "its teachers no longer see them. A new class code lets you join again.")
        return redirect("classroom:my_work")
    return render(request, "classroom/leave.html", {"classroom": classroom})


@login_required
@require_GET
def my_work(request):
    """The student's assignments across their classes, with status and due dates."""
    return render(request, "classroom/my_work.html", {"groups": analytics.student_work(student=request.user)})
